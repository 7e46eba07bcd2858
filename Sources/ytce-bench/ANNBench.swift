import Foundation
import TestHarness
import PackKit

/// `ytce-bench --ann`: the HNSW index on a chunk matrix shaped like a big pack's (600k x 384 hash embeddings of
/// synthetic 45 s windows), against the exact scan.
///
/// Usage: ytce-bench --ann [--rows N] [--dim D] [--m M] [--efc EF] [--threads T] [--queries Q] [--ef A,B,…]
///                         [--work DIR] [--rebuild] [--matrix NPY] [--questions EVAL.json] [--topical P]
///
/// The matrix and each graph are kept in the work folder and reused by later runs (`--rebuild` rebuilds the
/// graph). The graph is built in a child process (`--ann-build`) so that its peak RSS is the build's alone.
/// Reported per kind of query (short questions, half-chunk passages, stored rows): the exact scan's time, and
/// for each ef the ANN's recall@k against the exact top k, how often it finds the exact best row, and p50/p99.
/// `--topical P` draws a share P of the words from the video's topic: topic-free synthetic text gives nearly
/// random vectors (the worst case for a graph index); P = 0.3, the default, matches the neighbourhood structure
/// of the real hash-384 reference packs (py4e, hf-course) at their size. `--matrix` runs on an existing `.npy`
/// instead (only stored-row queries, plus `--questions` from an eval file).
enum ANNBench {
    struct Options {
        var rows = 600_000
        var dim = 384
        var m = HNSWGraph.defaultM
        var efConstruction = HNSWGraph.defaultEfConstruction
        var threads = 2
        var queries = 200
        var efs = [64, 128, 256, 512, 768, 1024]
        var work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-bench")
        var rebuild = false
        /// An existing chunk matrix (e.g. a real pack's `vectors/chunk_embeddings.npy`) instead of the synthetic one.
        var matrix: String?
        /// Question texts from an eval file (`../shared/fixtures/eval/*.questions.json`), hash-embedded.
        var questions: String?
        /// The share of words drawn from the video's topic (0: `SyntheticChannel`'s topic-free text).
        var topical = 0.3
    }

