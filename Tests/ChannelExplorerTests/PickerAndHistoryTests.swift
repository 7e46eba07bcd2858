@testable import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

final class PickerAndHistoryTests: XCTestCase {
    func testPickerListsPacksFiltersAndShowsABadPacksErrorInline() async throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-bad-\(UUID().uuidString).pack")
        try Data("this is not a zip".utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        let f = try ExplorerFixture(packs: [bad.path])
        defer { f.cleanUp() }
        _ = await f.driver.waitUntil { !$0.picker.loading && $0.picker.opening == nil }
        let screen = f.screen
        XCTAssertTrue(screen.contains("Coffee Lab"), screen)
        XCTAssertTrue(screen.contains("5 videos · 61 chunks · hash-384"), screen)
        XCTAssertTrue(screen.contains("✗"), "the bad pack's error is shown inline:\n\(screen)")
        XCTAssertTrue(f.driver.model.showPicker, "the picker stays up after a failed open")
        XCTAssertNotNil(f.driver.model.status.error)
        // Filter as you type, then open.
        f.driver.type("coffee")
        XCTAssertEqual(f.driver.model.picker.visible.count, 1)
        XCTAssertFalse(f.screen.contains("✗"), "filtered out:\n\(f.screen)")
        f.driver.press(.enter)
        XCTAssertTrue(f.screen.contains("opening"), "a progress line while the pack opens:\n\(f.screen)")
        await f.waitForPack()
        XCTAssertFalse(f.driver.model.showPicker)
        // Ctrl-O comes back to the picker; Esc returns to the open pack.
        f.driver.press(.control("o"))
        XCTAssertTrue(f.driver.model.showPicker)
        f.driver.press(.escape)
        XCTAssertFalse(f.driver.model.showPicker)
    }

