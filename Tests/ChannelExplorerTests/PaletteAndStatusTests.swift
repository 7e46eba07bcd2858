@testable import ChannelExplorer
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
        for usage in ["open [PATH]", "backend [offline|model]", "summarize [VIDEO]"] {
            let line = try XCTUnwrap(screen.split(separator: "\n").first { $0.contains(usage) }, "\(usage) is cut:\n\(screen)")
            let after = try XCTUnwrap(line.range(of: usage)).upperBound
            XCTAssertTrue(line[after...].hasPrefix("  "), "\(usage) runs into its description: \(line)")
        }
    }

    func statusLine(_ f: ExplorerFixture) -> String { String(f.screen.split(separator: "\n").last ?? "") }

    /// An error used to stay until another pack was opened and hid every later message.
    func testALaterMessageReplacesAnErrorAndAnErrorGoesOnTheNextKey() async throws {
        let f = try ExplorerFixture(width: 100, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        f.driver.press(.character("n"))  // no answer yet: an error
        XCTAssertTrue(statusLine(f).contains("no citations yet"), statusLine(f))
        // A later success shows instead of the error.
        f.driver.press(.character(":"))
        f.driver.type("backend")
        f.driver.press(.enter)
        XCTAssertTrue(statusLine(f).contains("answers: offline"), "the later notice is hidden: \(statusLine(f))")
        // An error goes on the next key.
        f.driver.press(.character("n"))
        XCTAssertTrue(statusLine(f).contains("no citations yet"), statusLine(f))
        f.driver.press(.character("j"))
        XCTAssertFalse(statusLine(f).contains("no citations yet"), "the error outlived the next key: \(statusLine(f))")
        XCTAssertNil(f.driver.model.status.error)
    }

    func testAnErrorGoesAfterAFewSeconds() async throws {
        let f = try ExplorerFixture(width: 100, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.deliver(.failure("something failed"))
        XCTAssertTrue(statusLine(f).contains("something failed"), statusLine(f))
        // The loop's clock moves on (no waiting in the test): the error goes when its time is up.
        f.driver.advanceClock(by: StatusState.errorSeconds - 1)
        XCTAssertTrue(statusLine(f).contains("something failed"), statusLine(f))
        f.driver.advanceClock(by: 2)
        XCTAssertFalse(statusLine(f).contains("something failed"), statusLine(f))
        // A notice goes sooner; a newer message is not cleared by an older one's timer.
        f.driver.deliver(.notice("first"))
        f.driver.advanceClock(by: StatusState.noticeSeconds - 1)
        f.driver.deliver(.notice("second"))
        f.driver.advanceClock(by: 2)
        XCTAssertTrue(statusLine(f).contains("second"), "an older message's timer cleared a newer one: \(statusLine(f))")
        f.driver.advanceClock(by: StatusState.noticeSeconds)
        XCTAssertFalse(statusLine(f).contains("second"), statusLine(f))
    }

    /// The status bar cuts a long error; `!` (or `:messages`) shows the recent ones in full, newest first.
    func testTheMessagesPopupShowsTheLastErrorsInFull() async throws {
        let f = try ExplorerFixture(width: 80, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        let long = "/no/such/folder/with/a/rather/long/name/that/cannot/fit/in/the/status/bar/theme-file.json"
        f.driver.press(.character(":"))
        f.driver.type("theme \(long)")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.status.error != nil }
        XCTAssertFalse(statusLine(f).contains(long), "cut in the status bar: \(statusLine(f))")
        XCTAssertTrue(statusLine(f).contains("! messages"), "the status bar says where to read it: \(statusLine(f))")
        f.driver.press(.alt("4"))
        f.driver.press(.character("n"))
        f.driver.press(.character("!"))
        let popup = f.screen
        XCTAssertTrue(popup.contains("Messages"), popup)
        // The popup's inside, its rows joined (a long line wraps across rows).
        let rows = popup.split(separator: "\n").map { Array($0) }
        let top = try XCTUnwrap(rows.firstIndex { $0.contains("╭") })
        let left = try XCTUnwrap(rows[top].firstIndex(of: "╭")), right = try XCTUnwrap(rows[top].firstIndex(of: "╮"))
        let text = rows[(top + 1)...].prefix { !$0.contains("╰") }
            .map { String($0[(left + 1)..<min(right, $0.count)]).trimmingCharacters(in: .whitespaces) }.joined()
        XCTAssertTrue(text.contains(long), "the full error text:\n\(popup)")
        let newest = try XCTUnwrap(popup.range(of: "no citations yet")), older = try XCTUnwrap(popup.range(of: "theme-file"))
        XCTAssertLessThan(newest.lowerBound, older.lowerBound, "newest first:\n\(popup)")
        f.driver.press(.escape)
        XCTAssertNil(f.driver.model.popup)
        f.driver.press(.character(":"))
        f.driver.type("messages")
        f.driver.press(.enter)
        XCTAssertTrue(f.screen.contains("Messages"), f.screen)
    }
}
