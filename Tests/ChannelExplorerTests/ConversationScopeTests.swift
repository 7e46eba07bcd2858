@testable import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// Scoping a conversation from where the analyst is (the library's marked videos, the open transcript) and taking
/// the whole conversation away (`Y`), in the explorer's real loop on the sample pack.
final class ConversationScopeTests: XCTestCase {
    static let grind = "k3Vq9TzR1mA"

    /// `m` marks videos in the library and `a` asks about them: the question line gets the keyboard, the status bar
    /// names the scope, and the answer cites only those videos. With none marked, `a` asks about the one under the
    /// cursor.
    func testMarkedVideosInTheLibraryScopeTheNextQuestion() async throws {
        let f = try ExplorerFixture(width: 120, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        f.driver.press(.character("/"))
        f.driver.type("grinder really")
        f.driver.press(.enter)
        f.driver.press(.character("m"))
        XCTAssertTrue(f.screen.contains("1 marked (a asks them)"), f.screen)
        f.driver.press(.escape)
        f.driver.press(.character("a"))
        XCTAssertEqual(f.driver.model.focus, AskPane.id)
        let scoped = await f.driver.waitUntil(timeout: 10) { $0.ask.scope == AskScope(videoIDs: [Self.grind]) }
        XCTAssertTrue(scoped, f.driver.model.status.error ?? f.screen)
        XCTAssertTrue(f.screen.contains("scope: video \(Self.grind)"), f.screen)
        XCTAssertEqual(f.driver.model.session?.conversation.scope, AskScope(videoIDs: [Self.grind]))
        // Asked of the whole channel, this cites the espresso and pour-over videos beside the grind one.
        await f.ask("what dose and yield should I use")
        let sources = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome?.sources)
        XCTAssertFalse(sources.isEmpty, f.screen)
        XCTAssertTrue(sources.allSatisfy { $0.citation.videoID == Self.grind }, sources.map(\.citation.description).description)

        // Nothing marked: `a` scopes to the video under the cursor.
        f.driver.press(.alt("4"))
        f.driver.press(.character("M"))
        f.driver.press(.character("g"))
        let first = try XCTUnwrap(f.driver.model.library.selected?.videoID)
        f.driver.press(.character("a"))
        let single = await f.driver.waitUntil(timeout: 10) { $0.ask.scope == AskScope(videoIDs: [first]) }
        XCTAssertTrue(single, f.screen)
    }

    /// `:scope transcript` limits questions to the video open in the transcript viewer, and says so when none is.
    func testScopeToTheOpenTranscript() async throws {
        let f = try ExplorerFixture(width: 120, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        palette(f, "scope transcript")
        XCTAssertEqual(f.driver.model.status.error, "scope transcript: no transcript is open (Enter on a citation or a video opens one)")
        XCTAssertTrue(f.driver.model.ask.scope.isAll)
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        f.driver.press(.character("G"), .enter)
        let video = try XCTUnwrap(f.driver.model.library.selected?.videoID)
        let opened = await f.driver.waitUntil(timeout: 10) { $0.transcript.transcript?.videoID == video }
        XCTAssertTrue(opened, f.screen)
        palette(f, "scope transcript")
        XCTAssertEqual(f.driver.model.focus, AskPane.id)
        let scoped = await f.driver.waitUntil(timeout: 10) { $0.ask.scope == AskScope(videoIDs: [video]) }
        XCTAssertTrue(scoped, f.driver.model.status.error ?? f.screen)
        XCTAssertTrue(f.screen.contains("scope: video \(video)"), f.screen)
    }

    /// `Y` on the conversation copies every question and answer as Markdown (OSC 52), as `:export` writes them;
    /// `y` copies the last answer only.
    func testYCopiesTheWholeConversation() async throws {
        let f = try ExplorerFixture(width: 120, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how long should cold brew steep")
        await f.ask("how fine should I grind for espresso")
        f.driver.press(.escape)
        f.driver.press(.character("Y"))
        let copied = await f.driver.waitUntil(timeout: 10) { _ in f.driver.backend.writes.last?.hasPrefix("\u{1B}]52;c;") ?? false }
        XCTAssertTrue(copied, f.screen)
        let all = try XCTUnwrap(decodedClipboard(f.driver.backend.writes.last))
        XCTAssertTrue(all.hasPrefix("# Coffee Lab"), all)
        XCTAssertTrue(all.contains("## how long should cold brew steep\n"), all)
        XCTAssertTrue(all.contains("## how fine should I grind for espresso\n"), all)
        XCTAssertTrue(all.contains("<https://youtu.be/"), all)
        XCTAssertTrue(f.screen.contains("copied the conversation (2 questions) as Markdown"), f.screen)
        f.driver.press(.character("y"))
        let last = try XCTUnwrap(decodedClipboard(f.driver.backend.writes.last))
        XCTAssertTrue(last.hasPrefix("## how fine should I grind for espresso\n"), last)
        XCTAssertFalse(last.contains("cold brew steep"), last)
    }

    func palette(_ f: ExplorerFixture, _ line: String) {
        f.driver.press(.character(":"))
        f.driver.type(line)
        f.driver.press(.enter)
    }

    /// The text of an OSC 52 clipboard write.
    func decodedClipboard(_ write: String?) -> String? {
        guard let write, write.hasPrefix("\u{1B}]52;c;"), write.hasSuffix("\u{07}") else { return nil }
        let payload = write.dropFirst("\u{1B}]52;c;".count).dropLast()
        return Data(base64Encoded: String(payload)).flatMap { String(data: $0, encoding: .utf8) }
    }
}
