import Foundation
import TestHarness
import XCTest

/// Conversations in a real terminal (tmux): a follow-up answered in context, `:scope` in the status bar, `y` and
/// `:export` on the answers, the conversation shown again when ytce starts anew, and `:new`.
final class TerminalConversationTests: TerminalTestCase {
    func start(_ binary: String, _ pack: String) {
        let env = "YTCE_DATA_DIR=\(work.path)/data YTCE_CACHE_DIR=\(work.path)/cache YTCE_STATE_DIR=\(work.path)/state HOME=\(work.path) TERM=xterm-256color"
        // Twice in a row: the second run starts where the first left the conversation. The shell waits for a line
        // between the runs: the second run's screen would hide the first one's exit status from a slow poll.
        terminal.start("cd \(work.path) && env \(env) \(binary) \(pack); echo EXIT=$?; read again; env \(env) \(binary) \(pack); echo EXIT2=$?; sleep 60",
                       width: 120, height: 40)
    }

    func testAFollowUpScopeExportAndTheConversationKeptAcrossRuns() throws {
        let binary = try TerminalEndToEndTests.ytceBinary()
        let pack = work.appendingPathComponent("coffee-lab.pack").path
        try FileManager.default.copyItem(atPath: ExplorerFixture.samplePack, toPath: pack)
        start(binary, pack)
        waitFor("the question pane") { $0.contains("Ask Coffee Lab a question") }

        terminal.type("how long should cold brew steep")
        terminal.keys("Enter")
        waitFor("the first answer") { $0.contains("[1] Cold Brew vs Iced Coffee") }
        // Asked alone this follow-up finds nothing (ConversationTests); here it is read with the question before.
        terminal.type("and what grind does it need?")
        terminal.keys("Enter")
        var text = waitFor("the follow-up's answer") { $0.contains("❯ and what grind does it need?") && $0.components(separatedBy: "coarse grind").count > 2 }
        XCTAssertFalse(text.contains("holds nothing that answers"), text)

        palette("scope title espresso")
        text = waitFor("the scope in the status bar") { $0.contains("scope: titles \"espresso\"") }
        palette("scope all")
        waitFor("the scope gone") { !$0.contains("scope: titles") && $0.contains("whole channel") }

        terminal.keys("Escape")
        // Apart from the Esc, or the terminal reads Alt-y.
        waitFor("the conversation to have the keys") { $0.contains("copies answer") }
        terminal.keys("y")
        waitFor("the answer copied") { $0.contains("copied the answer as Markdown") }
        terminal.keys("i")
        palette("export talk.md")
        waitFor("the export") { $0.contains("saved the conversation to") }
        let exported = try String(contentsOfFile: work.appendingPathComponent("talk.md").path, encoding: .utf8)
        XCTAssertTrue(exported.contains("## how long should cold brew steep"), exported)
        XCTAssertTrue(exported.contains("## and what grind does it need?"), exported)
        XCTAssertTrue(exported.contains("<https://youtu.be/Hd2Gm6rK5yZ?t="), exported)

        terminal.keys("C-c")
        waitFor("ytce to exit") { $0.contains("EXIT=0") }
        terminal.keys("Enter")

        // Started again, the pack's conversation goes on where it was.
        text = waitFor("the kept conversation") { $0.contains("❯ how long should cold brew steep") && $0.contains("❯ and what grind does it need?") }
        palette("new")
        waitFor("a new conversation") { $0.contains("new conversation") && !$0.contains("❯ how long should cold brew steep") }
        terminal.keys("C-c")
        waitFor("ytce to exit") { $0.contains("EXIT2=0") }
    }
}
