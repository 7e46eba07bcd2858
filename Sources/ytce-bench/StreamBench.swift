import Foundation
import HTTPTestServer
import PackKit

/// `ytce-bench --stream`: how long a streamed token takes from the socket to `ytce pack ask --stream`'s stdout,
/// and how fast Ctrl-C frees the connection. A loopback server speaks llmhub's streaming protocol; the same
/// process reads the child's stdout, so both ends are timed on one clock.
enum StreamBench {
    static func run(ytce: String, work: URL, runs: Int) throws {
        let input = work.appendingPathComponent("input-stream")
        let pack = work.appendingPathComponent("stream.pack")
        if !FileManager.default.fileExists(atPath: pack.path) {
            try SyntheticChannel(videos: 10).write(to: input)
            let (_, _, status) = try Bench.runChild(ytce, ["pack", "build", "--quiet", "--input", input.path, "--out", pack.path])
            guard status == 0 else { print("build failed"); exit(1) }
        }
        let server = try HTTPTestServer()
        defer { server.stop() }
        let config = work.appendingPathComponent("stream-config.json")
        try Data(#"{"llm":{"backend":"llmhub","provider":"p","model":"m","extra":{"base_url":"\#(server.baseURL)"}}}"#.utf8).write(to: config)
        func delta(_ text: String) -> String { "event: chunk\ndata: {\"type\":\"delta\",\"textDelta\":\"\(text)\"}\n\n" }
        let arguments = ["pack", "ask", "--stream", "--pack", pack.path, "--cache-dir", work.appendingPathComponent("cache").path,
                         "--question", "what is the topic", "--config", config.path]

        var latencies: [Double] = []
        for _ in 0..<runs {
            server.route("POST", "/generate/stream", response: .eventStream(
                [(0.3, delta("First")), (0.05, delta(" token")), (0, "event: done\ndata: {}\n\n")]))
            let before = server.events.count
            let (firstByte, _) = try readChild(ytce, arguments)
            let sent = server.events.dropFirst(before).first { if case .sent = $0.kind { true } else { false } }
            guard let firstByte, let sent else { print("no streamed token seen"); exit(1) }
            latencies.append(milliseconds(firstByte - sent.at))
        }
        latencies.sort()
        print(String(format: "stream: first token socket → stdout %.2f ms median, %.2f ms max over %d runs (target ≤ 5 ms)",
                     latencies[latencies.count / 2], latencies.last ?? 0, latencies.count))

        // Ctrl-C mid-stream: from the signal to the server seeing the connection closed.
        server.route("POST", "/generate/stream", response: .eventStream([(0, delta("Stalling"))], then: .stall))
        let before = server.events.count
        let (process, out) = try start(ytce, arguments)
        _ = out.fileHandleForReading.availableData  // the first token arrived: the transfer is live
        let interrupted = ContinuousClock.now
        kill(process.processIdentifier, SIGINT)
        let connection = server.events.dropFirst(before).first { if case .request = $0.kind { true } else { false } }?.connection
        let closed = server.waitForEvent(timeout: 5) { $0.kind == .clientClosed && $0.connection == connection }
        process.waitUntilExit()
        if let closed {
            print(String(format: "stream: Ctrl-C → connection closed %.1f ms (exit status %d)", max(0, milliseconds(closed.at - interrupted)),
                         process.terminationStatus))
        } else {
            print("stream: the connection was not closed within 5 s of Ctrl-C")
        }
    }

    /// Starts the child with its stdout on a pipe and its stderr discarded.
    static func start(_ path: String, _ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, out)
    }

    static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    /// Runs the child, returning when its stdout first held bytes and everything it printed.
    static func readChild(_ path: String, _ arguments: [String]) throws -> (ContinuousClock.Instant?, String) {
        let (process, out) = try start(path, arguments)
        var first: ContinuousClock.Instant?
        var text = Data()
        let handle = out.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            if first == nil { first = ContinuousClock.now }
            text.append(chunk)
        }
        process.waitUntilExit()
        return (first, String(decoding: text, as: UTF8.self))
    }
}
