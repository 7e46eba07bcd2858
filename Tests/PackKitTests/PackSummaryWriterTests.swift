import Foundation
import XCTest
@testable import PackKit

/// A summary attached to a pack lands in its `summary` table by an atomic rewrite; a failure changes nothing.
final class PackSummaryWriterTests: XCTestCase {
    func testAttachRewritesThePackAndAFailureLeavesItAlone() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let pack = dir.appendingPathComponent("coffee.pack")
        try FileManager.default.copyItem(at: TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack"), to: pack)
        let before = try TestSupport.open(pack.path, cacheIn: dir)
        let video = try XCTUnwrap(try before.database.strings("SELECT video_id FROM video ORDER BY video_id").first)
        XCTAssertEqual(before.counts.summaries, 0)

        try PackSummaryWriter.attach("First draft.", videoID: video, to: pack.path)
        try PackSummaryWriter.attach("The summary, with an ümlaut.", videoID: video, to: pack.path)
        let after = try TestSupport.open(pack.path, cacheIn: dir)
        XCTAssertEqual(after.counts.summaries, 1, "a newer summary of the same kind replaces the older")
        XCTAssertEqual(try after.database.strings("SELECT text FROM summary WHERE video_id = '\(video)' AND kind = 'episode_long'"),
                       ["The summary, with an ümlaut."])
        XCTAssertEqual(after.counts.chunks, before.counts.chunks)
        XCTAssertNotNil(after.chunkEmbeddings)
        XCTAssertTrue(after.files.contains(PackLayout.lexicalIndex), "every entry kept")

        let bytes = try Data(contentsOf: pack)
        XCTAssertThrowsError(try PackSummaryWriter.attach("x", videoID: "no-such-video", to: pack.path)) { error in
            XCTAssertTrue("\(error)".contains("no video 'no-such-video'"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: pack), bytes, "a failed attach leaves the pack as it was")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".build-") }
        XCTAssertEqual(leftovers, [], "no temporary files left behind")
    }
}

/// Packs the reference wrote keep their database in WAL mode; attaching must switch it, not fail.
final class PackSummaryWriterReferenceTests: XCTestCase {
    func testAttachingToAReferencePackWhoseDatabaseIsInWALMode() throws {
        let reference = try TestSupport.referencePack("py4e.pack")
        let dir = TestSupport.temporaryDirectory(self)
        let pack = dir.appendingPathComponent("py4e.pack")
        try FileManager.default.copyItem(atPath: reference, toPath: pack.path)
        let before = try TestSupport.open(pack.path, cacheIn: dir)
        let header = try XCTUnwrap(try before.files.data(PackLayout.database, limit: 1 << 30)).prefix(20)
        XCTAssertEqual([header[18], header[19]], [2, 2], "the reference's database is in WAL mode (the case under test)")
        let video = try XCTUnwrap(try before.database.strings("SELECT video_id FROM video ORDER BY video_id").first)

        try PackSummaryWriter.attach("What the lecture covers.", videoID: video, to: pack.path)

        let after = try TestSupport.open(pack.path, cacheIn: dir)
        XCTAssertEqual(try after.database.strings("SELECT text FROM summary WHERE video_id = '\(video)'"), ["What the lecture covers."])
        XCTAssertEqual(after.counts.chunks, before.counts.chunks)
        let rewritten = try XCTUnwrap(try after.files.data(PackLayout.database, limit: 1 << 30)).prefix(20)
        XCTAssertEqual([rewritten[18], rewritten[19]], [1, 1], "the rewritten database stands alone (rollback journal)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "py4e.pack" && $0 != "cache" }, [],
                       "no lock or temporary files left beside the pack")
    }
}
