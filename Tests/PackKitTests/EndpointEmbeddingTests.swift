import Foundation
import HTTPTestServer
import XCTest
@testable import PackKit

/// `pack build --embedding openai`: chunk and section vectors from an OpenAI-compatible `/embeddings` server (a fake
/// on loopback speaking the wire format), in batches, several requests in flight, retried, cached, resumable.
final class EndpointEmbeddingTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
    }

    /// Six short videos (3 minutes each), distinct words per video.
    func writeChannel(_ folder: URL, videos: Int = 6, cues: Int = 60) throws {
        let ids = (0..<videos).map { String(format: "vid%08d", $0) }
        var transcripts: [String: String] = [:]
        for (i, id) in ids.enumerated() { transcripts["\(id).srt"] = TestSupport.srt(cues: cues, prefix: "v\(i)w") }
        try TestSupport.writeInput(at: folder, videos: ids.map { ($0, "") }, transcripts: transcripts)
    }

    func config(_ fake: FakeEmbeddings, batch: Int = 8, concurrency: Int = 4, cache: URL? = nil) throws -> PackConfig {
        let cachePath = (cache ?? dir.appendingPathComponent("embeddings.sqlite")).path
        return try PackConfig.parse(Data("""
            {"embedding": {"backend": "openai", "base_url": "\(fake.baseURL)", "model": "\(fake.model)",
                           "batch_size": \(batch), "concurrency": \(concurrency), "cache_path": "\(cachePath)"}}
            """.utf8), file: "config.json")
    }

    /// A server whose vectors are the hash embedder's: the pack must then hold the hash build's vectors.
    func hashMirror() throws -> FakeEmbeddings {
        try FakeEmbeddings(model: "hash-mirror", dimension: 384) { text in
            HashEmbedder(dimension: 384).makeSession().embed([text], dimension: 384)
        }
    }

    func testBuildGetsItsVectorsInBatchesWithSeveralRequestsInFlight() throws {
        let input = dir.appendingPathComponent("in")
        try writeChannel(input)
        let fake = try hashMirror()
        defer { fake.stop() }
        fake.latency = 0.05
        fake.answersInReverse = true  // the client must go by each embedding's index
        let output = dir.appendingPathComponent("remote.pack")
        let report = try PackBuilder(config: try config(fake)).build(input: input, output: output)
        _ = try PackBuilder().build(input: input, output: dir.appendingPathComponent("hash.pack"))

        let remote = try TestSupport.open(output.path, cacheIn: dir)
        let local = try TestSupport.open(dir.appendingPathComponent("hash.pack").path, cacheIn: dir)
        XCTAssertEqual(remote.manifest.embeddingModelID, "hash-mirror", "the manifest names the endpoint's model")
        XCTAssertEqual(remote.manifest.embeddingDim, 384, "and the dimension it answered with")
        XCTAssertEqual(remote.manifest.extra["embedding_backend"], .string("openai"))
        for (ours, theirs) in [(remote.chunkEmbeddings, local.chunkEmbeddings), (remote.sectionEmbeddings, local.sectionEmbeddings)] {
            let a = try XCTUnwrap(ours), b = try XCTUnwrap(theirs)
            XCTAssertEqual(a.rows, b.rows)
            let largest = zip(a.elements, b.elements).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(largest, 1e-5, "each row is the server's vector for that chunk or section")
        }
        let stats = try XCTUnwrap(report.embedding)
        XCTAssertEqual(stats.computed, fake.texts.count - 1, "every text sent was needed (the first request was the probe)")
        XCTAssertEqual(Set(fake.texts).count, fake.texts.count, "no text was sent twice")
        let bodies = fake.server.requests(to: "/v1/embeddings").dropFirst()
        XCTAssertTrue(bodies.allSatisfy { (try? JSONValue.parse(Data($0.body))["input"]?.arrayValue?.count).flatMap { $0 }.map { $0 <= 8 } ?? false },
                      "no request carries more than batch_size texts")
        XCTAssertGreaterThanOrEqual(fake.peakInFlight, 2, "several requests were in flight at once")
        XCTAssertLessThanOrEqual(fake.peakInFlight, 4, "never more than `concurrency`")
        XCTAssertTrue(report.summaryLine.contains("from the endpoint"), report.summaryLine)
    }

    func testRateLimitsAndServerErrorsAreRetriedHonouringRetryAfter() throws {
        let input = dir.appendingPathComponent("in")
        try writeChannel(input, videos: 2)
        let fake = try FakeEmbeddings()
        defer { fake.stop() }
        fake.inject(.rateLimited(retryAfter: 1))
        fake.inject(.serverError(503))
        fake.inject(.serverError(500))
        let started = Date()
        let report = try PackBuilder(config: try config(fake)).build(input: input, output: dir.appendingPathComponent("p.pack"))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1, "the 429's Retry-After (1 s) was waited for")
        XCTAssertEqual(fake.requestCount, fake.answeredCount + 3, "the three refused requests were sent again")
        XCTAssertEqual(report.embedding?.computed, fake.texts.count - 1)
    }

    func testASecondBuildTakesItsVectorsFromTheCacheAndAChangedVideoOnlyItsOwn() throws {
        let input = dir.appendingPathComponent("in")
        try writeChannel(input)
        let fake = try FakeEmbeddings()
        defer { fake.stop() }
        let settings = try config(fake)
        _ = try PackBuilder(config: settings).build(input: input, output: dir.appendingPathComponent("a.pack"))
        let first = fake.requestCount
        let again = try PackBuilder(config: settings).build(input: input, output: dir.appendingPathComponent("b.pack"))
        XCTAssertEqual(fake.requestCount, first, "nothing was asked the second time, not even the dimension")
        XCTAssertEqual(again.embedding?.computed, 0)
        XCTAssertEqual(again.embedding?.cached, again.chunks + again.sections)
        let a = try TestSupport.open(dir.appendingPathComponent("a.pack").path, cacheIn: dir)
        let b = try TestSupport.open(dir.appendingPathComponent("b.pack").path, cacheIn: dir)
        XCTAssertEqual(Array(try XCTUnwrap(b.chunkEmbeddings).elements), Array(try XCTUnwrap(a.chunkEmbeddings).elements),
                       "the cached vectors are the ones the endpoint gave")

        try Data(TestSupport.srt(cues: 60, prefix: "changed").utf8).write(to: input.appendingPathComponent("transcripts/vid00000003.srt"))
        let sent = fake.texts.count
        _ = try PackBuilder(config: settings).build(input: input, output: dir.appendingPathComponent("c.pack"))
        let new = fake.texts.dropFirst(sent)
        XCTAssertFalse(new.isEmpty)
        XCTAssertTrue(new.allSatisfy { $0.contains("changed") }, "only the changed video's texts were sent: \(new.filter { !$0.contains("changed") })")
    }

    func testAnEndpointThatKeepsFailingStopsTheBuildAndWritesNothing() throws {
        let input = dir.appendingPathComponent("in")
        try writeChannel(input, videos: 2)
        let fake = try FakeEmbeddings()
        defer { fake.stop() }
        fake.maxBatch = 4
        let output = dir.appendingPathComponent("p.pack")
        XCTAssertThrowsError(try PackBuilder(config: try config(fake, batch: 8)).build(input: input, output: output)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("HTTP 400") && message.contains("too many inputs"), message)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))

        fake.apiKey = "sk-right"
        var environment = ProcessInfo.processInfo.environment
        environment["OPENAI_API_KEY"] = "sk-wrong"
        var builder = PackBuilder(config: try config(fake, cache: dir.appendingPathComponent("other.sqlite")))
        builder.environment = environment
        XCTAssertThrowsError(try builder.build(input: input, output: output)) { error in
            XCTAssertTrue("\(error)".contains("HTTP 401") && "\(error)".contains("API key"), "\(error)")
            XCTAssertFalse("\(error)".contains("sk-wrong"), "the key is never shown")
        }
    }

    /// A real `ytce pack build` killed (SIGKILL) while requests are outstanding, then run again: every vector the
    /// endpoint answered before the kill comes from the cache; only the rest is asked for.
    func testAKilledBuildResumesWithoutAskingForAnsweredVectorsAgain() throws {
        let ytce = try TestSupport.ytceBinary()
        let input = dir.appendingPathComponent("in")
        try writeChannel(input, videos: 12)
        let cache = dir.appendingPathComponent("embeddings.sqlite")
        let output = dir.appendingPathComponent("p.pack")
        func configFile(_ fake: FakeEmbeddings) throws -> String {
            let path = dir.appendingPathComponent("config-\(fake.server.port).json")
            try Data("""
                {"embedding": {"backend": "openai", "base_url": "\(fake.baseURL)", "model": "\(fake.model)",
                               "batch_size": 4, "concurrency": 2, "cache_path": "\(cache.path)"}}
                """.utf8).write(to: path)
            return path.path
        }
        let first = try FakeEmbeddings()
        first.stall(afterAnswering: 7)  // the probe and six batches, then nothing more is answered
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ytce)
        process.arguments = ["pack", "build", "--quiet", "--input", input.path, "--out", output.path, "--embedding", "openai",
                             "--config", try configFile(first)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the answered vectors are committed to the cache, then kill the build mid-flight.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let stored = (try? EmbeddingCache(path: cache.path).count()) ?? 0
            if first.answeredCount == 7 && stored == Set(first.texts).count { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(first.answeredCount, 7)
        XCTAssertGreaterThan(first.requestCount, 7, "requests were outstanding when the build was killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        first.stop()
        let answered = Set(first.texts)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "a killed build writes no pack")

        let second = try FakeEmbeddings()
        defer { second.stop() }
        let result = try TestSupport.run(ytce, ["pack", "build", "--quiet", "--input", input.path, "--out", output.path,
                                                "--embedding", "openai", "--config", try configFile(second)])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("from the cache"), result.stdout)
        XCTAssertTrue(answered.isDisjoint(with: second.texts), "no vector answered before the kill was asked for again")
        XCTAssertEqual(Set(second.texts).count, second.texts.count, "nor anything twice")
        let pack = try TestSupport.open(output.path, cacheIn: dir)
        XCTAssertEqual(pack.chunkEmbeddings?.rows, pack.counts.chunks)
    }

    /// Questions to a pack built on an endpoint are embedded by the same endpoint (`pack search --config`).
    func testQuestionsOfAnEndpointPackAreEmbeddedByTheSameEndpoint() throws {
        let ytce = try TestSupport.ytceBinary()
        let input = dir.appendingPathComponent("in")
        try writeChannel(input, videos: 2)
        let fake = try FakeEmbeddings(model: "org/some-embedder", dimension: 32)
        defer { fake.stop() }
        let configPath = dir.appendingPathComponent("c.json")
        try Data("""
            {"embedding": {"backend": "openai", "base_url": "\(fake.baseURL)", "model": "org/some-embedder",
                           "cache_path": "\(dir.appendingPathComponent("e.sqlite").path)"}}
            """.utf8).write(to: configPath)
        let output = dir.appendingPathComponent("p.pack")
        let built = try TestSupport.run(ytce, ["pack", "build", "--quiet", "--input", input.path, "--out", output.path,
                                               "--embedding", "openai", "--config", configPath.path])
        XCTAssertEqual(built.status, 0, built.stderr)
        var environment = ProcessInfo.processInfo.environment
        environment["YTCE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
        let search = try TestSupport.run(ytce, ["pack", "search", "--pack", output.path, "--question", "v1w7 topic", "--json",
                                                "--config", configPath.path], environment: environment)
        XCTAssertEqual(search.status, 0, search.stderr)
        XCTAssertEqual(fake.texts.last, "v1w7 topic", "the question went to the endpoint")
        XCTAssertFalse(search.stderr.contains("lexical search only"), search.stderr)
        let hits = try XCTUnwrap(JSONValue.parse(Data(search.stdout.utf8))["hits"]?.arrayValue)
        XCTAssertEqual(hits.first?["video_id"]?.stringValue, "vid00000001")
    }
}
