import Foundation
import PackKit

/// `ytce-bench --minilm [--model-dir DIR] [--chunks N] [--queries N] [--workers N]`: all-MiniLM-L6-v2 computed natively.
/// Prints the model load time (memory-mapping the weights), the time to embed one ~20-token question, build
/// throughput on ~120-token chunks with one worker per core (as `pack build` runs), and the resident memory the
/// model adds. Targets: load ≤ 100 ms, question ≤ 10 ms, ≥ 40 chunks/s on 2 cores, ≤ 120 MB.
enum MiniLMBench {
    static func run(_ arguments: [String]) throws {
        var modelDir: String?
        var chunkCount = 240
        var queries = 50
        var workers = ProcessInfo.processInfo.activeProcessorCount
        var args = arguments[...]
        while let arg = args.popFirst() {
            switch arg {
            case "--minilm": continue
            case "--model-dir": modelDir = args.popFirst()
            case "--chunks": chunkCount = Int(args.popFirst() ?? "") ?? chunkCount
            case "--queries": queries = Int(args.popFirst() ?? "") ?? queries
            case "--workers": workers = max(1, Int(args.popFirst() ?? "") ?? workers)
            default:
                print("usage: ytce-bench --minilm [--model-dir DIR] [--chunks N] [--queries N] [--workers N]")
                exit(2)
            }
        }
        let directory: URL
        do { directory = try MiniLMModelLocator(explicitDirectory: modelDir).locate() } catch {
            print("model not found: \(error)")
            exit(1)
        }
        print("model: \(directory.path)")
        let rssBefore = residentMB()

        var start = DispatchTime.now()
        let model = try MiniLMEmbedder(directory: directory)
        let loadMs = milliseconds(since: start)
        print(String(format: "model load (mmap, vocab, config): %.1f ms (target <= 100)", loadMs))

        // One question of ~20 tokens, after a warm-up that pages the weights in.
        let question = "How do I count how many times each word appears in a file using a Python dictionary and loops?"
        let session = model.makeSession()
        var vector = [Float](repeating: 0, count: model.dimension)
        session.embed(question, into: &vector, at: 0)
        var times: [Double] = []
        for _ in 0..<max(1, queries) {
            start = DispatchTime.now()
            session.embed(question, into: &vector, at: 0)
            times.append(milliseconds(since: start))
        }
        times.sort()
        print(String(format: "question embed (%d tokens): median %.2f ms, best %.2f ms (target <= 10)",
                     model.tokenIDs(question).count, times[times.count / 2], times[0]))
        let rssQuery = residentMB()

        // Build throughput: ~120-token chunks, one worker (and session) per core, like `pack build`.
        let chunks = (0..<chunkCount).map(syntheticChunk)
        let tokens = chunks.reduce(0) { $0 + model.tokenIDs($1).count }
        _ = model.embedBatch(Array(chunks.prefix(8)))
        let cpuBefore = cpuSeconds()
        start = DispatchTime.now()
        let group = DispatchGroup()
        let lanes = workers
        for lane in 0..<lanes {
            DispatchQueue.global().async(group: group) {
                let mine = stride(from: lane, to: chunks.count, by: lanes).map { chunks[$0] }
                _ = model.embedBatch(mine)
            }
        }
        group.wait()
        let seconds = milliseconds(since: start) / 1000
        let cpu = cpuSeconds() - cpuBefore
        print(String(format: "build throughput: %.1f chunks/s (%d chunks, %.0f tokens each on average, %d workers) (target >= 40)",
                     Double(chunks.count) / seconds, chunks.count, Double(tokens) / Double(chunks.count), workers))
        // On a shared machine other processes take cores from the lanes: CPU time tells what the work itself costs.
        print(String(format: "  CPU time %.2f s over %.2f s wall: %.1f chunks per CPU-second, %.1f chunks/s if %d cores were free; load average %@",
                     cpu, seconds, Double(chunks.count) / cpu, Double(chunks.count) / cpu * Double(lanes), lanes, loadAverage()))
        let rssAfter = residentMB()
        print(String(format: "resident memory added: %.0f MB after load and one question, %.0f MB after the build run with %d workers (target <= 120)",
                     rssQuery - rssBefore, rssAfter - rssBefore, workers))
    }

    /// A transcript-like chunk of about 120 word pieces, different for each index.
    static func syntheticChunk(_ i: Int) -> String {
        let sentences = [
            "so now we are going to look at how dictionaries work in python and why they are so useful",
            "a dictionary is like a bag of values each with its own label that we call the key",
            "we can loop through the lines of a file and split each line into words",
            "then for every word we check whether it is already in the dictionary and add one to its count",
            "the get method lets us do that in a single line with a default value of zero",
            "at the end we print the most common word and how many times it appeared",
            "if you forget the colon at the end of the for statement python will give you a syntax error",
            "remember that indentation matters because it tells python which lines belong inside the loop",
        ]
        var words: [String] = []
        var k = i
        while words.count < 110 {
            words += sentences[k % sentences.count].split(separator: " ").map(String.init)
            k += 3
        }
        return words.prefix(110).joined(separator: " ") + " (part \(i))."
    }

    static func milliseconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }

    /// User + system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// VmRSS from /proc/self/status, in MB (0 where unavailable).
    static func residentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}
