@testable import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// The line REPL (pipes, dumb terminals) and the mouse.
final class ReplAndMouseTests: XCTestCase {
    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func add(_ s: String) { lock.withLock { text += s } }
        var all: String { lock.withLock { text } }
    }

    func testReplAnswersWithCitationsAndHandlesCommands() async throws {
        let f = try ExplorerFixture(packs: [])
        defer { f.cleanUp() }
        let out = Output()
        let repl = LineREPL(context: f.context, write: { out.add($0) })
        var goOn = await repl.handle("how long should cold brew steep")
        XCTAssertTrue(goOn)
        XCTAssertTrue(out.all.contains("error: no pack open: :open PATH"), out.all)
        goOn = await repl.handle(":open \(ExplorerFixture.samplePack)")
        XCTAssertTrue(out.all.contains("opened Coffee Lab: 5 videos"), out.all)
        _ = await repl.handle("how long should cold brew steep")
        XCTAssertTrue(out.all.contains("Citations:\n[1] "), out.all)
        XCTAssertTrue(out.all.contains("&t="), out.all)
        XCTAssertNotNil(out.all.range(of: #"\[Hd2Gm6rK5yZ @ \d\d:\d\d-\d\d:\d\d\]"#, options: .regularExpression), out.all)
        _ = await repl.handle(":jobs")
        XCTAssertTrue(out.all.contains("no jobs"), out.all)
        _ = await repl.handle(":frobnicate")
        XCTAssertTrue(out.all.contains("unknown command ':frobnicate'"), out.all)
        _ = await repl.handle(":open /no/such.pack")
        XCTAssertTrue(out.all.contains("error: /no/such.pack"), out.all)
        goOn = await repl.handle(":quit")
        XCTAssertFalse(goOn)
    }

    /// `:help` is made from the command list: every command a user can type is listed with what it does, and every
    /// listed command (and its short name) is understood.
    func testReplHelpListsEveryCommandItUnderstands() async throws {
        let f = try ExplorerFixture(packs: [])
        defer { f.cleanUp() }
        let out = Output()
        let repl = LineREPL(context: f.context, write: { out.add($0) })
        _ = await repl.handle(":h")
        let help = out.all
        for usage in [":open PATH", ":new", ":scope WHAT", ":export [PATH]", ":jobs", ":help", ":quit"] {
            XCTAssertNotNil(help.range(of: "\n  " + NSRegularExpression.escapedPattern(for: usage) + " +[a-z]", options: .regularExpression), "\(usage) in:\n\(help)")
        }
        for command in LineREPL.commands {
            XCTAssertFalse(command.summary.isEmpty, command.names[0])
            for name in command.names where name != "quit" && name != "q" && name != "exit" {
                let before = out.all
                _ = await repl.handle(":\(name)\(command.argument.isEmpty ? "" : " x")")
                XCTAssertFalse(out.all.dropFirst(before.count).contains("unknown command"), name)
            }
        }
        let quits = await repl.handle(":exit")
        XCTAssertFalse(quits)
    }

    func testClicksFocusPanesAndSelectRowsAndTheWheelScrolls() async throws {
        let f = try ExplorerFixture(width: 120, height: 40)
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("how fine should I grind for espresso")
        // The tab bar: click "Library".
        let lines = f.driver.frame.lines()
        let libraryX = try XCTUnwrap(lines[0].range(of: "4 Library")).lowerBound.utf16Offset(in: lines[0])
        f.driver.click(x: libraryX + 1, y: 0)
        XCTAssertEqual(f.driver.model.focus, LibraryPane.id)
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        // Click the third video's row, then the wheel moves the selection.
        f.driver.click(x: 10, y: 4)
        XCTAssertEqual(f.driver.model.library.selection, 2)
        f.driver.click(x: 10, y: 10, button: .wheelUp)
        XCTAssertEqual(f.driver.model.library.selection, 1)
        // Back on the ask screen (side by side at 120 columns), a click in the citations pane focuses it.
        f.driver.press(.alt("1"))
        let citationsX = try XCTUnwrap(f.driver.frame.lines()[1].range(of: "Citations")).lowerBound.utf16Offset(in: f.driver.frame.lines()[1])
        f.driver.click(x: citationsX, y: 5)
        XCTAssertEqual(f.driver.model.focus, CitationsPane.id)
        f.driver.click(x: citationsX, y: 2 + 3)  // the second citation's first row
        XCTAssertEqual(f.driver.model.citations.selection, 1)
    }
}
