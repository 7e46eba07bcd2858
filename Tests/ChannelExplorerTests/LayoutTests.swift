@testable import ChannelExplorer
import Foundation
import PackKit
import TUI
import XCTest

/// Every screen at the smallest supported size, a large one, and below the minimum; wide characters.
final class LayoutTests: XCTestCase {
    /// Each row is exactly `width` columns and the frame's corners are where they belong (no garbage).
    func assertWellFormed(_ buffer: CellBuffer, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for (y, row) in buffer.lines().enumerated() {
            XCTAssertEqual(DisplayWidth.of(row), buffer.width, "\(what): row \(y) is \(DisplayWidth.of(row)) columns", file: file, line: line)
        }
        let lines = buffer.lines()
        XCTAssertTrue(lines[1].hasPrefix("┏") || lines[1].hasPrefix("┌"), "\(what): no frame at the top left:\n\(buffer.text())", file: file, line: line)
        XCTAssertTrue(lines[buffer.height - 2].hasSuffix("┛") || lines[buffer.height - 2].hasSuffix("┘"),
                      "\(what): no frame at the bottom right:\n\(buffer.text())", file: file, line: line)
        XCTAssertTrue(lines[buffer.height - 1].contains("? help"), "\(what): no status bar:\n\(buffer.text())", file: file, line: line)
        // Nothing draws over the pane borders (the last column may hold a scrollbar).
        for y in 2..<(buffer.height - 2) {
            let first = buffer[0, y].grapheme
            XCTAssertTrue(first == "┃" || first == "│" || first == "╭" || first == "│", "\(what): row \(y) lost its left border:\n\(buffer.text())", file: file, line: line)
            let last = buffer[buffer.width - 1, y].grapheme
            XCTAssertTrue("┃│█▐░▒".contains(last), "\(what): row \(y) lost its right border ('\(last)'):\n\(buffer.text())", file: file, line: line)
        }
    }

    func testEveryPaneAtTheMinimumAndALargeSize() async throws {
        let f = try ExplorerFixture(width: 60, height: 20)
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("what water recipe do you use")
        for (width, height) in [(60, 20), (200, 60), (61, 21), (110, 30)] {
            f.driver.resize(width: width, height: height)
            for pane in ["1", "2", "3", "4", "5"] {
                f.driver.press(.alt(Character(pane)))
                if pane == "3" { f.driver.press(.alt("2")); f.driver.press(.enter); _ = await f.driver.waitUntil { $0.transcript.transcript != nil } }
                if pane == "4" { _ = await f.driver.waitUntil { !$0.library.videos.isEmpty } }
                assertWellFormed(f.driver.frame, "pane \(pane) at \(width)×\(height)")
            }
            f.driver.press(.character("?"))
            assertWellFormed(f.driver.frame, "help at \(width)×\(height)")
            XCTAssertTrue(f.screen.contains("Keys"), f.screen)
            f.driver.press(.escape)
        }
    }

