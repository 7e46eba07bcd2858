import XCTest
@testable import TUI

final class CellBufferTests: XCTestCase {
    func testPutASCIIAndClipping() {
        var b = CellBuffer(width: 5, height: 2)
        XCTAssertEqual(b.put("hello world", x: 0, y: 0, style: .plain), 5)
        XCTAssertEqual(b.lines(), ["hello", "     "])
        XCTAssertEqual(b.put("abc", x: 3, y: 1, style: .plain), 2)
        XCTAssertEqual(b.lines()[1], "   ab")
        XCTAssertEqual(b.put("zz", x: 0, y: 5, style: .plain), 0)
        XCTAssertEqual(b.put("xyz", x: 1, y: 1, style: .plain, maxWidth: 1), 1)
        XCTAssertEqual(b.lines()[1], " x ab")
    }

    func testWideCharactersUseContinuationCells() {
        var b = CellBuffer(width: 6, height: 1)
        XCTAssertEqual(b.put("漢字a", x: 0, y: 0, style: .plain), 5)
        XCTAssertEqual(b[0, 0].width, 2)
        XCTAssertTrue(b[1, 0].isContinuation)
        XCTAssertEqual(b[2, 0].grapheme, "字")
        XCTAssertEqual(b.lines(), ["漢字a "])
    }

    func testWideCharacterThatDoesNotFitBecomesSpace() {
        var b = CellBuffer(width: 3, height: 1)
        XCTAssertEqual(b.put("a漢字", x: 0, y: 0, style: .plain), 3)
        XCTAssertEqual(b.lines(), ["a漢"])
        var c = CellBuffer(width: 4, height: 1)
        c.put("ab😀", x: 0, y: 0, style: .plain, maxWidth: 3)
        XCTAssertEqual(c.lines(), ["ab  "])
        XCTAssertEqual(c[2, 0].width, 1)
    }

    func testOverwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var b = CellBuffer(width: 4, height: 1)
        b.put("漢字", x: 0, y: 0, style: .plain)
        b.put("x", x: 1, y: 0, style: .plain)  // right half of 漢
        XCTAssertEqual(b.lines(), [" x字"])
        XCTAssertEqual(b[0, 0].width, 1)
        b.put("y", x: 2, y: 0, style: .plain)  // left half of 字
        XCTAssertEqual(b.lines(), [" xy "])
        XCTAssertFalse(b.cells.contains { $0.width == 0 })
    }

    func testNegativeStartClipsAndFill() {
        var b = CellBuffer(width: 4, height: 2)
        b.put("abcdef", x: -2, y: 0, style: .plain)
        XCTAssertEqual(b.lines()[0], "cdef")
        b.put("漢a", x: -1, y: 1, style: .plain)
        XCTAssertEqual(b.lines()[1], " a  ")
        let s = Style(bold: true)
        b.fill(Rect(x: 2, y: 0, width: 10, height: 10), style: s)
        XCTAssertEqual(b.lines()[0], "cd  ")
        XCTAssertEqual(b[3, 1].style, s)
        XCTAssertEqual(b[5, 5], .blank)  // outside reads blank
    }

    func testEmojiAndCombiningMarks() {
        var b = CellBuffer(width: 6, height: 1)
        XCTAssertEqual(b.put("😀é", x: 0, y: 0, style: .plain), 3)
        XCTAssertEqual(b.lines(), ["😀é   "])
        XCTAssertEqual(DisplayWidth.of("e\u{301}"), 1)
        XCTAssertEqual(DisplayWidth.of("👍🏽"), 2)
        XCTAssertEqual(DisplayWidth.of("한국어"), 6)
    }

    func testASCIIFollowedByCombiningMarkStaysOneCell() {
        var b = CellBuffer(width: 6, height: 1)
        XCTAssertEqual(b.put("abe\u{301}c", x: 0, y: 0, style: .plain), 4)
        XCTAssertEqual(b[2, 0].grapheme, "e\u{301}")
        XCTAssertEqual(b[3, 0].grapheme, "c")
        var c = CellBuffer(width: 6, height: 1)
        XCTAssertEqual(c.put("abcdef", x: -3, y: 0, style: .plain, maxWidth: 5), 5)  // columns advanced, off-screen ones too
        XCTAssertEqual(c.lines(), ["de    "])
        XCTAssertEqual(c.put(Substring("xy"), x: 4, y: 0, style: .plain), 2)
    }

    func testTextTrimsAndCursor() {
        var b = CellBuffer(width: 5, height: 2)
        b.put("hi", x: 0, y: 0, style: .plain)
        XCTAssertEqual(b.text(), "hi\n")
        XCTAssertNil(b.cursor)
        b.cursor = Point(x: 2, y: 0)
        XCTAssertEqual(b.cursor, Point(x: 2, y: 0))
        XCTAssertEqual(b.text(in: Rect(x: 0, y: 0, width: 3, height: 1)), ["hi "])
    }

    func testRectHelpers() {
        let r = Rect(x: 0, y: 0, width: 10, height: 6)
        XCTAssertEqual(r.columns([3, 4, 0]).map(\.width), [3, 4, 3])
        XCTAssertEqual(r.rows([1, 0]).map(\.height), [1, 5])
        XCTAssertEqual(r.centered(width: 4, height: 2), Rect(x: 3, y: 2, width: 4, height: 2))
        XCTAssertEqual(r.splitRight(3).1, Rect(x: 7, y: 0, width: 3, height: 6))
        XCTAssertTrue(r.intersection(Rect(x: 20, y: 0, width: 2, height: 2)).isEmpty)
    }

    /// The issue's budget: a full 200×60 frame into the buffer in at most 2 ms (release build; debug is slower).
    func testFullFrameRenderIsFast() {
        let theme = Theme.builtinDefault
        let items = (0..<200).map { i in
            ListItem(StyledLine([Span("[\(i)] ", style: theme[.accent]), Span("Video title number \(i) — 漢字 and more text here", style: theme[.text])]))
        }
        let para = (0..<80).map { StyledLine("Paragraph line \($0) with some words that wrap around the pane width nicely 字幕", style: theme[.text]) }
        func frame() -> CellBuffer {
            var b = CellBuffer(width: 200, height: 60)
            b.fill(b.area, style: theme[.text])
            let (left, right) = b.area.splitLeft(80)
            let inner = Block(title: "Citations", focused: true, theme: theme).render(into: &b, area: left)
            ListView(items, selectedStyle: theme[.selection]).render(into: &b, area: inner, state: ListState(selected: 30))
            let inner2 = Block(title: "Transcript", focused: false, theme: theme).render(into: &b, area: right)
            Paragraph(para, scroll: 10).render(into: &b, area: inner2)
            return b
        }
        _ = frame()
        let start = DispatchTime.now()
        let runs = 20
        for _ in 0..<runs { _ = frame() }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6 / Double(runs)
        print("200x60 frame: \(String(format: "%.3f", ms)) ms")
        #if DEBUG
        XCTAssertLessThan(ms, 60)
        #else
        XCTAssertLessThan(ms, 2)
        #endif
    }
}
