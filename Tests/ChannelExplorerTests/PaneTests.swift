@testable import ChannelExplorer
import Foundation
import JobKit
import PackKit
import TUI
import XCTest

/// Each pane on its own, through the explorer's real loop on the in-memory terminal: its keys, its view, and the
/// styles it draws with.
final class PaneTests: XCTestCase {
    /// The row of the frame holding `text`, and the column where it starts.
    func find(_ text: String, in buffer: CellBuffer, file: StaticString = #filePath, line: UInt = #line) throws -> (x: Int, y: Int) {
        for (y, row) in buffer.lines().enumerated() {
            let cells = Array(row)
            if let range = row.range(of: text) { return (cells.distance(from: 0, to: row.distance(from: row.startIndex, to: range.lowerBound)), y) }
        }
        XCTFail("'\(text)' is not on screen:\n\(buffer.text())", file: file, line: line)
        throw XCTSkip("not on screen")
    }

    func testPicker() async throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-pane-\(UUID().uuidString).pack")
        try Data("not a zip".utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        let f = try ExplorerFixture(packs: [bad.path])
        defer { f.cleanUp() }
        _ = await f.driver.waitUntil { !$0.picker.loading && $0.picker.opening == nil }
        let theme = f.driver.model.theme
        // The failed pack comes first, selected, with its error in the error style.
        let error = try find("✗", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[error.x, error.y].style, theme[.error].over(theme[.selection]))
        f.driver.press(.down)
        XCTAssertEqual(f.driver.model.picker.selection, 1)
        let coffee = try find("Coffee Lab", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[coffee.x, coffee.y].style.background, theme[.selection].background, "the selection bar")
        XCTAssertEqual(f.driver.frame[coffee.x - 2, coffee.y].grapheme, "▶")
        // The filter is a text field: typing filters, its keys edit it.
        f.driver.type("coffee lab")
        XCTAssertEqual(f.driver.model.picker.visible.count, 1)
        f.driver.press(.control("w"))
        XCTAssertEqual(f.driver.model.picker.filter.value, "coffee ")
        f.driver.press(.enter)
        await f.waitForPack()
        XCTAssertFalse(f.driver.model.showPicker)
    }

