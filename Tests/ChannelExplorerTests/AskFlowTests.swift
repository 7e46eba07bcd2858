import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// The question pane and the citation browser, on the sample pack, through update and view only.
final class AskFlowTests: XCTestCase {
    func testAnswerShowsNumberedMarkersAndCitations() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how fine should I grind for espresso")
        let screen = f.screen
        print(screen)
        XCTAssertTrue(screen.contains("❯ how fine should I grind for espresso"), screen)
        XCTAssertTrue(screen.contains("[1]"), screen)
        XCTAssertFalse(screen.contains("@ 00:"), "raw citations should be numbered markers:\n\(screen)")
        XCTAssertTrue(screen.contains("Citations"), screen)
        XCTAssertTrue(screen.contains("Dialing In Espresso"), screen)
    }
}