    static func run(_ arguments: [String]) throws {
        var args = arguments[...]
        if args.first == "--ann-build" {
            // Child: --ann-build MATRIX GRAPH M EFC THREADS
            let a = Array(args.dropFirst())
            guard a.count == 5, let m = Int(a[2]), let efc = Int(a[3]), let threads = Int(a[4]) else { exit(2) }
            let matrix = try NpyMatrix(contentsOf: a[0])
            try HNSWGraph.build(matrix: matrix, to: a[1], m: m, efConstruction: efc, threads: threads)
            // CPU time as well as the parent's wall time: on a shared machine it is the steadier measure.
            var usage = rusage()
            getrusage(0, &usage)  // RUSAGE_SELF (0 on Linux and macOS; an enum in Glibc's Swift import)
            say(String(format: "graph build CPU time: %.1f s user + %.1f s system",
                       Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                       Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6))
            return
        }
        var o = Options()
        _ = args.popFirst()  // --ann
        while let arg = args.popFirst() {
            switch arg {
            case "--rows": o.rows = Int(args.popFirst() ?? "") ?? o.rows
            case "--dim": o.dim = Int(args.popFirst() ?? "") ?? o.dim
            case "--m": o.m = Int(args.popFirst() ?? "") ?? o.m
            case "--efc": o.efConstruction = Int(args.popFirst() ?? "") ?? o.efConstruction
            case "--threads": o.threads = Int(args.popFirst() ?? "") ?? o.threads
            case "--queries": o.queries = Int(args.popFirst() ?? "") ?? o.queries
            case "--ef": o.efs = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--work": o.work = URL(fileURLWithPath: args.popFirst() ?? o.work.path)
            case "--rebuild": o.rebuild = true
            case "--matrix": o.matrix = args.popFirst()
            case "--questions": o.questions = args.popFirst()
            case "--topical": o.topical = Double(args.popFirst() ?? "") ?? o.topical
            default:
                say("usage: ytce-bench --ann [--rows N] [--dim D] [--m M] [--efc EF] [--threads T] [--queries Q] [--ef A,B,…] [--work DIR] [--rebuild] [--matrix NPY] [--questions EVAL.json] [--topical P]")
                exit(2)
            }
        }
        try FileManager.default.createDirectory(at: o.work, withIntermediateDirectories: true)

        // The matrix: hash embeddings of synthetic chunk texts, written once.
        var npy = o.work.appendingPathComponent("ann-chunks-\(o.rows)x\(o.dim)\(o.topical > 0 ? "-t\(o.topical)" : "").npy").path
        if let given = o.matrix {
            npy = given
            let m = try NpyMatrix(contentsOf: given)
            (o.rows, o.dim) = (m.rows, m.columns)
        } else if (try? NpyMatrix(contentsOf: npy)).map({ $0.rows != o.rows || $0.columns != o.dim }) ?? true {
            say("embedding \(o.rows) synthetic chunks (\(o.dim) dims) …")
            let start = DispatchTime.now()
            try writeMatrix(rows: o.rows, dim: o.dim, topical: o.topical, to: npy)
            say(String(format: "  %.1f s", Bench.elapsed(since: start)))
        }
        let matrix = try NpyMatrix(contentsOf: npy)

        // The graph, built in a child process.
        let graphName = o.matrix == nil ? "ann-\(o.rows)x\(o.dim)\(o.topical > 0 ? "-t\(o.topical)" : "")" : "ann-given-\(HNSWGraph.fingerprint(of: matrix))"
        let graphPath = o.work.appendingPathComponent("\(graphName)-m\(o.m)-efc\(o.efConstruction).bin").path
        var buildLine = "graph: reused from an earlier run (--rebuild to time the build)"
        if o.rebuild || (try? HNSWGraph(contentsOf: graphPath, matching: matrix)) == nil {
            say("building the graph: M \(o.m), efConstruction \(o.efConstruction), \(o.threads) threads …")
            try? FileManager.default.removeItem(atPath: graphPath)
            sync()
            let (seconds, rssKB, status) = try Bench.runChild(Bench.executablePath,
                ["--ann-build", npy, graphPath, String(o.m), String(o.efConstruction), String(o.threads)])
            guard status == 0 else { say("graph build failed (status \(status))"); exit(1) }
            buildLine = String(format: "graph build: %.1f s with %d threads, peak RSS %.0f MB (the mapped matrix is %.0f MB of it)",
                               seconds, o.threads, Double(rssKB) / 1024, Double(o.rows * o.dim * 4) / 1_048_576)
        }
        let graph = try HNSWGraph(contentsOf: graphPath, matching: matrix)
        let graphBytes = (try? FileManager.default.attributesOfItem(atPath: graphPath)[.size] as? Int) ?? 0

        say("matrix: \(o.rows) x \(o.dim) float32 (\(o.rows * o.dim * 4 / 1_048_576) MiB); graph: M \(graph.m), M0 \(graph.m0), " +
              "efConstruction \(o.efConstruction), \(graph.maxLevel + 1) levels, \(graphBytes / 1_048_576) MiB (\(String(format: "%.1f", Double(graphBytes) / Double(o.rows))) bytes/row)")
        say(buildLine)
        if let file = o.questions {
            let session = HashEmbedder(dimension: o.dim).makeSession()
            let texts = try EvaluationSet.load(URL(fileURLWithPath: file)).questions.map(\.text)
            measure("eval questions", texts.map { session.embed([$0], dimension: o.dim) }, matrix, graph, efs: o.efs)
        }
        for kind in QueryKind.allCases where o.matrix == nil || kind == .row {
            measure(kind.rawValue, makeQueries(kind, count: o.queries, dim: o.dim, rows: o.rows, topical: o.topical, matrix: matrix), matrix, graph, efs: o.efs)
        }
    }

    enum QueryKind: String, CaseIterable {
        /// An opener and 3-4 of a chunk's rarer words: 5-8 tokens, so a vector with 5-8 non-zero dimensions.
        case question
        /// Half the words of a chunk's text: a dense vector like the stored ones (as any neural embedder gives).
        case passage
        /// A stored row itself (the usual setting of ANN benchmarks).
        case row
    }

