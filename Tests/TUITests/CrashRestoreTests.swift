import Foundation
import TestHarness
import XCTest
@testable import TUI

/// A crash in background work while the UI owns the screen: its message must be readable once the terminal is
/// restored (it used to be printed on the alternate screen and vanish with it).
final class CrashRestoreTests: XCTestCase {
    static let helperVariable = "YTCE_TUI_CRASH_HELPER"

    /// A screen that shows one line; its only effect crashes after a moment.
    struct CrashingProgram: Program {
        func message(for event: InputEvent) -> Int { 0 }
        func update(_ model: inout Int, _ message: Int) -> [Effect<Int>] { [] }
        func view(_ model: Int, into buffer: inout CellBuffer) {
            buffer.put("working…", x: 0, y: 0, style: .plain)
        }
    }

    /// Runs only inside the terminal `testACrashInBackgroundWorkIsPrintedAfterRestoring` starts (this test binary
    /// again, told what to print by the environment); it does nothing in a normal run.
    func testCrashingHelper() throws {
        guard let marker = ProcessInfo.processInfo.environment[Self.helperVariable] else { return }
        let crash = Effect<Int>.task { _ in
            try? await Task.sleep(nanoseconds: 300_000_000)
            fatalError("background work failed: \(marker)")
        }
        _ = try runProgram(CrashingProgram(), model: 0, options: RuntimeOptions(mouse: false), initialEffects: [crash])
    }

    func testACrashInBackgroundWorkIsPrintedAfterRestoring() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tui-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        guard let tmux = TmuxSession(scratch: work) else { throw XCTSkip("tmux is not installed (scripts/setup-system installs it)") }
        defer { tmux.kill() }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let marker = "marker-\(UUID().uuidString.prefix(8))"
        tmux.start("env TERM=xterm-256color \(Self.helperVariable)=\(marker) \(binary) TUITests.CrashRestoreTests/testCrashingHelper"
                   + "; echo EXIT=$?; sleep 60", width: 100, height: 30)
        let (exited, screen) = tmux.waitFor(timeout: 30) { $0.contains("EXIT=") }
        XCTAssertTrue(exited, "the helper did not end:\n\(screen)")
        XCTAssertEqual(tmux.format("alternate_on"), "0", "the alternate screen was left")
        XCTAssertTrue(screen.contains("background work failed: \(marker)"), "the crash message is lost:\n\(screen)")
        XCTAssertFalse(screen.contains("EXIT=0"), "a crash is a failure:\n\(screen)")
    }
}
