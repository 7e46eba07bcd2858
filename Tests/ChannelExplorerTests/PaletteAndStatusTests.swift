import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// The command palette's list and the status bar's messages.
final class PaletteAndStatusTests: XCTestCase {
    /// Every command's usage is shown whole, with room before its description (`backend [offline|model]` ran into
    /// "show or switch" when usages were cut at 20 columns).
    func testPaletteNamesNeverRunIntoTheirDescriptions() async throws {
        let f = try ExplorerFixture(width: 100, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.character(":"))
        let screen = f.screen
        for usage in ["open PATH", "backend [offline|model]", "summarize [VIDEO]"] {
            let line = try XCTUnwrap(screen.split(separator: "\n").first { $0.contains(usage) }, "\(usage) is cut:\n\(screen)")
            let after = try XCTUnwrap(line.range(of: usage)).upperBound
            XCTAssertTrue(line[after...].hasPrefix("  "), "\(usage) runs into its description: \(line)")
        }
    }
}
