import Foundation
import PackKit
import TestHarness
import XCTest

/// The analyst's workbench in a real terminal (tmux): search and pin three moments into a brief exported as
/// Markdown; a topic's timeline drawn and a bar opened; a question compared across two packs.
final class WorkbenchEndToEndTests: TerminalTestCase {
    /// Starts ytce on a copy of the sample pack.
    func start() throws -> URL {
        let binary = try TerminalEndToEndTests.ytceBinary()
        let pack = work.appendingPathComponent("coffee-lab.pack")
        try FileManager.default.copyItem(atPath: ExplorerFixture.samplePack, toPath: pack.path)
        let env = "YTCE_DATA_DIR=\(work.path)/data YTCE_CACHE_DIR=\(work.path)/cache HOME=\(work.path) TERM=xterm-256color"
        terminal.start("cd \(work.path) && env \(env) \(binary) \(pack.path); sleep 60", width: 120, height: 40)
        waitFor("the question pane") { $0.contains("Ask Coffee Lab a question") }
        return pack
    }

    func testSearchPinThreeMomentsAndExportTheBrief() throws {
        _ = try start()
        terminal.keys("M-2")
        waitFor("the citation browser") { $0.contains("┏━ Citations") }
        terminal.keys("/")
        waitFor("the search pane") { $0.contains("┏━ Search") }
        terminal.type("espresso")
        terminal.keys("Enter")
        waitFor("the hits") { $0.contains("moments for espresso") && $0.contains("1. ") }
        for i in 1...3 {
            terminal.type("p")
            waitFor("pin \(i)") { $0.contains("pin \(i) of the brief") }
            terminal.type("j")
        }
        terminal.keys("M-8")
        waitFor("the brief") { $0.contains("Brief · 3 pins") }
        // The second pin first, then a note on it.
        terminal.type("j")
        terminal.type("K")
        terminal.type("e")
        waitFor("the note prompt") { $0.contains("Note for the pin") }
        terminal.type("the key claim")
        terminal.keys("Enter")
        waitFor("the note shown") { $0.contains("— the key claim") }
        let file = work.appendingPathComponent("brief.md").path
        palette("export-brief \(file)")
        waitFor("the export") { $0.contains("brief exported to") }
        let markdown = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(markdown.hasPrefix("# Brief · Coffee Lab\n"), markdown)
        let headings = markdown.split(separator: "\n").filter { $0.hasPrefix("## ") }
        XCTAssertEqual(headings.count, 3, markdown)
        XCTAssertTrue(headings.allSatisfy { $0.contains("(") && $0.contains("-") }, "each pin has its time range: \(headings)")
        XCTAssertEqual(markdown.components(separatedBy: "https://youtu.be/").count - 1, 6, "a link per pin (text and target)")
        let quotes = markdown.split(separator: "\n").filter { $0.hasPrefix("> ") }
        XCTAssertEqual(quotes.count, 3, markdown)
        // A pin keeps the passage where the search's word is said, not the whole minutes-long moment.
        for quote in quotes { XCTAssertTrue(quote.prefix(160).lowercased().contains("espresso"), String(quote)) }
        XCTAssertEqual(markdown.split(separator: "\n").filter { $0.hasPrefix("[https://youtu.be/") && $0.hasSuffix(") · Coffee Lab") }.count, 3,
                       "each pin names its pack")
        // The note belongs to the pin moved first.
        let firstPin = try XCTUnwrap(markdown.range(of: "## 1."))
        let secondPin = try XCTUnwrap(markdown.range(of: "## 2."))
        let note = try XCTUnwrap(markdown.range(of: "Note: the key claim"))
        XCTAssertTrue(firstPin.upperBound < note.lowerBound && note.lowerBound < secondPin.lowerBound, markdown)
        // The pins were saved with the conversation: `ytce sessions show` (another process) lists them, in order,
        // with the note.
        terminal.keys("C-c")
        Thread.sleep(forTimeInterval: 0.5)
        let show = Process()
        show.executableURL = URL(fileURLWithPath: try TerminalEndToEndTests.ytceBinary())
        show.arguments = ["sessions", "show", "1"]
        show.environment = ["YTCE_DATA_DIR": "\(work.path)/data", "HOME": work.path]
        let out = Pipe()
        show.standardOutput = out
        try show.run()
        let shown = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        show.waitUntilExit()
        XCTAssertEqual(show.terminationStatus, 0, shown)
        XCTAssertTrue(shown.contains("Brief (3 pins):\n1. ") && shown.contains("— the key claim\n2. "), shown)
    }

    func testTimelineChartDrawnAndABarOpened() throws {
        _ = try start()
        terminal.keys("M-7")
        waitFor("the timeline pane") { $0.contains("┏━ Timeline") }
        terminal.type("/espresso")
        terminal.keys("Enter")
        // Every month's bar: a capture can catch the terminal mid-frame, with the first bar drawn and the rest not yet.
        let months = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
        waitFor("the chart, a bar for each upload month") { screen in
            screen.contains("moments per upload month") && screen.contains("█") && months.allSatisfy { screen.contains($0) }
        }
        terminal.keys("Enter")
        waitFor("the bar's moments") { $0.contains("moments for espresso, best first") }
        terminal.keys("Enter")
        waitFor("the transcript at the moment") { $0.contains(":TIME jump") && $0.contains("▌") }
    }

    func testCompareTwoPacks() throws {
        let other: String
        do { other = try TestSupportPaths.referencePack("hf-course.pack") } catch { throw XCTSkip("\(error)") }
        _ = try start()
        palette("compare \(other) how do I tokenize text")
        // One answer: each channel that answers under its name, the sources named by channel, the scores explained.
        let text = waitFor("the combined answer", timeout: 60) { $0.contains("Scores compare across channels") }
        XCTAssertTrue(text.contains("Compare · how do I tokenize text"), text)
        XCTAssertTrue(text.contains("Hugging Face Course: "), text)
        XCTAssertTrue(text.contains("] [Hugging Face Course] "), text)
    }
}

/// The shared fixtures, for the terminal tests.
enum TestSupportPaths {
    struct Missing: Error, CustomStringConvertible { let description: String }

    static func referencePack(_ name: String) throws -> String {
        let path = ExplorerFixture.repository.deletingLastPathComponent().appendingPathComponent("shared/fixtures/reference-packs/\(name)").path
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(description: "../shared not found (\(path)): this test needs its reference packs") }
        return path
    }
}
