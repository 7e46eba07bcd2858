@testable import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// From an answer to the cited moment: the citation browser, the transcript viewer, n/N, search and time jumps.
final class CitationBrowserTests: XCTestCase {
    func testEnterOnACitationOpensTheTranscriptAtTheCitedSegmentHighlighted() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how fine should I grind for espresso")
        let sources = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome?.sources)
        XCTAssertGreaterThanOrEqual(sources.count, 2)
        f.driver.press(.alt("2"))
        XCTAssertEqual(f.driver.model.focus, CitationsPane.id)
        f.driver.press(.character("j"))
        f.driver.press(.enter)
        let loaded = await f.driver.waitUntil { $0.transcript.transcript != nil && !$0.transcript.loading }
        XCTAssertTrue(loaded)
        let cited = sources[1]
        XCTAssertEqual(f.driver.model.focus, TranscriptPane.id)
        XCTAssertEqual(f.driver.model.transcript.transcript?.videoID, cited.citation.videoID)
        XCTAssertEqual(f.driver.model.transcript.highlighted, Set(cited.segmentIDs))
        // The cited segment is on screen, marked, at its timestamp.
        let stamp = Citation.timestamp(f.driver.model.transcript.transcript?.segments.first { $0.id == cited.segmentIDs[0] }?.startMs ?? -1)
        let lines = f.driver.frame.lines()
        XCTAssertTrue(lines.contains { $0.contains("▌" + stamp) }, "no highlighted line at \(stamp):\n\(f.screen)")
        // The segment's cells carry the highlight style.
        let buffer = f.driver.frame
        let row = try XCTUnwrap(lines.firstIndex { $0.contains("▌" + stamp) })
        XCTAssertEqual(buffer[10, row].style.background, f.driver.model.theme[.highlight].background)
    }

    /// Every answer's citations stay browsable: in the conversation, [ chooses the answer before and the citation
    /// browser lists its citations (Enter opens its moment); ] goes forward again, and a new answer is shown as it
    /// finishes.
    func testAnEarlierAnswersCitationsInTheCitationBrowser() async throws {
        let f = try ExplorerFixture(width: 120, height: 40)
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how fine should I grind for espresso")
        await f.ask("what water temperature for pour over")
        let first = try XCTUnwrap(f.driver.model.ask.entries.first?.outcome)
        let second = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome)
        XCTAssertNotEqual(first.sources.map(\.citation), second.sources.map(\.citation))
        XCTAssertEqual(f.driver.model.citations.answer?.question, "what water temperature for pour over")
        f.driver.press(.escape)
        f.driver.press(.character("["))
        XCTAssertEqual(f.driver.model.citations.answer?.question, "how fine should I grind for espresso")
        XCTAssertTrue(f.driver.model.status.notice?.contains("citations of answer 1 of 2") ?? false, f.driver.model.status.notice ?? "")
        f.driver.press(.character("["))
        XCTAssertTrue(f.driver.model.status.notice?.contains("the first answer") ?? false)
        f.driver.press(.alt("2"))
        XCTAssertTrue(f.screen.contains(first.sources[0].title.prefix(20)), f.screen)
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.transcript.transcript != nil && !$0.transcript.loading }
        XCTAssertEqual(f.driver.model.transcript.transcript?.videoID, first.sources[0].citation.videoID)
        XCTAssertEqual(f.driver.model.transcript.highlighted, Set(first.sources[0].segmentIDs))
        f.driver.press(.alt("1"))
        f.driver.press(.escape)
        f.driver.press(.character("]"))
        XCTAssertEqual(f.driver.model.citations.answer?.question, "what water temperature for pour over")
        f.driver.press(.character("["))
        f.driver.press(.character("i"))
        await f.ask("how long should cold brew steep")
        XCTAssertEqual(f.driver.model.citations.answer?.question, "how long should cold brew steep", "a new answer is shown")
        f.driver.press(.escape)
        f.driver.press(.character("["))
        XCTAssertEqual(f.driver.model.citations.answer?.question, "what water temperature for pour over", "[ steps back from the newest")
    }

    func testNAndShiftNWalkThroughTheCitationsFromAnyPane() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how fine should I grind for espresso")
        let sources = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome?.sources)
        f.driver.press(.alt("4"))  // the library: n is not typed anywhere
        f.driver.press(.character("n"))
        _ = await f.driver.waitUntil { $0.transcript.transcript != nil }
        XCTAssertEqual(f.driver.model.citations.selection, 0)
        XCTAssertEqual(f.driver.model.transcript.highlighted, Set(sources[0].segmentIDs))
        f.driver.press(.character("n"))
        _ = await f.driver.waitUntil { $0.transcript.highlighted == Set(sources[1].segmentIDs) }
        XCTAssertEqual(f.driver.model.citations.selection, 1)
        f.driver.press(.character("N"))
        _ = await f.driver.waitUntil { $0.transcript.highlighted == Set(sources[0].segmentIDs) }
        XCTAssertEqual(f.driver.model.citations.selection, 0)
        XCTAssertTrue(f.screen.contains("citation [1/\(sources.count)]"), f.screen)
    }

    func testTranscriptSearchAndTimeJump() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        let video = try XCTUnwrap(f.driver.model.library.videos.first { $0.videoID == "k3Vq9TzR1mA" })
        let index = try XCTUnwrap(f.driver.model.library.videos.firstIndex(of: video))
        for _ in 0..<index { f.driver.press(.character("j")) }
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.transcript.transcript?.videoID == "k3Vq9TzR1mA" }
        XCTAssertTrue(f.screen.contains(video.title), f.screen)
        XCTAssertTrue(f.screen.contains("§ "), "chapter headings are shown:\n\(f.screen)")
        // `/` searches; n moves to the next match.
        f.driver.press(.character("/"))
        f.driver.type("refractometer")
        f.driver.press(.enter)
        let matches = f.driver.model.transcript.matches
        XCTAssertGreaterThanOrEqual(matches.count, 2, f.screen)
        XCTAssertEqual(f.driver.model.transcript.cursor, matches[0])
        f.driver.press(.character("n"))
        XCTAssertEqual(f.driver.model.transcript.cursor, matches[1])
        f.driver.press(.character("N"))
        XCTAssertEqual(f.driver.model.transcript.cursor, matches[0])
        // `:` then a time jumps there.
        f.driver.press(.character(":"))
        f.driver.type("8:10")
        f.driver.press(.enter)
        let transcript = try XCTUnwrap(f.driver.model.transcript.transcript)
        let cursorText = f.driver.frame.lines().joined(separator: "\n")
        let spoken = transcript.segments.last { $0.startMs <= 490_000 }
        XCTAssertNotNil(spoken)
        XCTAssertTrue(cursorText.contains(Citation.timestamp(spoken?.startMs ?? 0)), cursorText)
        // g and G go to the ends.
        f.driver.press(.character("G"))
        XCTAssertGreaterThan(f.driver.model.transcript.cursor, 10)
        f.driver.press(.character("g"))
        XCTAssertEqual(f.driver.model.transcript.cursor, 0)
    }

    func testDeepLinkIsCopiedWithOSC52() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how fine should I grind for espresso")
        let source = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome?.sources.first)
        f.driver.press(.alt("2"))
        f.driver.press(.character("y"))
        let link = source.citation.deepLink(videoURL: source.url)
        XCTAssertTrue(link.contains("&t="), link)
        let write = try XCTUnwrap(f.driver.backend.writes.last)
        XCTAssertEqual(write, "\u{1B}]52;c;\(Data(link.utf8).base64EncodedString())\u{07}")
        f.driver.press(.character("o"))
        XCTAssertTrue(f.screen.contains(String(link.prefix(40))), f.screen)
    }
}
