@testable import ChannelExplorer
@testable import PackKit
import TestHarness
import TUI
import XCTest

/// The conversation's rows: an answer being written, grown piece by piece, has the rows of its whole text wrapped
/// at once; citations are drawn as their sources' numbers.
final class ConversationRowsTests: XCTestCase {
    static let words = ["grind", "finer", "for", "espresso", "[bN4oY8wJ-s0 @ 00:10-00:24]", "[abc @ 01:02-01:05; def @ 00:01-00:02]",
                        "[not a citation]", "[half", "open]", "tab\tbetween", "咖啡豆", "🙂", "a-very-long-word-that-is-wider-than-the-pane-itself",
                        "x", ".", "e\u{301}", "\u{200B}", "  ", "\n", "\n\n", "[", "]", "@"]

    func testGrowingRowsEqualTheWholeTextWrapped() {
        var random = SplitMix64(seed: 16)
        let theme = ExplorerTheme.builtinDefault
        for round in 0..<80 {
            let width = Int.random(in: 8...40, using: &random)
            var text = ""
            for _ in 0..<Int.random(in: 1...80, using: &random) {
                text += Self.words[Int.random(in: 0..<Self.words.count, using: &random)] + (Bool.random(using: &random) ? " " : "")
            }
            let entries = [AskEntry(id: 1, question: "how fine", startedAt: 0), AskEntry(id: 2, question: "and cold brew?", startedAt: 0)]
            var rows = ConversationRows()
            rows.rebuild(entries, width: width, theme: theme)
            var growing = entries
            let characters = Array(text)
            var at = 0
            while at < characters.count {
                let piece = Int.random(in: 1...12, using: &random)
                growing[1].text += String(characters[at..<min(characters.count, at + piece)])
                at += piece
                rows.grow(growing, at: 1)
                var whole = ConversationRows()
                whole.rebuild(growing, width: width, theme: theme)
                XCTAssertEqual(rows.slice(from: 0, count: .max), whole.slice(from: 0, count: .max),
                               "round \(round), width \(width), text so far: \(growing[1].text.debugDescription)")
                XCTAssertEqual(rows.count, whole.count)
                if rows.count != whole.count { return }
            }
        }
    }

    func testALongAnswerSettlesItsRows() {
        // The rows before the last that may still change are kept: the text wrapped again on a piece stays short.
        var stream = StreamingRows(AskEntry(id: 1, question: "q", startedAt: 0), first: true, width: 40, theme: ExplorerTheme.builtinDefault)
        var text = ""
        for i in 0..<2000 {
            text += "word\(i) " + (i % 8 == 7 ? "[bN4oY8wJ-s0 @ 00:10-00:24]. " : "")
            _ = stream.rows(for: text, theme: ExplorerTheme.builtinDefault)
        }
        XCTAssertLessThan(text.utf8.count - stream.settledUTF8Offset, 200, "the unsettled tail grew with the answer")
    }

    func testABracketOfSeveralCitationsShowsTheirNumbers() {
        // A bracket of two citations (as the reminder's format allows) crashed the explorer: both matches share one range.
        let theme = ExplorerTheme.builtinDefault
        func source(_ id: String) -> Answer.Source {
            Answer.Source(citation: Citation(videoID: id, startMs: 1000, endMs: 2000), title: id, url: "", segmentIDs: [])
        }
        let text = "Grind finer [aaa @ 00:01-00:02; bbb @ 00:01-00:02] and steep longer [ccc @ 00:01-00:02, aaa @ 00:01-00:02]."
        XCTAssertEqual(ConversationRows.markedLine(text, sources: [source("aaa"), source("bbb"), source("ccc")], theme: theme).plainText,
                       "Grind finer [1, 2] and steep longer [3, 1].")
        // One of them no source: the bracket stays as written.
        XCTAssertEqual(ConversationRows.markedLine(text, sources: [source("aaa"), source("bbb")], theme: theme).plainText,
                       "Grind finer [1, 2] and steep longer [ccc @ 00:01-00:02, aaa @ 00:01-00:02].")
    }
}