    static func measure(_ kind: String, _ queries: [[Float]], _ matrix: NpyMatrix, _ graph: HNSWGraph, efs: [Int]) {
        // Ground truth and the exact scan's time (2 lanes, as `VectorSearch` runs on this machine).
        var exact: [[ScoredRow]] = []
        var exactTimes: [Double] = []
        for q in queries { _ = VectorSearch.topK(q, in: matrix, k: 10) }  // warm the page cache
        for q in queries {
            let start = DispatchTime.now()
            _ = VectorSearch.topK(q, in: matrix, k: 10)
            exactTimes.append(Bench.elapsed(since: start))
            exact.append(VectorSearch.topK(q, in: matrix, k: 200))
        }
        // How flat the top is: the flatter, the harder for any approximate search.
        func medianScore(_ rank: Int) -> String { String(format: "%.3f", exact.map { Double($0[rank].score) }.sorted()[exact.count / 2]) }
        say("\n\(kind) queries (\(queries.count)): exact scan k 10: p50 \(ms(percentile(exactTimes, 50))), p99 \(ms(percentile(exactTimes, 99)))" +
              "; median score of the 1st/2nd/10th/200th best \(medianScore(0))/\(medianScore(1))/\(medianScore(9))/\(medianScore(199))")
        for k in [10, 200] {
            for ef in (k == 10 ? efs : [200, 300, 400, 600, 800, 1200]) where ef >= k && k <= matrix.rows {
                var times: [Double] = []
                var found = 0, foundFirst = 0
                for q in queries { _ = ANNSearch.topK(q, in: matrix, graph: graph, k: k, ef: ef) }  // warm
                for (q, truth) in zip(queries, exact) {
                    let start = DispatchTime.now()
                    let hits = ANNSearch.topK(q, in: matrix, graph: graph, k: k, ef: ef)
                    times.append(Bench.elapsed(since: start))
                    found += Set(hits.map(\.row)).intersection(truth.prefix(k).map(\.row)).count
                    if hits.first?.row == truth[0].row { foundFirst += 1 }
                }
                // (No %@ with Swift strings: on Linux that can print garbage.)
                say(String(format: "ANN k %3d ef %4d: recall@%d %.3f, best row found %.2f   p50 %.3f ms, p99 %.3f ms", k, ef, k,
                           Double(found) / Double(queries.count * k), Double(foundFirst) / Double(queries.count),
                           1000 * percentile(times, 50), 1000 * percentile(times, 99)))
            }
        }
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.3f ms", 1000 * seconds) }

    /// Prints and flushes, so progress shows as it comes also when the output goes to a file.
    static func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    static func percentile(_ xs: [Double], _ p: Int) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[min(s.count - 1, s.count * p / 100)]
    }

