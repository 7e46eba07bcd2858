import Foundation
import XCTest
@testable import PackKit

/// `ytce pack timeline` and the moments it counts, against the py4e captions themselves (read with grep).
final class TopicTimelineTests: XCTestCase {
    /// The caption lines of a py4e transcript that say `pattern` (grep -iwE), each with its cue's start and end.
    private func grepCues(_ pattern: String, video: String) throws -> [(startMs: Int, endMs: Int)] {
        let file = try TestSupport.shared("fixtures/channels/py4e/transcripts/\(video).srt").path
        let grep = try TestSupport.run("/bin/grep", ["-n", "-i", "-w", "-E", pattern, file])
        guard grep.status == 0 else { return [] }
        let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
            .split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        return try grep.stdout.split(separator: "\n").map { match in
            let number = try XCTUnwrap(Int(match.prefix { $0 != ":" }))
            // The cue's time line is the nearest line above with an arrow.
            var at = number - 1
            while at >= 0, !lines[at].contains("-->") { at -= 1 }
            let times = try XCTUnwrap(at >= 0 ? lines[at] : nil).components(separatedBy: "-->").map { part -> Int in
                let digits = part.trimmingCharacters(in: .whitespaces).split { $0 == ":" || $0 == "," || $0 == "." }.compactMap { Int($0) }
                guard digits.count == 4 else { return -1 }
                return ((digits[0] * 60 + digits[1]) * 60 + digits[2]) * 1000 + digits[3]
            }
            return (times[0], times[1])
        }
    }

