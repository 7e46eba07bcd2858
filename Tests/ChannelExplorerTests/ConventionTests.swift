@testable import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// The conventions every pane keeps: digits switch panes outside text fields, `q` quits anywhere but a text field,
/// Esc never quits, `/` always starts a fresh query, `n`/`N` mean the same everywhere.
final class ConventionTests: XCTestCase {
    func testDigitsSwitchPanesOutsideTextFieldsAndTypeInThem() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        // Typing a question: digits are text.
        f.driver.type("4 cups")
        XCTAssertEqual(f.driver.model.focus, AskPane.id)
        XCTAssertEqual(f.driver.model.ask.input.value, "4 cups")
        // Outside the line, each digit is its pane (the pane list's order, as the tabs show).
        f.driver.press(.escape)
        for (i, pane) in PaneList.tabs.enumerated().reversed() {
            f.driver.press(.character(Character("\(i + 1)")))
            XCTAssertEqual(f.driver.model.focus, pane.id, "\(i + 1)")
            XCTAssertTrue(f.driver.frame.lines()[0].contains("\(i + 1) \(pane.title)"))
        }
        // Alt with a digit works from inside the line too.
        f.driver.press(.alt("3"))
        XCTAssertEqual(f.driver.model.focus, TranscriptPane.id)
        f.driver.press(.character("1"))
        XCTAssertEqual(f.driver.model.focus, AskPane.id)
        XCTAssertTrue(f.driver.model.ask.editing, "the Ask pane takes the keyboard back to its line")
        f.driver.press(.alt("5"))
        XCTAssertEqual(f.driver.model.focus, JobsPane.id)
    }

    func testQQuitsOutsideTextFieldsOnly() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.type("quick question")
        XCTAssertFalse(f.driver.isFinished, "q typed into the question")
        XCTAssertEqual(f.driver.model.ask.input.value, "quick question")
        // In the picker's filter too.
        f.driver.press(.control("o"))
        f.driver.type("q")
        XCTAssertFalse(f.driver.isFinished)
        XCTAssertEqual(f.driver.model.picker.filter.value, "q")
        f.driver.press(.escape, .escape)
        XCTAssertFalse(f.driver.model.showPicker)
        // In a pane without a text field, q quits.
        f.driver.press(.alt("4"))
        f.driver.press(.character("q"))
        XCTAssertTrue(f.driver.isFinished)
    }

    func testEscNeverQuits() async throws {
        let f = try ExplorerFixture(packs: [])
        defer { f.cleanUp() }
        _ = await f.driver.waitUntil { !$0.picker.loading }
        // The picker with nothing open and nothing typed: Esc used to quit here.
        f.driver.press(.escape, .escape, .escape)
        XCTAssertFalse(f.driver.isFinished)
        XCTAssertTrue(f.driver.model.showPicker)
        f.driver.type(ExplorerFixture.samplePack)
        f.driver.press(.enter)
        await f.waitForPack()
        for pane in PaneList.tabs {
            f.driver.press(.alt(Character("\(PaneList.tabs.firstIndex { $0.id == pane.id }.map { $0 + 1 } ?? 1)")))
            f.driver.press(.escape, .escape, .escape)
            XCTAssertFalse(f.driver.isFinished, "Esc quit from \(pane.title)")
        }
        f.driver.press(.character("?"))
        f.driver.press(.escape)
        XCTAssertNil(f.driver.model.popup)
        XCTAssertFalse(f.driver.isFinished)
    }

    /// `/` opens an empty search even after a search (it used to append to the last query).
    func testSlashAlwaysStartsAFreshQuery() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.transcript.transcript != nil }
        f.driver.press(.character("/"))
        f.driver.type("grind")
        f.driver.press(.enter)
        XCTAssertEqual(f.driver.model.transcript.search, "grind")
        f.driver.press(.character("/"))
        guard case .prompt(let prompt)? = f.driver.model.popup else { return XCTFail("no search prompt:\n\(f.screen)") }
        XCTAssertEqual(prompt.field.value, "", "the last query is not carried over")
        f.driver.type("coffee")
        f.driver.press(.enter)
        XCTAssertEqual(f.driver.model.transcript.search, "coffee")
        // In the conversation, `/` starts a fresh question.
        f.driver.press(.alt("1"))
        f.driver.type("half a question")
        f.driver.press(.escape)
        f.driver.press(.character("/"))
        XCTAssertTrue(f.driver.model.ask.editing)
        XCTAssertEqual(f.driver.model.ask.input.value, "")
    }

    /// n/N go to the next/previous match of the pane's own search; where there is none, to the answer's citations.
    /// The same keys, the same meaning, from any pane.
    func testNAndShiftNMeanTheSameEverywhere() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how fine should I grind for espresso")
        let sources = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome?.sources)
        // From the conversation: the selected citation (the first), shown in the transcript; there, the next one.
        f.driver.press(.escape)
        f.driver.press(.character("n"))
        XCTAssertEqual(f.driver.model.focus, TranscriptPane.id)
        _ = await f.driver.waitUntil { $0.transcript.highlighted == Set(sources[0].segmentIDs) }
        f.driver.press(.character("n"))
        _ = await f.driver.waitUntil { $0.transcript.highlighted == Set(sources[1].segmentIDs) }
        XCTAssertEqual(f.driver.model.citations.selection, 1)
        // From the citations pane the same: the selected one first, then on.
        f.driver.press(.character("2"))
        f.driver.press(.character("N"))
        XCTAssertEqual(f.driver.model.focus, TranscriptPane.id)
        XCTAssertEqual(f.driver.model.citations.selection, 1)
        f.driver.press(.character("N"))
        _ = await f.driver.waitUntil { $0.transcript.highlighted == Set(sources[0].segmentIDs) }
        XCTAssertEqual(f.driver.model.citations.selection, 0)
        // In the transcript with a search, n/N go through its matches instead.
        f.driver.press(.character("/"))
        f.driver.type("the")
        f.driver.press(.enter)
        let matches = f.driver.model.transcript.matches
        XCTAssertGreaterThanOrEqual(matches.count, 2)
        let cursor = f.driver.model.transcript.cursor
        f.driver.press(.character("n"))
        XCTAssertEqual(f.driver.model.transcript.cursor, matches.first { $0 > cursor } ?? matches[0])
        XCTAssertEqual(f.driver.model.citations.selection, 0, "n went through the matches, not the citations")
        f.driver.press(.character("N"))
        XCTAssertEqual(f.driver.model.transcript.cursor, cursor)
        // Esc clears the search: n walks the citations again.
        f.driver.press(.escape)
        f.driver.press(.character("n"))
        _ = await f.driver.waitUntil { $0.citations.selection == 1 }
        XCTAssertEqual(f.driver.model.citations.selection, 1)
    }
}