    /// Chunks as a pack build cuts them: one-hour videos of ~3 s cues with 6-12 words (the words and skew of
    /// `SyntheticChannel`), 45 s windows every 30 s (120 per video), hash-embedded. Two threads, one per half.
    static func writeMatrix(rows: Int, dim: Int, topical: Double, to path: String) throws {
        var rng = SplitMix64(seed: 42)
        let vocabulary = SyntheticChannel.vocabulary(&rng, size: 20_000)
        let perVideo = 120
        let videos = (rows + perVideo - 1) / perVideo
        let values = UnsafeMutablePointer<Float>.allocate(capacity: rows * dim)
        defer { values.deallocate() }
        let output = UnsafeSendable(values)
        let lanes = 2
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let session = HashEmbedder(dimension: dim).makeSession()
            var row = [Float](repeating: 0, count: dim)
            for v in (videos * lane / lanes)..<(videos * (lane + 1) / lanes) {
                let cues = videoCues(v, vocabulary, topical: topical)
                for w in 0..<perVideo {
                    let r = v * perVideo + w
                    guard r < rows else { break }
                    let text = chunkText(cues, window: w)
                    for i in 0..<dim { row[i] = 0 }
                    session.embed(text, into: &row, at: 0)
                    row.withUnsafeBufferPointer { (output.pointer + r * dim).update(from: $0.baseAddress!, count: dim) }
                }
            }
        }
        let writer = try NpyWriter(path: path + ".tmp", columns: dim)
        let batch = 50_000
        for start in stride(from: 0, to: rows, by: batch) {
            let n = min(batch, rows - start)
            try writer.append(Array(UnsafeBufferPointer(start: values + start * dim, count: n * dim)))
        }
        try writer.finish()
        guard rename(path + ".tmp", path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Video `v`'s cues as (start ms, end ms, text): seeded by `v`, so any chunk's text can be made again.
    /// With `topical` > 0, that share of the words comes from the video's topic: one of 1000 topics, each 200
    /// words of the vocabulary's tail, picked with a skew (real talks repeat their subject's words, which makes
    /// real hash embeddings far less random than topic-free text).
    static func videoCues(_ v: Int, _ vocabulary: [String], topical: Double = 0) -> [(Int, Int, String)] {
        var rng = SplitMix64(seed: 1_000 + UInt64(v))
        var topicRNG = SplitMix64(seed: 100_000 + UInt64((v &* 7919) % 1000))
        let topic = (0..<200).map { _ in 300 + Int(topicRNG.next() % UInt64(vocabulary.count - 300)) }
        var cues: [(Int, Int, String)] = []
        var t = 500
        while t < 3_600_000 - 3000 {
            let length = 2000 + Int(rng.next() % 2500)
            let words = 6 + Int(rng.next() % 7)
            let text = (0..<words).map { _ -> String in
                // Skewed pick, as in `SyntheticChannel`: cubing a uniform number favours common words.
                let u = Double(rng.next() % 1_000_000) / 1_000_000
                if topical > 0 && Double(rng.next() % 1_000_000) / 1_000_000 < topical {
                    return vocabulary[topic[Int(u * u * Double(topic.count - 1))]]
                }
                return vocabulary[Int(u * u * u * Double(vocabulary.count - 1))]
            }.joined(separator: " ")
            cues.append((t, t + length, text))
            t += length + Int(rng.next() % 400)
        }
        return cues
    }

    /// The text of window `w` (45 s from w * 30 s): the cues that overlap it, joined.
    static func chunkText(_ cues: [(Int, Int, String)], window w: Int) -> String {
        let start = w * 30_000, end = start + 45_000
        return cues.filter { $0.1 > start && $0.0 < end }.map(\.2).joined(separator: " ")
    }

    /// Queries of `kind` about random chunks. Questions: an opener and three or four of the rarer words (past
    /// the 300 most common) of the chunk, as someone asking about that moment would. Passages: every other
    /// word of the chunk. Hash-embedded like a search's question.
    static func makeQueries(_ kind: QueryKind, count: Int, dim: Int, rows: Int, topical: Double, matrix: NpyMatrix? = nil) -> [[Float]] {
        var seed = SplitMix64(seed: 42)
        let vocabulary = SyntheticChannel.vocabulary(&seed, size: 20_000)
        let common = Set(vocabulary.prefix(300))
        let openers = ["what is", "how does", "why do we use", "explain", "when should i", "what about the"]
        let session = HashEmbedder(dimension: dim).makeSession()
        var rng = SplitMix64(seed: kind == .question ? 7 : 8)
        return (0..<count).map { _ in
            let row = Int(rng.next() % UInt64(rows))
            if kind == .row, let matrix { return Array(matrix.row(row)) }
            let words = chunkText(videoCues(row / 120, vocabulary, topical: topical), window: row % 120).split(separator: " ")
            let text: String
            switch kind {
            case .question:
                let rare = words.filter { !common.contains(String($0)) }
                var picked: [Substring] = []
                for _ in 0..<(3 + Int(rng.next() % 2)) where !rare.isEmpty { picked.append(rare[Int(rng.next() % UInt64(rare.count))]) }
                text = openers[Int(rng.next() % UInt64(openers.count))] + " " + picked.joined(separator: " ")
            case .passage, .row:
                text = words.enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: " ")
            }
            return session.embed([text], dimension: dim)
        }
    }
}

/// A pointer handed to the threads of a parallel loop, each writing its own rows.
struct UnsafeSendable: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
