import XCTest
@testable import PackKit

final class CitationTests: XCTestCase {
    func testFormatsLikeTheReference() {
        XCTAssertEqual(Citation(videoID: "abc", startMs: 65_400, endMs: 110_999).description, "[abc @ 01:05-01:50]")
        XCTAssertEqual(Citation(videoID: "-x_Y", startMs: 3_723_000, endMs: 3_780_000).description, "[-x_Y @ 01:02:03-01:03:00]")
        XCTAssertEqual(Citation.timestamp(0), "00:00")
        XCTAssertEqual(Citation.timestamp(36_000_000), "10:00:00")
    }

    func testDeepLinks() {
        let c = Citation(videoID: "abc", startMs: 123_900, endMs: 130_000)
        XCTAssertEqual(c.deepLink(videoURL: "https://www.youtube.com/watch?v=abc"), "https://www.youtube.com/watch?v=abc&t=123s")
        XCTAssertEqual(c.deepLink(videoURL: ""), "https://www.youtube.com/watch?v=abc&t=123s")
        XCTAssertEqual(c.deepLink(videoURL: "https://youtu.be/abc"), "https://youtu.be/abc?t=123s")
    }

    func testParsesWhatModelsWrite() {
        let text = """
            Loops repeat [lLbyEYjU55A @ 01:05-01:50]. Dictionaries count words [-cmlmaVSONg @ 1:02:03 - 1:03:00; kc8BAR7SHJI@00:10–00:20].
            Ids keep underscores [a_b-c @ 4:05-4:10].
            """
        let found = CitationParser.citations(in: text).map(\.citation)
        XCTAssertEqual(found, [
            Citation(videoID: "lLbyEYjU55A", startMs: 65_000, endMs: 110_000),
            Citation(videoID: "-cmlmaVSONg", startMs: 3_723_000, endMs: 3_780_000),
            Citation(videoID: "kc8BAR7SHJI", startMs: 10_000, endMs: 20_000),
            Citation(videoID: "a_b-c", startMs: 245_000, endMs: 250_000),
        ])
        // Both citations of a shared bracket point at the same bracket.
        let matches = CitationParser.citations(in: text)
        XCTAssertEqual(matches[1].range, matches[2].range)
        XCTAssertEqual(String(text[matches[0].range]), "[lLbyEYjU55A @ 01:05-01:50]")
    }

    func testNearMissesAreNotCitations() {
        for text in [
            "[abc 00:10-00:20]",          // no @
            "[@ 00:10-00:20]",            // no id
            "[abc @ 00:10]",              // no range
            "[abc @ 0:1-0:2]",            // one-digit seconds
            "[abc @ 00:70-01:00]",        // 70 seconds
            "[abc @ 01:00-00:30]",        // backwards
            "[a b @ 00:10-00:20]",        // space in the id
            "[abc @ 00:10-00:20",         // unclosed
            "[abc @ 00:10-\n00:20]",      // broken across lines
            "[abc @ 00:10-00:20; note]",  // a group that is not a citation spoils the bracket
            "see [1] and [note]",
        ] {
            XCTAssertEqual(CitationParser.citations(in: text).count, 0, text)
        }
        XCTAssertEqual(CitationParser.citations(in: "[[abc @ 00:10-00:20]]").map(\.citation.videoID), ["abc"])
    }

    func testRoundTrip() {
        for ms in [0, 59_000, 3_599_000, 3_600_000, 7_322_000] {
            let c = Citation(videoID: "v-1", startMs: ms, endMs: ms + 45_000)
            XCTAssertEqual(CitationParser.citations(in: "x \(c) y").map(\.citation), [c])
        }
    }

    func testChecksCitationsAgainstEvidence() {
        let evidence = [Citation(videoID: "a", startMs: 60_500, endMs: 105_500),
                        Citation(videoID: "b", startMs: 0, endMs: 45_000)]
        // Written with whole seconds: 01:00-01:45 covers 60.5 s-105.5 s.
        XCTAssertEqual(CitationCheck.verdict(for: Citation(videoID: "a", startMs: 60_000, endMs: 105_000), evidence: evidence),
                       .supported(evidenceIndex: 0))
        XCTAssertEqual(CitationCheck.verdict(for: Citation(videoID: "b", startMs: 30_000, endMs: 40_000), evidence: evidence),
                       .supported(evidenceIndex: 1))
        XCTAssertEqual(CitationCheck.verdict(for: Citation(videoID: "a", startMs: 300_000, endMs: 320_000), evidence: evidence), .invented)
        XCTAssertEqual(CitationCheck.verdict(for: Citation(videoID: "zzz", startMs: 60_000, endMs: 105_000), evidence: evidence), .invented)
    }
}
