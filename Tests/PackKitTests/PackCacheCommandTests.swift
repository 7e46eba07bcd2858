import Foundation
import XCTest
@testable import PackKit

/// `ytce pack compact` and `ytce cache list|prune` as a user runs them, and the config's `cache.max_bytes`: a
/// deflated pack goes through the cache (and is listed there), a stored one is read in place (and is not).
final class PackCacheCommandTests: XCTestCase {
    var dir: URL!
    var ytce: String!
    let sample = TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
        ytce = try TestSupport.ytceBinary()
    }

    var cacheDirectory: URL { dir.appendingPathComponent("cache") }

    func run(_ arguments: [String], cacheMegabytes: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["YTCE_CACHE_DIR"] = cacheDirectory.path
        environment["YTCE_CACHE_MAX_MB"] = cacheMegabytes
        return try TestSupport.run(ytce, arguments, environment: environment)
    }

    func size(_ path: String) throws -> Int64 {
        try XCTUnwrap((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value)
    }

    func testCompactDeflatesAndStoredReadsInPlaceAgain() throws {
        let small = dir.appendingPathComponent("small.pack").path
        let compacted = try run(["pack", "compact", sample, "--out", small])
        XCTAssertEqual(compacted.status, 0, compacted.stderr)
        XCTAssertTrue(compacted.stdout.hasPrefix("\(small): "), compacted.stdout)
        XCTAssertLessThan(try size(small), try size(sample) / 2, "deflated, the sample shrinks by more than half")

        // The deflated pack answers the same, but through the cache, where `cache list` shows it.
        let info = try run(["pack", "info", "--pack", small, "--json"])
        XCTAssertEqual(info.status, 0, info.stderr)
        XCTAssertEqual(try JSONValue.parse(Data(info.stdout.utf8))["counts"]?["videos"]?.intValue, 5)
        let listed = try run(["cache", "list", "--json"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let entries = try XCTUnwrap(try JSONValue.parse(Data(listed.stdout.utf8))["entries"]?.arrayValue)
        XCTAssertEqual(entries.compactMap { $0["kind"]?.stringValue }, ["unpacked"])
        XCTAssertEqual(entries.first?["pack"]?.stringValue, small)

        // Back to stored: read in place, nothing more in the cache.
        let stored = dir.appendingPathComponent("stored.pack").path
        XCTAssertEqual(try run(["pack", "compact", small, "--stored", "--out", stored]).status, 0)
        let pack = try ChannelPack.open(stored, options: .init(cache: PackCache(directory: dir.appendingPathComponent("other"))))
        XCTAssertTrue(pack.files.isReadInPlace)
        XCTAssertEqual(pack.counts.videos, 5)

        let pruned = try run(["cache", "prune", "--all"])
        XCTAssertEqual(pruned.status, 0, pruned.stderr)
        XCTAssertTrue(pruned.stdout.contains("removed \(small) (unpacked"), pruned.stdout)
        XCTAssertEqual(PackCache(directory: cacheDirectory).list().count, 0)

        // Compacted over itself, the size it had is the one before the rewrite ("was 3.6 KiB, 100%" before).
        let copy = dir.appendingPathComponent("copy.pack").path
        try FileManager.default.copyItem(atPath: sample, toPath: copy)
        let inPlace = try run(["pack", "compact", copy])
        XCTAssertEqual(inPlace.status, 0, inPlace.stderr)
        XCTAssertTrue(inPlace.stdout.hasPrefix("\(copy): "), inPlace.stdout)
        XCTAssertFalse(inPlace.stdout.contains(", 100%)"), inPlace.stdout)
        XCTAssertLessThan(try size(copy), try size(sample) / 2)

        let bad = try run(["cache", "prune", "--to", "lots"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertEqual(bad.stderr, "ytce: --to 'lots' is not a size (like 500M, 2G or 1048576)\n")
        XCTAssertNotEqual(try run(["pack", "compact", dir.appendingPathComponent("missing.pack").path]).status, 0)
    }

    func testTheConfigCapsTheCacheLeastRecentlyUsedFirst() throws {
        // Two deflated packs of different content (compacted with a cache of their own); the second is the shared
        // demo channel, looked up first so that without ../shared the test is skipped rather than failed.
        let demo = try TestSupport.referencePack("demo_channel.pack")
        let scratch = dir.appendingPathComponent("scratch").path
        let first = dir.appendingPathComponent("a.pack").path
        let other = dir.appendingPathComponent("other.pack").path
        XCTAssertEqual(try run(["pack", "compact", sample, "--out", first, "--cache-dir", scratch]).status, 0)
        XCTAssertEqual(try run(["pack", "compact", demo, "--out", other,
                                "--cache-dir", scratch]).status, 0)
        XCTAssertEqual(try run(["pack", "search", "--pack", first, "--question", "espresso"]).status, 0)
        XCTAssertEqual(PackCache(directory: cacheDirectory).list().compactMap(\.info?.pack), [first])

        // A cap of one byte keeps only the entry just made: the older one is evicted.
        let config = dir.appendingPathComponent("config.json")
        try Data(#"{"cache": {"max_bytes": 1}}"#.utf8).write(to: config)
        let asked = try run(["pack", "search", "--pack", other, "--question", "espresso", "--config", config.path])
        XCTAssertEqual(asked.status, 0, asked.stderr)
        XCTAssertEqual(PackCache(directory: cacheDirectory).list().compactMap(\.info?.pack), [other])

        try Data(#"{"cache": {"max_bytes": -5}}"#.utf8).write(to: config)
        let refused = try run(["pack", "search", "--pack", first, "--question", "espresso", "--config", config.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("cache.max_bytes"), refused.stderr)
        try Data(#"{"cache": {"size": 5}}"#.utf8).write(to: config)
        XCTAssertTrue(try run(["cache", "list", "--config", config.path]).stderr.contains("unknown key 'cache.size'"))
    }

    /// A cache size in the environment that is not a size stops the command with a line naming it.
    func testAnUnreadableCacheSizeIsSaid() throws {
        let asked = try run(["pack", "info", "--pack", sample], cacheMegabytes: "4GB")
        XCTAssertEqual(asked.status, 1)
        XCTAssertEqual(asked.stderr, "ytce: YTCE_CACHE_MAX_MB=4GB: the cache size must be a whole number of MiB from 0 to 1073741824\n")
        XCTAssertEqual(try run(["pack", "info", "--pack", sample], cacheMegabytes: "64").status, 0)
    }
}