    func testAsk() async throws {
        let f = try ExplorerFixture(width: 100, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        let theme = f.driver.model.theme
        XCTAssertNotNil(f.driver.frame.cursor, "the line has the cursor")
        await f.ask("how fine should I grind for espresso")
        let question = try find("❯ how fine should I grind", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[question.x + 2, question.y].style, theme[.accent].with(bold: true))
        let marker = try find("[1]", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[marker.x, marker.y].style, theme[.citation])
        // Esc gives the keys to the conversation (the cursor goes), j/k scroll it, Enter gives them back.
        f.driver.press(.escape)
        XCTAssertFalse(f.driver.model.ask.editing)
        XCTAssertNil(f.driver.frame.cursor)
        let bottom = f.driver.model.ask.scrollFromBottom
        f.driver.press(.character("k"))
        XCTAssertEqual(f.driver.model.ask.scrollFromBottom, min(bottom + 1, f.driver.model.ask.maxScroll))
        f.driver.press(.enter)
        XCTAssertTrue(f.driver.model.ask.editing)
    }

    /// The conversation is styled and wrapped when it changes, not when it scrolls or is drawn.
    func testTheConversationIsWrappedOnlyWhenItChanges() async throws {
        let f = try ExplorerFixture(width: 100, height: 24)
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("what water recipe do you use")
        await f.ask("how long should cold brew steep")
        let wrapped = f.driver.model.ask.conversation.entriesWrapped
        f.driver.press(.escape)
        for _ in 0..<30 { f.driver.press(.character("k")) }
        for _ in 0..<30 { f.driver.press(.character("j")) }
        f.driver.press(.pageUp, .pageDown, .home, .end)
        XCTAssertEqual(f.driver.model.ask.conversation.entriesWrapped, wrapped, "scrolling wrapped the conversation again")
        // A new width wraps every entry once.
        f.driver.resize(width: 90, height: 24)
        XCTAssertEqual(f.driver.model.ask.conversation.entriesWrapped, wrapped + 2)
        XCTAssertEqual(f.driver.model.ask.conversation.width, AskPane.conversationArea(Rect(x: 0, y: 1, width: 90, height: 22)).width - 1)
    }

    func testCitations() async throws {
        let f = try ExplorerFixture(width: 100, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        XCTAssertTrue(f.driver.frame.text().isEmpty == false)
        f.driver.press(.alt("2"))
        XCTAssertTrue(f.screen.contains("Ask a question: its evidence shows here."), f.screen)
        f.driver.press(.alt("1"))
        await f.ask("how fine should I grind for espresso")
        f.driver.press(.alt("2"))
        let theme = f.driver.model.theme
        let first = try find("[1] ", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[first.x + 4, first.y].style.background, theme[.selection].background, "the first citation is selected")
        // The question's words are highlighted in the snippets.
        let buffer = f.driver.frame
        let highlighted = (0..<buffer.height).flatMap { y in (0..<buffer.width).map { (x: $0, y: y) } }
            .filter { buffer[$0.x, $0.y].style == theme[.highlight] }
        XCTAssertFalse(highlighted.isEmpty, "no highlighted words:\n\(f.screen)")
        f.driver.press(.character("j"))
        XCTAssertEqual(f.driver.model.citations.selection, 1)
        f.driver.press(.character("G"))
        XCTAssertEqual(f.driver.model.citations.selection, f.driver.model.citations.sources.count - 1)
        f.driver.press(.character("g"))
        f.driver.press(.character("o"))
        XCTAssertTrue(f.screen.contains("Link to [1]"), f.screen)
    }

    func testTranscript() async throws {
        let f = try ExplorerFixture(width: 100, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("3"))
        XCTAssertTrue(f.screen.contains("No transcript open"), f.screen)
        f.driver.press(.character("1"))
        await f.ask("how fine should I grind for espresso")
        f.driver.press(.alt("2"))
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.transcript.transcript != nil }
        let theme = f.driver.model.theme
        let transcript = try XCTUnwrap(f.driver.model.transcript.transcript)
        let duration = Citation.timestamp(transcript.durationSec * 1000)
        XCTAssertTrue(f.driver.frame.lines()[1].contains("\(duration) · / search · :TIME jump"), f.driver.frame.lines()[1])
        let cited = try find("▌", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[cited.x + 10, cited.y].style, theme[.highlight], "cited segments are highlighted")
        // A search marks its matches; the cursor row has the selection style. ("shot" is said only after the cited
        // lines: a cited row under the cursor keeps its own "▌" marker.)
        f.driver.press(.character("/"))
        f.driver.type("shot")
        f.driver.press(.enter)
        XCTAssertFalse(f.driver.model.transcript.matches.isEmpty)
        let cursor = try find("▶", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[cursor.x + 12, cursor.y].style.background, theme[.selection].background)
        // y copies the moment's link.
        f.driver.press(.character("y"))
        XCTAssertTrue(f.driver.backend.writes.last?.hasPrefix("\u{1B}]52;c;") ?? false)
        // Measured layout: the rows are wrapped once for the pane's width.
        XCTAssertEqual(f.driver.model.transcript.wrappedWidth, f.driver.model.layout.frame(of: TranscriptPane.id).width - 2)
    }

    func testLibrary() async throws {
        let f = try ExplorerFixture(width: 100, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        let theme = f.driver.model.theme
        let videos = f.driver.model.library.videos
        // Long titles are cut to leave room for the date, duration, sections and summary status.
        let first = try find(String(videos[0].title.prefix(30)), in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[first.x, first.y].style.background, theme[.selection].background)
        f.driver.press(.character("j"), .character("j"))
        XCTAssertEqual(f.driver.model.library.selection, 2)
        let third = try find(String(videos[2].title.prefix(30)), in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[third.x, third.y].style.background, theme[.selection].background)
        XCTAssertNotEqual(f.driver.frame[first.x, first.y].style.background, theme[.selection].background)
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.transcript.transcript?.videoID == videos[2].videoID }
        XCTAssertEqual(f.driver.model.focus, TranscriptPane.id)
    }

    /// Jobs straight from the store (real SQLite): each state in its style, the summary on Enter.
    func testJobs() async throws {
        let f = try ExplorerFixture(width: 120, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        let store = try XCTUnwrap(f.context.jobs?.store)
        let outputs = JobOutputs(directory: f.root.path)
        let done = try store.create(source: "/tmp/done.txt", name: "done", role: .single, endpoint: "http://x", prompt: "p", outputs: outputs, maxWait: 60)
        _ = try store.complete(done.id, summary: "It was about grinding.", owner: "pane-test", leaseSeconds: 0)
        let failed = try store.create(source: "/tmp/failed.txt", name: "failed", role: .single, endpoint: "http://x", prompt: "p", outputs: outputs, maxWait: 60)
        try store.setState(failed.id, .failed, detail: "the worker ran out of memory")
        f.driver.press(.alt("5"))
        _ = await f.driver.waitUntil { $0.jobs.jobs.count == 2 }
        let theme = f.driver.model.theme
        let completed = try find("completed", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[completed.x, completed.y].style.foreground, theme[.success].foreground)
        let failure = try find("failed ", in: f.driver.frame)
        XCTAssertEqual(f.driver.frame[failure.x, failure.y].style.foreground, theme[.error].foreground)
        XCTAssertTrue(f.screen.contains("jobs 0 open 1 done"), f.screen)
        // The newest job first; Enter on the completed one shows its summary.
        f.driver.press(.character("j"))
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.popup != nil }
        XCTAssertTrue(f.screen.contains("It was about grinding."), f.screen)
        f.driver.press(.escape)
        f.driver.press(.character("p"))
        XCTAssertTrue(f.driver.model.status.error?.contains("did not come from a pack video") ?? false, f.driver.model.status.error ?? "")
    }

    /// Popups take every key; the text popup scrolls and any other key closes it.
    func testPopups() async throws {
        let f = try ExplorerFixture(width: 80, height: 24)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.escape)
        f.driver.press(.character("?"))
        guard case .text(let help)? = f.driver.model.popup else { return XCTFail("no help") }
        XCTAssertEqual(help.scroll, 0)
        f.driver.press(.character("j"), .character("j"))
        guard case .text(let scrolled)? = f.driver.model.popup else { return XCTFail("help closed") }
        XCTAssertEqual(scrolled.scroll, 2)
        f.driver.press(.character("x"))
        XCTAssertNil(f.driver.model.popup, "any other key closes")
        XCTAssertEqual(f.driver.model.focus, AskPane.id)
        // A prompt answers a palette command: :submit with no path asks for it.
        f.driver.press(.character(":"))
        f.driver.type("submit")
        f.driver.press(.enter)
        guard case .prompt(let prompt)? = f.driver.model.popup else { return XCTFail("no prompt:\n\(f.screen)") }
        XCTAssertEqual(prompt.command, "submit")
        f.driver.type("/tmp/episode.txt")
        f.driver.press(.enter)
        XCTAssertNil(f.driver.model.popup)
        XCTAssertTrue(f.driver.model.status.error?.contains("RUNPOD_ENDPOINT_URL") ?? false, f.driver.model.status.error ?? "")
        // An unknown command names the ones there are.
        f.driver.press(.character(":"))
        f.driver.type("frobnicate")
        f.driver.press(.enter)
        XCTAssertTrue(f.driver.model.status.error?.contains("unknown command 'frobnicate': try quit, help, open") ?? false,
                      f.driver.model.status.error ?? "")
    }
}
