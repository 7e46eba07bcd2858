import Foundation
import HTTPKit
@testable import JobKit
@testable import PackKit
import HTTPTestServer
import TestHarness
import XCTest

/// `s3://` packs through the cache, against the moto server (signatures checked): fetched once, not again while
/// the ETag is the same, again when it changes; a killed download resumes and leaves nothing published; and
/// `putFile` uploads in parts. The pack is the bundled sample (coffee-lab, made for ytce's tests).
final class RemotePackTests: XCTestCase {
    override class func setUp() {
        super.setUp()
        MotoServer.shared.start()
    }

    override class func tearDown() {
        MotoServer.shared.stop()
        super.tearDown()
    }

    private var client: S3Client!
    private var endpoint = ""
    private var dir: URL!
    private let sample = TestSupportPaths.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack")

    override func setUpWithError() throws {
        switch MotoServer.shared.state {
        case .running(let endpoint, let keyID, let secret):
            self.endpoint = endpoint
            client = try S3Client.fromEnvironment(["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret,
                                                   "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint],
                                                  http: HTTPClient(proxy: .none))
        case .skipped(let reason):
            throw XCTSkip(reason)
        case .failed(let reason):
            XCTFail(reason)
            throw XCTSkip("moto server unavailable: \(reason)")
        case .notStarted:
            throw XCTSkip("moto server not started")
        }
        try MotoServer.shared.setSignatureChecks(true)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-remote-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    private func makeBucket() async throws -> String {
        let name = "packs-\(UUID().uuidString.prefix(8).lowercased())"
        var request = HTTPRequest(method: .put, url: "\(endpoint)/\(name)")
        request.headers.add("x-amz-content-sha256", S3Client.emptyPayloadHash)
        request.awsSigV4 = client.makeRequest(.put, bucket: name, key: nil).awsSigV4
        _ = try await client.http.send(request)
        return name
    }

    private final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [(Int64, Int64)] = []
        func add(_ done: Int64, _ total: Int64) { lock.lock(); values.append((done, total)); lock.unlock() }
        var all: [(Int64, Int64)] { lock.lock(); defer { lock.unlock() }; return values }
    }

    func testAnUnchangedPackIsNotFetchedAgainAndAChangedOneIs() async throws {
        let bucket = try await makeBucket()
        let location = try S3Location(parsing: "s3://\(bucket)/packs/coffee.pack")
        try await client.putFile(sample.path, to: location)
        let cache = PackCache(directory: dir.appendingPathComponent("cache"))
        var remote = RemotePack(client: client, cache: cache)
        remote.rangeBytes = 100_000  // several ranged reads for the 0.5 MB sample

        let calls = Calls()
        let first = try await remote.fetch(location, progress: { calls.add($0, $1) })
        let size = try XCTUnwrap((try FileManager.default.attributesOfItem(atPath: sample.path)[.size] as? NSNumber)?.int64Value)
        XCTAssertEqual(first.outcome, .downloaded(bytes: size, resumedFrom: 0))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: first.path)), try Data(contentsOf: sample))
        XCTAssertGreaterThan(calls.all.count, 5, "a progress call per range")
        XCTAssertEqual(calls.all.last?.0, size)
        // It opens where it lies, like any ytce pack, and the cache lists it by its S3 name.
        let pack = try ChannelPack.open(first.path, options: .init(cache: cache))
        XCTAssertTrue(pack.files.isReadInPlace)
        XCTAssertEqual(cache.list().compactMap(\.info), [PackCache.Info(kind: .download, pack: location.description)])

        let again = Calls()
        let second = try await remote.fetch(location, progress: { again.add($0, $1) })
        XCTAssertEqual(second.outcome, .unchanged)
        XCTAssertEqual(second.path, first.path)
        XCTAssertTrue(again.all.isEmpty, "nothing downloaded")

        // A new version (other bytes, another ETag) replaces the copy.
        var changed = try Data(contentsOf: sample)
        changed.append(contentsOf: [UInt8](repeating: 0, count: 10))
        _ = try await client.putObject(location, body: [UInt8](changed))
        let third = try await remote.fetch(location)
        XCTAssertEqual(third.outcome, .downloaded(bytes: size + 10, resumedFrom: 0))
        XCTAssertNotEqual(third.etag, first.etag)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: third.path)), changed)
        XCTAssertEqual(cache.list().count, 1, "the old version is gone")
    }

    func testAKilledDownloadPublishesNothingAndResumes() async throws {
        let bucket = try await makeBucket()
        let location = try S3Location(parsing: "s3://\(bucket)/channel.pack")
        try await client.putFile(sample.path, to: location)
        let cache = PackCache(directory: dir.appendingPathComponent("cache"))
        let head = try await client.headObject(location)
        let bytes = [UInt8](try Data(contentsOf: sample))
        XCTAssertEqual(head.size, bytes.count)

        // A download that got 200,000 bytes in and died (the partial download is dropped unpublished).
        do {
            let partial = try XCTUnwrap(try cache.beginDownload(of: location.description, etag: head.etag, size: Int64(head.size)))
            try partial.append(Array(bytes[0..<200_000]))
        }
        XCTAssertNil(cache.cachedCopy(of: location.description), "nothing half-written is published")
        XCTAssertTrue(cache.list().isEmpty)

        var remote = RemotePack(client: client, cache: cache)
        remote.rangeBytes = 150_000
        let fetched = try await remote.fetch(location)
        XCTAssertEqual(fetched.outcome, .downloaded(bytes: Int64(bytes.count - 200_000), resumedFrom: 200_000))
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: fetched.path))), bytes)
        XCTAssertNoThrow(try ChannelPack.open(fetched.path, options: .init(cache: cache)))

        // A partial download of a version that is no longer there starts over.
        let other = try S3Location(parsing: "s3://\(bucket)/other.pack")
        try await client.putFile(sample.path, to: other)
        do {
            let stale = try XCTUnwrap(try cache.beginDownload(of: other.description, etag: "0123", size: Int64(bytes.count)))
            try stale.append([UInt8](repeating: 7, count: 1000))
        }
        let fresh = try await remote.fetch(other)
        XCTAssertEqual(fresh.outcome, .downloaded(bytes: Int64(bytes.count), resumedFrom: 0))
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: fresh.path))), bytes)

        // `cache prune --all` drops a partial download, but never one a process is writing.
        let third = try S3Location(parsing: "s3://\(bucket)/third.pack")
        do {
            let writing = try XCTUnwrap(try cache.beginDownload(of: third.description, etag: "abc", size: 10))
            XCTAssertEqual(cache.removePartialDownloads(), 0)
            try writing.append([1, 2, 3])
        }
        XCTAssertEqual(cache.removePartialDownloads(), 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.directory.path).filter { $0.hasPrefix(".part") }, [])
    }

    func testACachedCopyServesWhenS3DoesNotAnswerAndAMissingPackIsAnError() async throws {
        let bucket = try await makeBucket()
        let location = try S3Location(parsing: "s3://\(bucket)/p.pack")
        try await client.putFile(sample.path, to: location)
        let cache = PackCache(directory: dir.appendingPathComponent("cache"))
        let fetched = try await RemotePack(client: client, cache: cache).fetch(location)

        // Nothing listens on this port any more.
        let closed = try HTTPTestServer()
        let port = closed.port
        closed.stop()
        var unreachable = S3Client(configuration: S3Configuration(accessKeyID: "k", secretAccessKey: "s", endpoint: "http://127.0.0.1:\(port)"),
                               http: HTTPClient(proxy: .none))
        unreachable.retryPolicy = .none
        let offline = try await RemotePack(client: unreachable, cache: cache).fetch(location)
        guard case .offline = offline.outcome else { return XCTFail("expected the cached copy, got \(offline.outcome)") }
        XCTAssertEqual(offline.path, fetched.path)

        do {
            _ = try await RemotePack(client: client, cache: cache).fetch(try S3Location(parsing: "s3://\(bucket)/missing.pack"))
            XCTFail("a missing pack was fetched")
        } catch let error as RemotePackError {
            XCTAssertEqual(error.s3?.kind, .noSuchKey, error.description)
            XCTAssertTrue(error.description.contains("missing.pack"), error.description)
        }
    }

    /// The whole way a user goes: push, then `pack info --pack s3://…` twice (the second opens the cached copy
    /// without downloading), then pull to a file.
    func testTheCommandLinePushesOpensAndPulls() async throws {
        let ytce = try JobCrashTests.ytce()
        let bucket = try await makeBucket()
        guard case .running(_, let keyID, let secret) = MotoServer.shared.state else { return XCTFail("moto stopped") }
        var environment = ProcessInfo.processInfo.environment
        environment.merge(["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "us-east-1",
                           "AWS_ENDPOINT_URL": endpoint, "YTCE_CACHE_DIR": dir.appendingPathComponent("cache").path]) { $1 }
        environment["AWS_SESSION_TOKEN"] = nil
        let pushed = try JobCrashTests.run(ytce, ["pack", "push", sample.path, "s3://\(bucket)/packs/"], environment: environment)
        XCTAssertEqual(pushed.status, 0, pushed.stderr)
        let remote = "s3://\(bucket)/packs/coffee-lab.pack"
        XCTAssertEqual(pushed.stdout, remote + "\n", "named by its channel id")

        let first = try JobCrashTests.run(ytce, ["pack", "info", "--pack", remote, "--json"], environment: environment)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.hasPrefix("ytce: fetched \(remote): "), first.stderr)
        XCTAssertEqual(try JSONValue.parse(Data(first.stdout.utf8))["counts"]?["videos"]?.intValue, 5)
        let second = try JobCrashTests.run(ytce, ["pack", "info", "--pack", remote], environment: environment)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.stderr, "", "unchanged: nothing fetched")

        let out = dir.appendingPathComponent("pulled.pack").path
        let pulled = try JobCrashTests.run(ytce, ["pack", "pull", remote, "--out", out], environment: environment)
        XCTAssertEqual(pulled.status, 0, pulled.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), try Data(contentsOf: sample))

        let missing = try JobCrashTests.run(ytce, ["pack", "info", "--pack", "s3://\(bucket)/packs/none.pack"], environment: environment)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("ytce: S3 object s3://\(bucket)/packs/none.pack does not exist"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1)
    }

    func testLargeFilesGoUpInParts() async throws {
        let bucket = try await makeBucket()
        let location = try S3Location(parsing: "s3://\(bucket)/big.bin")
        var generator = SplitMix64(seed: 18)
        let words = (0..<(S3Client.multipartPartBytes + 300_000) / 8).map { _ in generator.next() }
        let bytes = words.withUnsafeBytes { [UInt8]($0) }
        let file = dir.appendingPathComponent("big.bin")
        try Data(bytes).write(to: file)
        let calls = Calls()
        try await client.putFile(file.path, to: location, progress: { calls.add($0, $1) })
        XCTAssertEqual(calls.all.map(\.0), [0, Int64(S3Client.multipartPartBytes), Int64(bytes.count)], "two parts")
        let stored = try await client.getObject(location)
        XCTAssertEqual(stored, bytes)
    }
}