    /// Every moment counted holds the word and every caption line saying it lies in a counted moment: the count is
    /// grep's, less the lines that fall in one merged window run (the search's rule), and never counts a window
    /// without the word.
    func testCountsOfAWordMatchGrepWithinTheWindowMergingRule() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let cache = TestSupport.cache(in: dir)
        let pack = try ChannelPack.open(try TestSupport.referencePack("py4e.pack"), options: .init(cache: cache))
        let retriever = try Retriever(pack: pack, cache: cache)
        let timeline = try retriever.timeline(try Topic("tuples"), by: .month)
        // py4e's videos.json has no upload dates: the chart falls back to video order and says so.
        XCTAssertEqual(timeline.grouping, .video)
        XCTAssertTrue(timeline.title.contains("no upload dates"), timeline.title)
        XCTAssertEqual(timeline.periods.count, 93)
        var grepTotal = 0
        for period in timeline.periods {
            let video = try XCTUnwrap(period.videoID)
            let cues = try grepCues("tuples?", video: video)
            grepTotal += cues.count
            XCTAssertEqual(period.count == 0, cues.isEmpty, "\(video): \(period.count) moments, grep finds \(cues.count) lines")
            XCTAssertLessThanOrEqual(period.count, cues.count, video)
            for cue in cues {
                XCTAssertTrue(period.moments.contains { $0.startMs <= cue.startMs + 1000 && cue.endMs <= $0.endMs + 1000 },
                              "\(video): the line at \(cue.startMs) ms is in no counted moment")
            }
            for moment in period.moments {
                XCTAssertTrue(cues.contains { $0.startMs < moment.endMs && moment.startMs < $0.endMs },
                              "\(video): the moment \(moment.startMs)-\(moment.endMs) holds no line saying the word")
            }
        }
        XCTAssertGreaterThan(grepTotal, 50, "the fixture says 'tuple' often")
        XCTAssertGreaterThan(timeline.total, 10)
    }

    /// An exact phrase counts only where it is said word for word; words alone count wherever all of them are.
    func testAPhraseInQuotesCountsOnlyWhereItIsSaid() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let cache = TestSupport.cache(in: dir)
        let pack = try ChannelPack.open(try TestSupport.referencePack("py4e.pack"), options: .init(cache: cache))
        let retriever = try Retriever(pack: pack, cache: cache)
        let words = try retriever.moments(matching: try Topic("list dictionary"))
        let phrase = try retriever.moments(matching: try Topic("\"list of dictionaries\""))
        XCTAssertFalse(phrase.isEmpty)
        XCTAssertLessThan(phrase.count, words.count)
        for hit in try retriever.hits(for: phrase) {
            XCTAssertTrue(hit.text.lowercased().contains("list of dictionaries"), hit.text)
        }
        XCTAssertThrowsError(try Topic("\"of the\"")) { error in
            XCTAssertTrue("\(error)".contains("only common words"), "\(error)")
        }
    }

    /// Months run from the first dated video to the last, gaps included; undated videos are said, not hidden.
    func testMonthsFromFirstToLastWithGapsAndUndatedVideosSaid() throws {
        let topic = try Topic("loops")
        let videos = [TopicTimeline.Video(videoID: "a", title: "A", publishedAt: "2023-11-20T10:00:00Z"),
                      TopicTimeline.Video(videoID: "b", title: "B", publishedAt: "2024-02-01"),
                      TopicTimeline.Video(videoID: "c", title: "C", publishedAt: "")]
        let moments = [Moment(videoID: "a", startMs: 0, endMs: 45_000, score: 2, chunkRows: [0]),
                       Moment(videoID: "b", startMs: 0, endMs: 45_000, score: 1, chunkRows: [1]),
                       Moment(videoID: "b", startMs: 90_000, endMs: 135_000, score: 3, chunkRows: [2]),
                       Moment(videoID: "c", startMs: 0, endMs: 45_000, score: 1, chunkRows: [3])]
        let months = TopicTimeline(topic: topic, moments: moments, videos: videos, by: .month)
        XCTAssertEqual(months.periods.map(\.label), ["2023-11", "2023-12", "2024-01", "2024-02"])
        XCTAssertEqual(months.periods.map(\.count), [1, 0, 0, 2])
        XCTAssertEqual(months.periods[3].moments.map(\.score), [3, 1], "a bar's moments are best first")
        XCTAssertEqual(months.notes, ["1 moments in videos without an upload date are not shown"])
        let years = TopicTimeline(topic: topic, moments: moments, videos: videos, by: .year)
        XCTAssertEqual(years.periods.map(\.label), ["2023", "2024"])
        let lines = years.chartLines(width: 30)
        XCTAssertEqual(lines[0], "2023 1 " + String(repeating: "█", count: 11))
        XCTAssertEqual(lines[1], "2024 2 " + String(repeating: "█", count: 22))
    }

    /// The command draws the chart, prints JSON, and refuses a bad grouping with a one-line error.
    func testCommandDrawsTheChartAndPrintsJSON() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let ytce = try TestSupport.ytceBinary()
        let pack = try TestSupport.referencePack("py4e.pack")
        let env = ["YTCE_CACHE_DIR": dir.appendingPathComponent("cache").path]
        let chart = try TestSupport.run(ytce, ["pack", "timeline", "--pack", pack, "tuples", "--width", "60"], environment: env)
        XCTAssertEqual(chart.status, 0, chart.stderr)
        let lines = chart.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("tuples: ") == true, chart.stdout)
        XCTAssertTrue(lines.first?.contains("no upload dates") == true, chart.stdout)
        XCTAssertEqual(lines.count, 94)
        XCTAssertTrue(lines.contains { $0.contains("█") })
        let json = try TestSupport.run(ytce, ["pack", "timeline", "--pack", pack, "tuples", "--by", "video", "--json"], environment: env)
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["by"] as? String, "video")
        let periods = try XCTUnwrap(object["periods"] as? [[String: Any]])
        XCTAssertEqual(periods.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }, object["total"] as? Int)
        let bad = try TestSupport.run(ytce, ["pack", "timeline", "--pack", pack, "tuples", "--by", "week"], environment: env)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertEqual(bad.stderr, "ytce: --by must be month, year or video (got 'week')\n")
    }
}