    func testALongAnswerIsShownFromItsQuestion() async throws {
        // Answers are short by default (80 words); a user who asks for longer ones gets one taller than this pane.
        let config = try PackConfig.parse(Data(#"{"answer": {"max_sentences": 8, "max_words": 250}}"#.utf8), file: "test.json")
        let f = try ExplorerFixture(width: 60, height: 20, config: config)
        defer { f.cleanUp() }
        await f.waitForPack()
        await f.ask("what water recipe do you use")
        let screen = f.screen
        XCTAssertTrue(screen.contains("❯ what water recipe do you use"), "the question stays in view:\n\(screen)")
        XCTAssertGreaterThan(f.driver.model.ask.scrollFromBottom, 0, "the answer is taller than the pane here")
        f.driver.press(.escape)  // to the conversation
        f.driver.press(.character("G"))
        XCTAssertEqual(f.driver.model.ask.scrollFromBottom, 0)
    }

    func testBelowTheMinimumSizeSaysSo() async throws {
        let f = try ExplorerFixture(width: 59, height: 20)
        defer { f.cleanUp() }
        XCTAssertTrue(f.screen.contains("terminal too small"), f.screen)
        XCTAssertTrue(f.screen.contains("at least 60×20"), f.screen)
        f.driver.resize(width: 80, height: 19)
        XCTAssertTrue(f.screen.contains("terminal too small"), f.screen)
        f.driver.resize(width: 80, height: 24)
        XCTAssertFalse(f.screen.contains("terminal too small"), f.screen)
    }

    func testWideCharactersInTranscriptsKeepColumnsAligned() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-wide-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var srt = ""
        for i in 0..<30 {
            let text = i % 3 == 0 ? "コーヒーの抽出は挽き目で変わります。細かいほど速く抽出されます 😀☕ \(i)"
                : i % 3 == 1 ? "The grind size changes extraction 👍🏽 and 中文字符 mixed with English words \(i)" : "plain ascii line number \(i)"
            func stamp(_ s: Int) -> String { String(format: "00:%02d:%02d,000", s / 60, s % 60) }
            srt += "\(i + 1)\n\(stamp(i * 3)) --> \(stamp(i * 3 + 3))\n\(text)\n\n"
        }
        let pack = try Self.build(in: dir, channel: #"{"channel_id":"wide","title":"東京コーヒー ☕","description":"","source":"test"}"#,
                                  videos: #"[{"video_id":"wide0000001","title":"抽出の科学 🎉 Extraction","description":"","published_at":"2025-01-01T00:00:00Z","duration_sec":120,"url":"https://www.youtube.com/watch?v=wide0000001"}]"#,
                                  transcripts: ["wide0000001.srt": srt])

        let f = try ExplorerFixture(width: 60, height: 20, packs: [pack.path])
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.transcript.transcript != nil }
        for (width, height) in [(60, 20), (200, 60), (73, 25)] {
            f.driver.resize(width: width, height: height)
            let buffer = f.driver.frame
            assertWellFormed(buffer, "CJK transcript at \(width)×\(height)")
            XCTAssertTrue(buffer.text().contains("コーヒー"), buffer.text())
            XCTAssertTrue(buffer.text().contains("抽出の科学"), buffer.text())
        }
        f.driver.press(.alt("1"))
        await f.ask("挽き目 extraction")
        assertWellFormed(f.driver.frame, "CJK answer")
    }

    /// A pack without upload dates (and nothing summarised) gives the library's empty date and status columns to the
    /// titles: at 60 columns py4e's titles were cut to 17 characters beside 26 blank ones.
    func testLibraryColumnsNoVideoFillsGiveTheirRoomToTitles() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-undated-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let title = "Counting Word Frequency using a Dictionary (Chapter 9)"
        let pack = try Self.build(in: dir, channel: #"{"channel_id":"undated","title":"Undated","description":"","source":"test"}"#,
                                  videos: #"[{"video_id":"undated0001","title":"\#(title)","description":"","published_at":"","duration_sec":1463,"url":""}]"#,
                                  transcripts: ["undated0001.srt": "1\n00:00:00,000 --> 00:00:03,000\nA dictionary counts the words.\n\n"])

        let f = try ExplorerFixture(width: 60, height: 20, packs: [pack.path])
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        let row = try XCTUnwrap(f.driver.frame.lines().first { $0.contains("24:23") }, f.screen)
        // 56 columns inside the border: the mark, the title, then "24:23  1 sect " at the right edge.
        XCTAssertTrue(row.contains("Counting Word Frequency using a Dictiona…"), row)
        XCTAssertTrue(row.hasSuffix("24:23  1 sect ┃"), row)
    }

    /// A pack built from a channel folder written in `dir` (channel.json, videos.json, transcripts by file name).
    static func build(in dir: URL, channel: String, videos: String, transcripts: [String: String]) throws -> URL {
        let input = dir.appendingPathComponent("channel")
        try FileManager.default.createDirectory(at: input.appendingPathComponent("transcripts"), withIntermediateDirectories: true)
        try channel.write(to: input.appendingPathComponent("channel.json"), atomically: true, encoding: .utf8)
        try videos.write(to: input.appendingPathComponent("videos.json"), atomically: true, encoding: .utf8)
        for (name, text) in transcripts {
            try text.write(to: input.appendingPathComponent("transcripts/\(name)"), atomically: true, encoding: .utf8)
        }
        let pack = dir.appendingPathComponent("test.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        return pack
    }
}
