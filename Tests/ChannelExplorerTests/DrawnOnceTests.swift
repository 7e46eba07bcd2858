@testable import ChannelExplorer
import Foundation
@testable import PackKit
import TUI
import XCTest

/// What is worked out once instead of on every frame or for every hit gives what the slow way gave: the help's
/// rows drawn once and copied, snippets highlighted on ASCII bytes, a search's hits read a screenful first.
final class DrawnOnceTests: XCTestCase {
    func testASCIIHighlightingMarksWhatTheCharacterWayMarks() {
        let runs = CitationsPane.highlightRuns("Grind espresso, GRIND it; regrind Espresso2 espress", terms: ["grind", "espresso"])
        XCTAssertEqual(runs.map(\.text), ["Grind", " ", "espresso", ", ", "GRIND", " it; regrind ", "Espresso", "2 espress"])
        XCTAssertEqual(runs.map(\.highlighted), [true, false, true, false, true, false, true, false])
        // Text with other letters goes the Character way, with the same rules.
        let accented = CitationsPane.highlightRuns("Café grind, regrind", terms: ["grind"])
        XCTAssertEqual(accented.map(\.text), ["Café ", "grind", ", regrind"])
        XCTAssertEqual(accented.map(\.highlighted), [false, true, false])
        // A stem's prefix marks the whole word, both ways.
        XCTAssertEqual(CitationsPane.highlightRuns("A list of dictionaries, a dictionary.", terms: ["dictionar"]).filter(\.highlighted).map(\.text),
                       ["dictionaries", "dictionary"])
        XCTAssertEqual(CitationsPane.highlightRuns("Café dictionnaires", terms: ["dictionn"]).filter(\.highlighted).map(\.text), ["dictionnaires"])
        XCTAssertTrue(CitationsPane.highlightRuns("", terms: ["grind"]).isEmpty)
        XCTAssertEqual(CitationsPane.highlightRuns("grind", terms: []).map(\.highlighted), [false])
    }

    /// A search snippet starts a little before the first word found, at a word's start, whatever its case.
    func testASearchSnippetStartsBeforeTheFirstWordFound() {
        let text = String(repeating: "filler words here ", count: 5) + "then the ESPRESSO grind matters"
        let hit = SearchHit(videoID: "v", title: "T", url: "", startMs: 0, endMs: 1000, score: 1,
                            segments: [SearchHit.Segment(id: 1, startMs: 0, endMs: 1000, text: text)])
        let item = SearchPane.items([hit], query: "espresso", snippetWidth: 60)[0]
        let snippet = item.snippet.map(\.text).joined()
        XCTAssertTrue(snippet.hasPrefix("…"), snippet)
        XCTAssertTrue(snippet.dropFirst().hasPrefix("words here") || snippet.dropFirst().hasPrefix("here"), snippet)
        XCTAssertEqual(item.snippet.first { $0.highlighted }?.text, "ESPRESSO")
    }

    /// The help's rows are drawn once per layout and copied into frames: the frame is the one drawn from the text.
    func testTheHelpCopiedIntoAFrameIsTheOneDrawnFromItsText() throws {
        let theme = ExplorerTheme.builtinDefault
        let context = PopupContext(theme: theme, screen: Rect(x: 0, y: 0, width: 120, height: 30))
        let lines = KeyReference.lines(KeyReference.reference, theme: theme, width: 76)
        var popup = TextPopup(title: "Keys", lines: lines, width: 80)
        popup.layout(context)
        var call = PopupCall(context: context, key: .down)
        popup.handleKey(.down, &call)
        var copied = CellBuffer(width: 120, height: 30)
        popup.view(context, into: &copied)
        let text = popup.lines
        popup.lines = text  // no longer laid out: drawn from the text
        var drawn = CellBuffer(width: 120, height: 30)
        popup.view(context, into: &drawn)
        XCTAssertEqual(copied, drawn)
        XCTAssertTrue(copied.text().contains("Everywhere") || copied.text().contains("scroll"), copied.text())
    }

    /// A search lists its first screenful, then the rest: in the end every hit is listed once, in rank order, as
    /// `pack search` finds them, and the count is theirs.
    func testASearchListsAScreenfulThenTheRestInRankOrder() async throws {
        let f = try ExplorerFixture(width: 100, height: 20)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("6"))
        f.driver.press(.character("/"))
        f.driver.type("coffee")
        f.driver.press(.enter)
        let done = await f.driver.waitUntil(timeout: 20) { !$0.panes[SearchPane.self].searching }
        XCTAssertTrue(done, f.screen)
        let search = f.driver.model.panes[SearchPane.self]
        XCTAssertGreaterThan(search.hits.count, search.screenful, "the sample pack has more hits than a screenful of this size")
        XCTAssertEqual(search.total, search.hits.count)
        XCTAssertEqual(search.items.count, search.hits.count)
        let session = try XCTUnwrap(f.driver.model.session)
        let whole = try await session.search("coffee", topK: SearchPane.limit)
        XCTAssertEqual(search.hits, whole.hits)
        XCTAssertTrue(f.screen.contains("\(search.hits.count) moments for coffee"), f.screen)
    }
}
