import Foundation
import HTTPTestServer

/// `ytce-bench --embeddings [--videos N] [--latency S] [--batch N] [--concurrency 1,2,4,8,16]`: `ytce pack build
/// --embedding openai` (the release binary, a child process) against a loopback OpenAI-compatible `/embeddings`
/// server that answers every request in a fixed time (default 200 ms per batch of 64, whatever the batch), once per
/// number of requests in flight. Prints vectors per second against the server's ceiling (in flight × batch /
/// latency), requests and how full they were; then the same build again with the cache warm (no request at all).
enum EmbeddingsBench {
    static func run(ytce: String, work: URL, arguments: [String]) throws {
        var videos = 40, latency = 0.2, batch = 64
        var levels = [1, 2, 4, 8, 16]
        var args = arguments[...]
        while let arg = args.popFirst() {
            switch arg {
            case "--videos": videos = Int(args.popFirst() ?? "") ?? videos
            case "--latency": latency = Double(args.popFirst() ?? "") ?? latency
            case "--batch": batch = Int(args.popFirst() ?? "") ?? batch
            case "--concurrency": levels = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
            default:
                print("usage: ytce-bench --embeddings [--videos N] [--latency SECONDS] [--batch N] [--concurrency 1,2,4,8,16]")
                exit(2)
            }
        }
        let dir = work.appendingPathComponent("embeddings-bench")
        let input = work.appendingPathComponent("input-\(videos)")
        if !FileManager.default.fileExists(atPath: input.appendingPathComponent("videos.json").path) {
            print("writing synthetic channel: \(videos) videos × 1 h …")
            try SyntheticChannel(videos: videos).write(to: input)
        }
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        print(String(format: "server: %.0f ms per request of up to %d texts; %d videos × 1 h", latency * 1000, batch, videos))
        print("in flight   wall s   vectors   requests  fill   vectors/s   ceiling/s   of ceiling")
        var last: (config: String, output: String, vectors: Int)?
        for level in levels {
            let fake = try FakeEmbeddings(model: "bench-embedder", dimension: 384)
            defer { fake.stop() }
            fake.latency = latency
            let cache = dir.appendingPathComponent("cache-\(level).sqlite").path
            let config = dir.appendingPathComponent("config-\(level).json").path
            try Data("""
                {"embedding": {"backend": "openai", "base_url": "\(fake.baseURL)", "model": "bench-embedder",
                               "batch_size": \(batch), "concurrency": \(level), "cache_path": "\(cache)"}}
                """.utf8).write(to: URL(fileURLWithPath: config))
            let output = dir.appendingPathComponent("p-\(level).pack").path
            let (seconds, _, status) = try Bench.runChild(ytce, ["pack", "build", "--quiet", "--input", input.path, "--out", output,
                                                                 "--embedding", "openai", "--config", config], discardOutput: true)
            guard status == 0 else { print("build failed (status \(status))"); exit(1) }
            // The probe request (the model's dimension) is left out of the throughput.
            let vectors = fake.texts.count - 1, requests = fake.answeredCount - 1
            let ceiling = Double(level * batch) / latency
            print(String(format: "%9d %8.2f %9d %10d %5.0f%% %11.0f %11.0f %11.0f%%", level, seconds, vectors, requests,
                         100 * Double(vectors) / Double(max(1, requests * batch)), Double(vectors) / seconds, ceiling,
                         100 * Double(vectors) / seconds / ceiling))
            last = (config, output, vectors)
        }
        guard let last else { return }
        // The same build again: every vector is in the cache, the server is not asked (it is not even running).
        try? FileManager.default.removeItem(atPath: last.output)
        let (seconds, _, status) = try Bench.runChild(ytce, ["pack", "build", "--quiet", "--input", input.path, "--out", last.output,
                                                             "--embedding", "openai", "--config", last.config], discardOutput: true)
        print(String(format: "again with the cache warm (server stopped): %.2f s, %@", seconds,
                     status == 0 ? "no request" : "FAILED (status \(status))"))
    }
}
