import Foundation
import XCTest
@testable import PackKit

/// What `videos.json` may say of a video, and the one-line error naming the file, the video and the field when it
/// says something else.
final class ChannelInputTests: XCTestCase {
    func load(publishedAt: String) throws -> ChannelInput {
        let input = TestSupport.temporaryDirectory(self).appendingPathComponent("input")
        try FileManager.default.createDirectory(at: input.appendingPathComponent("transcripts"), withIntermediateDirectories: true)
        try #"{"channel_id":"c","title":"T","description":"","source":"s"}"#.write(to: input.appendingPathComponent("channel.json"), atomically: true, encoding: .utf8)
        let videos = JSONValue.array([.object(["video_id": .string("v1"), "title": .string("A"), "published_at": .string("2025-01-18T15:00:00Z")]),
                                      .object(["video_id": .string("v2"), "title": .string("B"), "published_at": .string(publishedAt)])])
        try JSONValue.serialize(videos).write(to: input.appendingPathComponent("videos.json"), atomically: true, encoding: .utf8)
        return try ChannelInput.load(from: input)
    }

    /// Upload dates are kept as ISO 8601 text (the reference sorts by it; the timeline and `--since` read it); an
    /// impossible one was kept and the video silently left out of every chart.
    func testAnUploadDateMustBeADate() throws {
        for kept in ["", "2025-01-18", "2025-01-18T15:00:00Z", "2024-02-29 08:00:00", "2025-01"] {
            XCTAssertEqual(try load(publishedAt: kept).videos[1].publishedAt, kept)
        }
        XCTAssertEqual(try load(publishedAt: "20250118").videos[1].publishedAt, "2025-01-18", "yt-dlp's upload_date form")
        for bad in ["2025-13-45", "2023-02-29", "18/01/2025", "yesterday", "2025-1", "2025-01-18x"] {
            XCTAssertThrowsError(try load(publishedAt: bad), bad) { error in
                XCTAssertTrue("\(error)".hasSuffix("videos.json: video 1: field 'published_at' must be a date (YYYY-MM-DD, optionally with a time; YYYY-MM; or YYYYMMDD), found '\(bad)'"),
                              "\(error)")
            }
        }
    }
}
