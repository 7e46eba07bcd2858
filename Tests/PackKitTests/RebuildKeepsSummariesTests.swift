import Foundation
import XCTest
@testable import PackKit

/// A new build over a pack keeps the summaries attached to it (RunPod jobs paid for, from no caption file) for the
/// videos it still holds, whether the old pack was stored or deflated.
final class RebuildKeepsSummariesTests: XCTestCase {
    func testANewBuildOverAPackKeepsItsSummaries() throws {
        for compression in [PackCompression.fast, .small] {
            let dir = TestSupport.temporaryDirectory(self)
            let input = dir.appendingPathComponent("coffee-lab")
            try FileManager.default.copyItem(at: TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab"), to: input)
            let pack = dir.appendingPathComponent("coffee.pack")
            let first = try PackBuilder(compression: compression).build(input: input, output: pack)
            XCTAssertEqual(first.summariesKept + first.summariesDropped, 0)
            XCTAssertFalse(first.summaryLine.contains("summaries"), first.summaryLine)

            try PackSummaryWriter.attach("The espresso episode, summarised.", videoID: "bN4oY8wJ-s0", to: pack.path)
            try PackSummaryWriter.attach("The pour-over episode, summarised.", videoID: "P7t_Lx2cQeU", to: pack.path)
            try PackSummaryWriter.attach([.init(videoID: PackSummaryWriter.channelVideoID, kind: PackSummaryWriter.channelOverviewKind,
                                                text: "The channel, summarised.")], to: pack.path)

            // The pour-over video leaves the channel; the pack is built anew over the old one.
            let videosFile = input.appendingPathComponent("videos.json")
            let videos = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: videosFile)) as? [[String: Any]])
            try JSONSerialization.data(withJSONObject: videos.filter { $0["video_id"] as? String != "P7t_Lx2cQeU" })
                .write(to: videosFile)
            try FileManager.default.removeItem(at: input.appendingPathComponent("transcripts/P7t_Lx2cQeU.vtt"))
            let second = try PackBuilder(compression: compression).build(input: input, output: pack)

            XCTAssertEqual(second.summariesKept, 2, "\(compression)")
            XCTAssertEqual(second.summariesDropped, 1, "\(compression)")
            XCTAssertNil(second.summariesProblem)
            XCTAssertTrue(second.summaryLine.hasSuffix("; kept 2 summaries of the pack it replaced (dropped 1 of videos no longer in the input)"),
                          second.summaryLine)
            let rebuilt = try TestSupport.open(pack.path, cacheIn: dir)
            XCTAssertEqual(try rebuilt.database.strings("SELECT text FROM summary ORDER BY video_id"),
                           ["The channel, summarised.", "The espresso episode, summarised."])
            XCTAssertEqual(rebuilt.counts.videos, 4)
        }
    }
}