    func testATypedPathIsOpened() async throws {
        let f = try ExplorerFixture(packs: [])
        defer { f.cleanUp() }
        _ = await f.driver.waitUntil { !$0.picker.loading }
        f.driver.type("/no/such/dir/x.pack")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.picker.opening == nil && $0.status.error != nil }
        XCTAssertTrue(f.driver.model.status.error?.contains("/no/such/dir/x.pack") ?? false, f.driver.model.status.error ?? "")
        f.driver.press(.control("u"))
        f.driver.type(ExplorerFixture.samplePack)
        f.driver.press(.enter)
        await f.waitForPack()
    }

    func testQuestionHistoryIsBrowsedAndKeptPerPackAcrossSessions() async throws {
        let f = try ExplorerFixture()
        await f.waitForPack()
        await f.ask("what water recipe do you use")
        await f.ask("how long is the bloom")
        f.driver.press(.up)
        XCTAssertEqual(f.driver.model.ask.input.value, "how long is the bloom")
        f.driver.press(.up)
        XCTAssertEqual(f.driver.model.ask.input.value, "what water recipe do you use")
        f.driver.press(.down)
        f.driver.press(.down)
        XCTAssertEqual(f.driver.model.ask.input.value, "")
        let file = f.context.paths.questionHistory(channelID: "coffee-lab")
        XCTAssertTrue(file.hasPrefix(f.root.appendingPathComponent(".local/state/ytce").path), "history is state: \(file)")
        // Saved by an effect (no I/O in update).
        let expected = "what water recipe do you use\nhow long is the bloom\n"
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, (try? String(contentsOfFile: file, encoding: .utf8)) != expected {
            f.driver.runPending()
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), expected)
        f.driver.cancelAllTasks()

        // A new session with the same data dir remembers them.
        let program = ChannelExplorer(context: f.context)
        var model = ExplorerModel(theme: ExplorerTheme.builtinDefault)
        let effects = program.start(&model)
        let driver = Runtime(program: program, model: model, backend: TestBackend(width: 100, height: 30), initialEffects: effects)
        _ = await driver.waitUntil(timeout: 20) { $0.session != nil && !$0.ask.history.questions.isEmpty }
        driver.press(.up)
        XCTAssertEqual(driver.model.ask.input.value, "how long is the bloom")
        driver.cancelAllTasks()
        f.cleanUp()
    }

    /// A question asked before the history file was read (right as the pack opens) is kept after the older ones.
    func testAQuestionAskedBeforeTheHistoryIsReadIsKept() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        _ = await f.driver.waitUntil { $0.ask.historyPath != nil }
        let file = f.context.paths.questionHistory(channelID: "coffee-lab")
        await f.ask("how long is the bloom")
        // The file read that started with the pack answers only now, with what an earlier run saved.
        f.driver.deliver(.pane(AskPane.id, AskPane.Msg.historyLoaded(QuestionHistory(questions: ["an earlier question"]), path: file)))
        let expected = "an earlier question\nhow long is the bloom\n"
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, (try? String(contentsOfFile: file, encoding: .utf8)) != expected {
            f.driver.runPending()
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertEqual(f.driver.model.ask.history.questions, ["an earlier question", "how long is the bloom"])
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), expected)
    }

    func testLineEditingKeys() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.type("grind size espresso")
        f.driver.press(.control("w"))
        XCTAssertEqual(f.driver.model.ask.input.value, "grind size ")
        f.driver.press(.control("a"))
        f.driver.type("how ")
        XCTAssertEqual(f.driver.model.ask.input.value, "how grind size ")
        f.driver.press(.alt("f"))
        f.driver.press(.control("k"))
        XCTAssertEqual(f.driver.model.ask.input.value, "how grind")
        f.driver.press(.control("u"))
        XCTAssertEqual(f.driver.model.ask.input.value, "")
    }

    func testThemesSwitchFromThePaletteAndABadThemeFallsBack() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.character(":"))
        f.driver.type("theme light")
        f.driver.press(.enter)
        // The file is read by an effect, not in update.
        let switched = await f.driver.waitUntil { $0.theme.name == "light" }
        XCTAssertTrue(switched, f.driver.model.status.error ?? "")
        XCTAssertEqual(f.driver.frame[0, 0].style, f.driver.model.theme[.statusBarAccent], "the screen is drawn with the new theme")
        let bad = f.root.appendingPathComponent("broken.json")
        try #"{"name": "broken", "roles": {"accent": {"fg": 300}}}"#.write(to: bad, atomically: true, encoding: .utf8)
        f.driver.press(.character(":"))
        f.driver.type("theme \(bad.path)")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.status.error != nil }
        XCTAssertEqual(f.driver.model.theme.name, "light", "a bad theme at run time keeps the good one in use")
        let error = f.driver.model.status.error ?? ""
        XCTAssertTrue(error.contains("broken.json") && error.contains("roles.accent.fg"), error)
        XCTAssertTrue(error.contains("keeping light"), error)
    }

    func testQuitIsImmediateUnlessASubmissionIsInFlight() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        f.driver.mutate { $0.jobs.submitting = 1 }
        f.driver.press(.character("q"))
        XCTAssertFalse(f.driver.isFinished)
        XCTAssertTrue(f.screen.contains("Quit anyway?"), f.screen)
        f.driver.press(.character("n"))
        XCTAssertFalse(f.driver.isFinished)
        f.driver.mutate { $0.jobs.submitting = 0 }
        f.driver.press(.character("q"))
        XCTAssertTrue(f.driver.isFinished)
    }

    func testAClickOnAScrolledPickerSelectsThePackUnderThePointer() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yt-\(UUID().uuidString.prefix(6))")  // short: the path must fit at 60 columns
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var packs: [String] = []
        for i in 0..<20 {
            let link = dir.appendingPathComponent(String(format: "pack-%02d.pack", i)).path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: ExplorerFixture.samplePack)
            packs.append(link)
        }
        let f = try ExplorerFixture(width: 60, height: 20, packs: packs)
        defer { f.cleanUp() }
        _ = await f.driver.waitUntil(timeout: 20) { $0.session != nil }
        f.driver.press(.control("o"))
        _ = await f.driver.waitUntil { !$0.picker.loading }
        for _ in 0..<12 { f.driver.press(.down) }
        XCTAssertEqual(f.driver.model.picker.selection, 12)
        let lines = f.driver.frame.lines()
        // The first pack on screen, as drawn, then a click on it.
        let top = 5  // the list's first row at 60×20: tab bar, border, filter line, progress line, blank
        let shown = try XCTUnwrap(lines[top + 1].range(of: #"pack-\d\d"#, options: .regularExpression).map { String(lines[top + 1][$0]) })
        f.driver.click(x: 10, y: top)
        let picked = f.driver.model.picker.visible[f.driver.model.picker.selection].path
        XCTAssertTrue(picked.hasSuffix(shown + ".pack"), "clicked \(shown), selected \(picked):\n\(f.screen)")
        XCTAssertNotEqual(f.driver.model.picker.selection, 0)
    }

    func testBadTimesAndEmptyTranscriptsAreHandled() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.character(":"))
        f.driver.type("99999999999999999999")
        f.driver.press(.enter)
        XCTAssertTrue(f.driver.model.status.error?.contains("unknown command") ?? false, f.driver.model.status.error ?? "")
        f.driver.press(.alt("3"))
        f.driver.press(.character(":"))
        f.driver.type("1:75")
        f.driver.press(.enter)
        XCTAssertNotNil(f.driver.model.status.error)
        // A video without segments: keys do nothing harmful.
        let empty = VideoTranscript(videoID: "x", title: "Empty", url: "", durationSec: 0, segments: [], sections: [], summary: nil)
        f.driver.deliver(.pane(TranscriptPane.id, TranscriptPane.Msg.loaded(.success(empty), segments: [], jumpMs: nil)))
        for key in [Key.character("y"), .character("j"), .character("G"), .character("n"), .pageDown] { f.driver.press(key) }
        XCTAssertTrue(f.screen.contains("This video has no transcript."), f.screen)
    }

    /// History kept in the data folder (where it lived before the state folder) is still there for the user.
    func testHistoryFromBeforeTheStateFolderIsRead() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-legacy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let legacy = root.appendingPathComponent("data/history/coffee-lab.txt")
        try FileManager.default.createDirectory(at: legacy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "an old question\n".write(to: legacy, atomically: true, encoding: .utf8)
        let f = try ExplorerFixture(environment: ["YTCE_DATA_DIR": root.appendingPathComponent("data").path, "HOME": root.path])
        defer { f.cleanUp() }
        await f.waitForPack()
        _ = await f.driver.waitUntil { !$0.ask.history.questions.isEmpty }
        f.driver.press(.up)
        XCTAssertEqual(f.driver.model.ask.input.value, "an old question")
    }
}
