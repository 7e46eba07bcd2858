import Foundation
import TestHarness
import XCTest

/// A test that drives `ytce` in a real terminal (tmux): a scratch folder and a tmux session for each test,
/// skipped with a message when tmux is not installed, both removed when the test ends.
class TerminalTestCase: XCTestCase {
    var work: URL!
    var terminal: TmuxSession!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        guard let session = TmuxSession(scratch: work) else { throw XCTSkip("tmux is not installed (scripts/setup-system installs it)") }
        terminal = session
    }

    /// Waits until the screen satisfies `predicate` (or fails with the last screen).
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line,
                 _ predicate: (String) -> Bool) -> String {
        let (ok, last) = terminal.waitFor(timeout: timeout, predicate)
        if !ok { XCTFail("timed out waiting for \(what); screen:\n\(last)", file: file, line: line) }
        return last
    }

    /// Runs a `:` palette command.
    func palette(_ command: String) {
        terminal.keys(":")
        terminal.type(command)
        terminal.keys("Enter")
    }

    override func tearDown() {
        terminal?.kill()
        try? FileManager.default.removeItem(at: work)
    }
}
