import Foundation
import PackKit

/// `ytce-bench`: builds a pack from a synthetic channel with the release `ytce` binary (a child process, so its
/// peak RSS is the build's alone), then times opening it cold (unpack into an empty cache) and warm (cache hit).
/// Usage: ytce-bench [--videos N] [--work DIR] [--runs N]
///        ytce-bench --ann …   (the HNSW index against the exact scan: see ANNBench.swift)
///        ytce-bench --jobs [N] [SECONDS]  (N open RunPod jobs polled: interval accuracy and CPU: see JobsBench.swift)
///        ytce-bench --s3xml [RUNS]  (parsing a 1,000-key S3 listing page: see S3XMLBench.swift)
///        ytce-bench --stream  (streamed tokens socket → stdout, Ctrl-C → connection closed: see StreamBench.swift)
///        ytce-bench --tui [VIDEOS] [--only frames|keys|open]  (frame time, keystroke → painted in tmux under load, opening a
///                                            large pack: see TUIBench.swift; --only runs one of the three)
///        ytce-bench --update [--videos N] [--percent P]  (`pack build --update` adding P% videos: see UpdateBench.swift)
///        ytce-bench --workbench PACK [WORD…]  (timeline, compare and the search pane on a large pack: see WorkbenchBench.swift)
///        ytce-bench --minilm [--model-dir DIR]  (all-MiniLM-L6-v2: load, question, build throughput, memory: see MiniLMBench.swift)
///        ytce-bench --embeddings [options]  (vectors from an OpenAI-compatible endpoint: throughput by requests in flight:
///                                            see EmbeddingsBench.swift)
///        ytce-bench --ask PACK QUESTIONS.json [--kind KIND] [--session]  (whole `pack ask` per question on a warm cache, or
///                                            what --session adds to one: see AskBench.swift)
@main
struct Bench {
    static let usage = """
        usage: ytce-bench [--videos N] [--runs N] [--work DIR]   (builds DIR/synthetic-N.pack, N one-hour videos, default 500
                                                             in $TMPDIR/ytce-bench, from a generated channel; times opening it)
               ytce-bench --tui [VIDEOS] [--only frames|keys|open]
               ytce-bench --workbench PACK [WORD…]
               ytce-bench --ann | --jobs | --s3xml | --stream | --update | --minilm | --embeddings | --ask …
        (each mode is described at the top of its file in Sources/ytce-bench)
        """

