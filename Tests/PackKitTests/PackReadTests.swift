import Foundation
import XCTest
@testable import PackKit

/// ytce opens every pack the reference tool built, and its cache behaves.
final class PackReadTests: XCTestCase {
    func testOpensEveryReadableReferencePack() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let expected: [String: (videos: Int, segments: Int, chunks: Int, model: String)] = [
            "demo_channel.pack": (2, 7, 11, "hash-384"),
            "py4e.pack": (93, 20775, 1857, "hash-384"),
            "hf-course.pack": (82, 6606, 644, "hash-384"),
            "py4e.minilm.pack": (93, 20775, 1857, "sentence-transformers/all-MiniLM-L6-v2"),
        ]
        for (name, want) in expected {
            let pack = try TestSupport.open(try TestSupport.referencePack(name), cacheIn: dir)
            XCTAssertEqual(pack.counts.videos, want.videos, name)
            XCTAssertEqual(pack.counts.segments, want.segments, name)
            XCTAssertEqual(pack.counts.chunks, want.chunks, name)
            XCTAssertEqual(pack.manifest.embeddingModelID, want.model, name)
            XCTAssertEqual(pack.chunkEmbeddings?.rows, want.chunks, name)
            XCTAssertEqual(pack.chunkEmbeddings?.columns, 384, name)
            XCTAssertEqual(pack.sectionEmbeddings?.rows, pack.counts.sections, name)
            XCTAssertTrue(pack.wasExtracted)
        }
    }

    func testReferenceVectorsReadAsTheyWereWritten() throws {
        // Row 0 of the demo pack's chunk matrix is the hash embedding of chunk 1's text.
        let dir = TestSupport.temporaryDirectory(self)
        let pack = try TestSupport.open(try TestSupport.referencePack("demo_channel.pack"), cacheIn: dir)
        let text = try XCTUnwrap(try pack.database.strings("SELECT text FROM micro_chunk ORDER BY chunk_id LIMIT 1").first)
        let expected = HashEmbedder().makeSession().embed([text], dimension: 384)
        XCTAssertEqual(Array(try XCTUnwrap(pack.chunkEmbeddings).row(0)), expected)
    }

    func testAsShippedReferencePackIsExplainedInOneLine() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let message = TestSupport.assertOpenFails(try TestSupport.referencePack("demo_channel.as-shipped.pack"),
                                                  cacheIn: dir, kind: .emptyDatabase)
        XCTAssertTrue(message.contains("WAL"), message)
        XCTAssertTrue(message.contains("no tables"), message)
        // A bad pack never enters the cache.
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("cache").path)) ?? []
        XCTAssertEqual(cached.filter { !$0.hasPrefix(".") }, [])
    }

    func testSecondOpenIsACacheHitAndAChangedPackIsNot() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let copy = dir.appendingPathComponent("demo.pack")
        try FileManager.default.copyItem(atPath: try TestSupport.referencePack("demo_channel.pack"), toPath: copy.path)
        let first = try TestSupport.open(copy.path, cacheIn: dir)
        XCTAssertTrue(first.wasExtracted)
        let second = try TestSupport.open(copy.path, cacheIn: dir)
        XCTAssertFalse(second.wasExtracted)
        XCTAssertEqual(first.root, second.root)
        // Same content under another name: same cache entry.
        let renamed = dir.appendingPathComponent("renamed.pack")
        try FileManager.default.copyItem(at: copy, to: renamed)
        XCTAssertFalse(try TestSupport.open(renamed.path, cacheIn: dir).wasExtracted)
        // Different content: a new entry.
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(atPath: try TestSupport.referencePack("hf-course.pack"), toPath: copy.path)
        let third = try TestSupport.open(copy.path, cacheIn: dir)
        XCTAssertTrue(third.wasExtracted)
        XCTAssertNotEqual(third.root, first.root)
    }

    func testOpensAnUnpackedFolder() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let cached = try TestSupport.open(try TestSupport.referencePack("hf-course.pack"), cacheIn: dir)
        let folder = dir.appendingPathComponent("hf-course")
        try FileManager.default.copyItem(at: try XCTUnwrap(cached.root), to: folder)
        let pack = try TestSupport.open(folder.path, cacheIn: dir)
        XCTAssertEqual(pack.root?.standardizedFileURL.path, folder.standardizedFileURL.path)
        XCTAssertEqual(pack.counts.chunks, 644)
        XCTAssertFalse(pack.wasExtracted)
    }

    func testConcurrentOpensOfTheSamePackAllSucceed() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let path = try TestSupport.referencePack("py4e.pack")
        let cache = TestSupport.cache(in: dir)
        let results = ResultSlots<String>(count: 6)
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            do {
                let pack = try ChannelPack.open(path, options: .init(cache: cache))
                results.set(i, "\(pack.counts.chunks) \(pack.root?.lastPathComponent ?? "in place")")
            } catch {
                results.set(i, "error: \(error)")
            }
        }
        let values = results.values()
        XCTAssertEqual(values.count, 6)
        XCTAssertEqual(Set(values).count, 1, "\(values)")
        XCTAssertTrue(values[0].hasPrefix("1857 "), values[0])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache.directory.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary unpack folders must not be left behind")
    }

    func testCacheEvictsLeastRecentlyUsedEntries() throws {
        let dir = TestSupport.temporaryDirectory(self)
        // Room for about one py4e pack (~7 MB unpacked) but not two.
        let cache = PackCache(directory: dir.appendingPathComponent("cache"), maxBytes: 9 << 20)
        let demo = try ChannelPack.open(try TestSupport.referencePack("demo_channel.pack"), options: .init(cache: cache))
        let py4e = try ChannelPack.open(try TestSupport.referencePack("py4e.pack"), options: .init(cache: cache))
        XCTAssertTrue(FileManager.default.fileExists(atPath: try XCTUnwrap(demo.root).path), "small entries fit together")
        let minilm = try ChannelPack.open(try TestSupport.referencePack("py4e.minilm.pack"), options: .init(cache: cache))
        XCTAssertFalse(FileManager.default.fileExists(atPath: try XCTUnwrap(demo.root).path), "oldest entry evicted")
        XCTAssertFalse(FileManager.default.fileExists(atPath: try XCTUnwrap(py4e.root).path), "older entry evicted")
        XCTAssertTrue(FileManager.default.fileExists(atPath: try XCTUnwrap(minilm.root).path), "the entry just opened stays")
        // An evicted pack that is still open keeps working (its files stay alive while mapped/open).
        XCTAssertEqual(py4e.chunkEmbeddings?.row(5).count, 384)
        XCTAssertEqual(try py4e.database.scalarInt("SELECT count(*) FROM micro_chunk"), 1857)
    }

    func testInfoListsWhatIsMissing() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let info = PackInfo(try TestSupport.open(try TestSupport.referencePack("py4e.pack"), cacheIn: dir))
        XCTAssertTrue(info.missing.contains { $0.contains("summaries") }, "\(info.missing)")
        // The lexical documents stay in the archive (ytce indexes the database) but count as present.
        XCTAssertTrue(info.hasBM25Docs)
        XCTAssertFalse(info.missing.contains { $0.contains("bm25") })
        XCTAssertFalse(FileManager.default.fileExists(atPath: URL(fileURLWithPath: try XCTUnwrap(info.cacheRoot)).appendingPathComponent(PackLayout.bm25Docs).path))
        let json = try JSONValue.parse(Data(info.json().utf8))
        XCTAssertEqual(json["counts"]?["chunks"]?.intValue, 1857)
        XCTAssertEqual(json["manifest"]?["embedding_model_id"]?.stringValue, "hash-384")
        XCTAssertTrue(info.text().contains("Python for Everybody"))
    }
}