    static func main() throws {
        // Figures are printed as they are measured; a run redirected to a log and stopped midway keeps them.
        StandardOutput.lineBuffered()
        if CommandLine.arguments.dropFirst().first == "--measure-child" {
            return measureChild(Array(CommandLine.arguments.dropFirst(2)))
        }
        if CommandLine.arguments.dropFirst().first == "--tui" {
            let ytce = URL(fileURLWithPath: Bench.executablePath).deletingLastPathComponent().appendingPathComponent("ytce")
            var rest = Array(CommandLine.arguments.dropFirst(2))
            var only: TUIBench.Part?
            if let flag = rest.firstIndex(of: "--only") {
                let names = TUIBench.Part.allCases.map(\.rawValue).joined(separator: ", ")
                guard flag + 1 < rest.count, let part = TUIBench.Part(rawValue: rest[flag + 1]) else {
                    FileHandle.standardError.write(Data("ytce-bench --tui --only: expected one of \(names)\n".utf8))
                    exit(2)
                }
                only = part
                rest.removeSubrange(flag...(flag + 1))
            }
            let videos = rest.first.flatMap { Int($0) } ?? 500
            let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            return try TUIBench.run(ytce: ytce.path, work: work, videos: videos, only: only)
        }
        if CommandLine.arguments.dropFirst().first == "--embeddings" {
            let ytce = URL(fileURLWithPath: Bench.executablePath).deletingLastPathComponent().appendingPathComponent("ytce")
            return try EmbeddingsBench.run(ytce: ytce.path, work: URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench"),
                                           arguments: Array(CommandLine.arguments.dropFirst(2)))
        }
        if CommandLine.arguments.dropFirst().first == "--update" {
            let ytce = URL(fileURLWithPath: Bench.executablePath).deletingLastPathComponent().appendingPathComponent("ytce")
            return try UpdateBench.run(ytce: ytce.path, arguments: Array(CommandLine.arguments.dropFirst(2)))
        }
        if CommandLine.arguments.dropFirst().first == "--ask" {
            return try AskBench.run(Array(CommandLine.arguments.dropFirst(2)))
        }
        if CommandLine.arguments.dropFirst().first == "--workbench" {
            let ytce = URL(fileURLWithPath: Bench.executablePath).deletingLastPathComponent().appendingPathComponent("ytce")
            return try WorkbenchBench.run(ytce: ytce.path, arguments: Array(CommandLine.arguments.dropFirst(2)))
        }
        if CommandLine.arguments.dropFirst().first == "--minilm" {
            return try MiniLMBench.run(Array(CommandLine.arguments.dropFirst(2)))
        }
        if let mode = CommandLine.arguments.dropFirst().first, mode == "--ann" || mode == "--ann-build" {
            return try ANNBench.run(Array(CommandLine.arguments.dropFirst()))
        }
        if CommandLine.arguments.dropFirst().first == "--jobs" {
            let ytce = URL(fileURLWithPath: Bench.executablePath).deletingLastPathComponent().appendingPathComponent("ytce")
            let rest = CommandLine.arguments.dropFirst(2)
            return try JobsBench.run(ytce: ytce.path, work: URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench"),
                                     jobs: rest.first.flatMap { Int($0) } ?? 500, seconds: rest.dropFirst().first.flatMap { Double($0) } ?? 60)
        }
        if CommandLine.arguments.dropFirst().first == "--s3xml" {
            return try S3XMLBench.run(runs: CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 200)
        }
        if CommandLine.arguments.dropFirst().first == "--stream" {
            let ytce = URL(fileURLWithPath: Bench.executablePath).deletingLastPathComponent().appendingPathComponent("ytce")
            return try StreamBench.run(ytce: ytce.path, work: URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench"), runs: 20)
        }
        var videos = 500
        var runs = 5
        var work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench")
        var args = CommandLine.arguments.dropFirst()
        while let arg = args.popFirst() {
            switch arg {
            case "--videos": videos = Int(args.popFirst() ?? "") ?? videos
            case "--runs": runs = Int(args.popFirst() ?? "") ?? runs
            case "--work": work = URL(fileURLWithPath: args.popFirst() ?? work.path)
            case "--help", "-h":
                print(usage)
                return
            default:
                print(usage)
                exit(2)
            }
        }
        let input = work.appendingPathComponent("input-\(videos)")
        let output = work.appendingPathComponent("synthetic-\(videos).pack")
        if !FileManager.default.fileExists(atPath: input.appendingPathComponent("videos.json").path) {
            print("writing synthetic channel: \(videos) videos × 1 h …")
            try SyntheticChannel(videos: videos).write(to: input)
        }
        let ytce = URL(fileURLWithPath: Bench.executablePath).deletingLastPathComponent().appendingPathComponent("ytce")
        guard FileManager.default.isExecutableFile(atPath: ytce.path) else {
            print("ytce binary not found next to ytce-bench (\(ytce.path)); build both with `swift build -c release`")
            exit(1)
        }

        var buildTimes: [Double] = []
        var peakRSS = 0
        for _ in 0..<max(1, runs / 2) {
            // Each run starts alike: no previous pack to delete, no dirty pages of the last run still being written back.
            try? FileManager.default.removeItem(at: output)
            sync()
            let (seconds, rssKB, status) = try runChild(ytce.path, ["pack", "build", "--quiet", "--input", input.path, "--out", output.path])
            guard status == 0 else { print("build failed (status \(status))"); exit(1) }
            buildTimes.append(seconds)
            peakRSS = max(peakRSS, rssKB)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0

        let cacheDir = work.appendingPathComponent("cache")
        // The first question after a build, as a user asks it (a whole process, an empty cache), and what the
        // cache then holds: the disk a pack costs beyond itself.
        var firstAsks: [Double] = []
        var firstAskRSS = 0
        var cacheBytes: Int64 = 0
        for _ in 0..<max(1, runs / 2) {
            try? FileManager.default.removeItem(at: cacheDir)
            let (seconds, rss, status) = try runChild(ytce.path, ["pack", "ask", "--pack", output.path, "--question", "what is said about the lecture",
                                                                  "--cache-dir", cacheDir.path], discardOutput: true)
            guard status == 0 else { print("first ask failed (status \(status))"); exit(1) }
            firstAsks.append(seconds)
            firstAskRSS = max(firstAskRSS, rss)
            cacheBytes = PackCache(directory: cacheDir).list().reduce(0) { $0 + $1.bytes }
        }
        var cold: [Double] = []
        var warm: [Double] = []
        var counts: ChannelPack.Counts?
        var inPlace = false
        for _ in 0..<runs {
            try? FileManager.default.removeItem(at: cacheDir)
            let cache = PackCache(directory: cacheDir)
            var start = DispatchTime.now()
            let first = try ChannelPack.open(output.path, options: .init(cache: cache))
            cold.append(elapsed(since: start))
            counts = first.counts
            inPlace = first.files.isReadInPlace
            start = DispatchTime.now()
            let second = try ChannelPack.open(output.path, options: .init(cache: cache))
            warm.append(elapsed(since: start))
            precondition(!second.wasExtracted)
        }
        // Exact vector search over the chunk matrix: the flat scan the retrieval engine starts from.
        var scans: [Double] = []
        let pack = try ChannelPack.open(output.path, options: .init(cache: PackCache(directory: cacheDir)))
        if let chunks = pack.chunkEmbeddings {
            let texts = try pack.database.strings("SELECT text FROM micro_chunk WHERE chunk_id % 601 = 0")
            let session = HashEmbedder(dimension: chunks.columns).makeSession()
            for text in texts.prefix(100) {
                let query = session.embed([String(text.prefix(80))], dimension: chunks.columns)
                let start = DispatchTime.now()
                _ = VectorSearch.topK(query, in: chunks, k: 50)
                scans.append(elapsed(since: start))
            }
        }
        // Retrieval: hybrid search in process (warm: the lexical index already built), and a whole `ytce pack ask`.
        let retriever = try Retriever(pack: pack, cache: PackCache(directory: cacheDir))
        let questions = try pack.database.strings("SELECT text FROM micro_chunk WHERE chunk_id % 397 = 0").prefix(100).map { text in
            text.split(separator: " ").enumerated().filter { $0.offset % 5 == 2 }.prefix(4).map(\.element).joined(separator: " ")
        }
        // The HNSW graph, when the pack has one: its latency and how many of the exact top 10 it finds.
        var graphLine: String?
        if let graph = retriever.graph, let chunks = pack.chunkEmbeddings {
            let session = HashEmbedder(dimension: chunks.columns).makeSession()
            var times: [Double] = [], found = 0, total = 0
            for question in questions {
                let query = session.embed([question], dimension: chunks.columns)
                let start = DispatchTime.now()
                let approximate = ANNSearch.topK(query, in: chunks, graph: graph, k: retriever.settings.candidates, ef: retriever.settings.annEf)
                times.append(elapsed(since: start))
                let exact = Set(VectorSearch.topK(query, in: chunks, k: 10).map(\.row))
                found += approximate.prefix(10).filter { exact.contains($0.row) }.count
                total += exact.count
            }
            times.sort()
            graphLine = String(format: "vector search (HNSW graph, top %d, ef %d): p50 %.2f ms, p99 %.2f ms; recall@10 vs exact %.3f (target ≥ 0.95)",
                               retriever.settings.candidates, retriever.settings.annEf, 1000 * times[times.count / 2],
                               1000 * times[min(times.count - 1, times.count * 99 / 100)], Double(found) / Double(max(1, total)))
        }
        if let buckets = retriever.buckets, let chunks = pack.chunkEmbeddings {
            let session = HashEmbedder(dimension: chunks.columns).makeSession()
            var times: [Double] = [], same = 0
            for question in questions {
                let query = session.embed([question], dimension: chunks.columns)
                let start = DispatchTime.now()
                let found = buckets.topK(query, k: retriever.settings.candidates, matrix: chunks)
                times.append(elapsed(since: start))
                // Exact: the same top-10 scores as the full scan (ties may order rows differently).
                let exact = VectorSearch.topK(query, in: chunks, k: 10).map(\.score)
                if zip(found.prefix(10).map(\.score), exact).allSatisfy({ abs($0 - $1) < 1e-5 }) { same += 1 }
            }
            times.sort()
            graphLine = String(format: "vector search (bucket index, exact, top %d): p50 %.2f ms, p99 %.2f ms; top-10 equal to the full scan for %d of %d questions",
                               retriever.settings.candidates, 1000 * times[times.count / 2],
                               1000 * times[min(times.count - 1, times.count * 99 / 100)], same, questions.count)
        }
        var searches: [Double] = []
        for question in questions {
            let start = DispatchTime.now()
            _ = try retriever.search(question, topK: 10)
            searches.append(elapsed(since: start))
        }
        var asks: [Double] = []
        var askRSS = 0
        for question in questions.prefix(5) {
            let (seconds, rss, status) = try runChild(ytce.path, ["pack", "ask", "--pack", output.path, "--question", question, "--cache-dir", cacheDir.path],
                                                      discardOutput: true)
            guard status == 0 else { print("ask failed (status \(status))"); exit(1) }
            asks.append(seconds)
            askRSS = max(askRSS, rss)
        }
        let build = median(buildTimes), rssMB = Double(peakRSS) / 1024
        let reference = RecordedReference.of(videos: videos), targets = RecordedReference.Targets.of(videos: videos)
        func after(_ target: String) -> String { target.isEmpty ? "" : "   " + target }
        print("input: \(videos) videos × 1 h; pack: \(counts.map { "\($0.segments) segments, \($0.chunks) chunks, \($0.sections) sections" } ?? "?"), \(size / 1_048_576) MiB")
        print(String(format: "build:      %.2f s (median of %d)", build, buildTimes.count)
              + (reference.map { String(format: "   reference %.0f s → %.1f× faster", $0.buildSeconds, $0.buildSeconds / build) } ?? "")
              + after(targets.build))
        print(String(format: "peak RSS:   %.0f MB", rssMB)
              + (reference.map { String(format: "                  reference %.0f MB → %.1f%% of it", $0.buildMB, 100 * rssMB / $0.buildMB) } ?? "")
              + after(targets.peakRSS))
        print(String(format: "first ask after the build: %.2f s (median of %d), peak RSS %.0f MB; the cache then holds %.1f MB (%.1f%% of the pack)",
                     median(firstAsks), firstAsks.count, Double(firstAskRSS) / 1024, Double(cacheBytes) / 1_048_576,
                     100 * Double(cacheBytes) / Double(max(size, 1))))
        print(String(format: "open cold:  %.0f ms (median of %d, %@)   target ≤ 300 ms", 1000 * median(cold), cold.count,
                     inPlace ? "read in place" : "unpacked into the cache"))
        print(String(format: "open warm:  %.1f ms (median of %d)   target ≤ 30 ms", 1000 * median(warm), warm.count))
        let sortedScans = scans.sorted()
        if !sortedScans.isEmpty {
            print(String(format: "vector scan (exact, top 50 of %d chunks): p50 %.2f ms, p99 %.2f ms over %d queries",
                         pack.counts.chunks, 1000 * sortedScans[sortedScans.count / 2],
                         1000 * sortedScans[min(sortedScans.count - 1, sortedScans.count * 99 / 100)], sortedScans.count))
        }
        if let graphLine { print(graphLine) }
        let sortedSearches = searches.sorted()
        if !sortedSearches.isEmpty {
            print(String(format: "search (hybrid, top 10, warm): p50 %.2f ms, p99 %.2f ms over %d questions   target p50 ≤ 5 ms, p99 ≤ 20 ms (5,000 h: p50 ≤ 10 ms)",
                         1000 * sortedSearches[sortedSearches.count / 2],
                         1000 * sortedSearches[min(sortedSearches.count - 1, sortedSearches.count * 99 / 100)], sortedSearches.count))
        }
        print(String(format: "pack ask (whole process, warm): %.0f ms median, peak RSS %.0f MB", 1000 * median(asks), Double(askRSS) / 1024)
              + (reference.map { String(format: "   reference %.1f s / %.0f MB → %.0f× faster", $0.askSeconds, $0.askMB, $0.askSeconds / max(median(asks), 1e-6)) } ?? "")
              + after(targets.ask))
        if reference != nil {
            print("(reference figures were recorded earlier on this kind of machine for this channel size, not measured in this run: "
                  + "for a side-by-side ratio run both under `farm-bench --vs`)")
        }
    }

    static func elapsed(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }

    struct ChildProblem: Error, CustomStringConvertible {
        let description: String
    }

    /// This executable's own path (`argv[0]` may be a bare name found through PATH).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs a child and returns wall seconds, its peak RSS in KiB and its exit status (128 + the signal when a
    /// signal ended it). Linux carries a process's peak RSS across exec and a spawned child starts from its
    /// parent's, so a child spawned from this (large) process would report this process's peak: a small helper
    /// (`--measure-child`, this executable) spawns the child and reports, on descriptor 3, what wait4 says of
    /// it. `discardOutput` sends the child's stdout to /dev/null.
    static func runChild(_ path: String, _ arguments: [String], discardOutput: Bool = false) throws -> (Double, Int, Int32) {
        let child = try measureRun(path, arguments, discardOutput: discardOutput)
        return (child.seconds, child.peakKiB, child.status)
    }

    /// What one run of a child cost: wall seconds, CPU seconds (user + system, from wait4), peak RSS, exit status.
    struct ChildRun {
        let seconds: Double
        let cpuSeconds: Double
        let peakKiB: Int
        let status: Int32
    }

    /// `runChild`, with the child's CPU time as well.
    static func measureRun(_ path: String, _ arguments: [String], discardOutput: Bool = false) throws -> ChildRun {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw ChildProblem(description: "pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }   // no process but the helper gets the write end
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 3)   // dup2 clears close-on-exec on descriptor 3 only
        let helper = executablePath
        let argv = ([helper, "--measure-child", discardOutput ? "quiet" : "loud", path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, helper, &actions, nil, argv, environ)
        close(ends[1])
        guard spawned == 0 else {
            close(ends[0])
            throw ChildProblem(description: "cannot start \(helper): \(String(cString: strerror(spawned)))")
        }
        let report = String(decoding: FileHandle(fileDescriptor: ends[0], closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let fields = report.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 4, let seconds = Double(fields[0]), let rss = Int(fields[1]), let code = Int32(fields[2]),
              let cpu = Double(fields[3]) else {
            throw ChildProblem(description: "the measuring helper for \(path) reported '\(report)' (helper status \(status))")
        }
        return ChildRun(seconds: seconds, cpuSeconds: cpu, peakKiB: rss, status: code)
    }

    /// The helper: `--measure-child quiet|loud PROGRAM ARGS…` runs the program (stdout to /dev/null when quiet)
    /// and writes "seconds peakKiB status cpuSeconds" to descriptor 3.
    static func measureChild(_ arguments: [String]) {
        guard arguments.count >= 2 else { exit(2) }
        let program = arguments[1]
        func report(_ text: String) -> Never {
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { write(3, $0.baseAddress, $0.count) }
            exit(0)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        if arguments[0] == "quiet" { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        posix_spawn_file_actions_addclose(&actions, 3)
        var pid: pid_t = 0
        let argv = arguments.dropFirst().map { strdup($0) } + [nil]
        let start = DispatchTime.now()
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else {
            FileHandle.standardError.write(Data("cannot start \(program): \(String(cString: strerror(spawned)))\n".utf8))
            report("0 0 127 0")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        let code = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        report("\(elapsed(since: start)) \(usage.ru_maxrss) \(code) \(seconds(usage.ru_utime) + seconds(usage.ru_stime))")
    }
}
