import XCTest
@testable import TUI

final class TextFieldTests: XCTestCase {
    func field(_ s: String, cursor: Int? = nil) -> TextField {
        var f = TextField(s)
        if let cursor { f.moveCursor(to: cursor) }
        return f
    }

    func testInsertAndMove() {
        var f = TextField()
        for c in "helo" { XCTAssertTrue(f.handle(.character(c))) }
        f.handle(.left)
        f.handle(.character("l"))
        XCTAssertEqual(f.value, "hello")
        XCTAssertEqual(f.cursor, 4)
        f.handle(.home); XCTAssertEqual(f.cursor, 0)
        f.handle(.end); XCTAssertEqual(f.cursor, 5)
        f.handle(.control("a")); XCTAssertEqual(f.cursor, 0)
        f.handle(.control("e")); XCTAssertEqual(f.cursor, 5)
        f.handle(.right); XCTAssertEqual(f.cursor, 5)
        XCTAssertFalse(f.handle(.enter))
        XCTAssertFalse(f.handle(.up))
    }

    func testDeletionKeys() {
        var f = field("hello big world")
        f.handle(.control("w")); XCTAssertEqual(f.value, "hello big ")
        f.handle(.backspace); XCTAssertEqual(f.value, "hello big")
        f.handle(.alt("b")); XCTAssertEqual(f.cursor, 6)
        f.handle(.control("k")); XCTAssertEqual(f.value, "hello ")
        f.handle(.left); f.handle(.left)
        f.handle(.delete); XCTAssertEqual(f.value, "hell ")
        f.handle(.control("u")); XCTAssertEqual(f.value, " "); XCTAssertEqual(f.cursor, 0)
        f.handle(.backspace); XCTAssertEqual(f.value, " ")
    }

    func testWordMotion() {
        var f = field("alpha, beta gamma", cursor: 0)
        f.handle(.alt("f")); XCTAssertEqual(f.cursor, 5)
        f.handle(.alt("f")); XCTAssertEqual(f.cursor, 11)
        f.handle(.alt("b")); XCTAssertEqual(f.cursor, 7)
        f.handle(.alt("d")); XCTAssertEqual(f.value, "alpha,  gamma")
    }

    func testWideCharsAndCursorColumn() {
        var f = field("漢字a")
        XCTAssertEqual(f.cursorColumn, 5)
        f.handle(.left); f.handle(.left)
        XCTAssertEqual(f.cursorColumn, 2)
        f.handle(.backspace)
        XCTAssertEqual(f.value, "字a")
        var b = CellBuffer(width: 10, height: 1)
        f.render(into: &b, area: b.area, style: .plain, focused: true)
        XCTAssertEqual(b.lines(), ["字a       "])
        XCTAssertEqual(b.cursor, Point(x: 0, y: 0))
    }

    func testHorizontalScrollKeepsCursorVisible() {
        var f = TextField("", viewWidth: 5)
        for c in "abcdefgh" { f.handle(.character(c)) }
        var b = CellBuffer(width: 5, height: 1)
        f.render(into: &b, area: b.area, style: .plain, focused: true)
        XCTAssertEqual(b.lines(), ["efgh "])
        XCTAssertEqual(b.cursor, Point(x: 4, y: 0))
        f.handle(.home)
        b = CellBuffer(width: 5, height: 1)
        f.render(into: &b, area: b.area, style: .plain, focused: true)
        XCTAssertEqual(b.lines(), ["abcde"])
        XCTAssertEqual(b.cursor, Point(x: 0, y: 0))
        // Sticky: moving right within the view does not scroll.
        f.handle(.right); f.handle(.right)
        XCTAssertEqual(f.scrollColumn, 0)
        // Without a viewWidth the render still shows the cursor.
        var g = TextField("漢字漢字漢字")
        b = CellBuffer(width: 5, height: 1)
        g.render(into: &b, area: b.area, style: .plain, focused: true)
        XCTAssertEqual(b.cursor, Point(x: 4, y: 0))
        XCTAssertEqual(b.lines(), ["漢字 "])
        g.moveCursor(to: 3)  // cursor column 6: columns 2..6 show, the cut 字 at the right edge as a blank
        b = CellBuffer(width: 5, height: 1)
        g.render(into: &b, area: b.area, style: .plain, focused: true)
        XCTAssertEqual(b.cursor, Point(x: 4, y: 0))
        XCTAssertEqual(b.lines(), ["字漢 "])
        g.handle(.home)
        b = CellBuffer(width: 5, height: 1)
        g.render(into: &b, area: b.area, style: .plain, focused: false, placeholder: "x")
        XCTAssertNil(b.cursor)
    }

    func testPlaceholderAndPaste() {
        var f = TextField(maxLength: 5)
        var b = CellBuffer(width: 8, height: 1)
        f.render(into: &b, area: b.area, style: .plain, focused: true, placeholder: "Ask…")
        XCTAssertEqual(b.lines(), ["Ask…    "])
        f.insert("a\nbcdefg")
        XCTAssertEqual(f.value, "a bcd")
    }
}

final class ListViewTests: XCTestCase {
    func testScrollKeepsSelectionVisible() {
        var s = ListState()
        let count = 20, h = 5
        for _ in 0..<7 { s.moveDown(count: count, visibleHeight: h) }
        XCTAssertEqual(s.selected, 7)
        XCTAssertEqual(s.offset, 3)
        s.moveUp(4, count: count, visibleHeight: h)
        XCTAssertEqual(s.selected, 3)
        XCTAssertEqual(s.offset, 3)
        s.moveUp(count: count, visibleHeight: h)
        XCTAssertEqual(s.offset, 2)
        s.end(count: count, visibleHeight: h)
        XCTAssertEqual(s.selected, 19); XCTAssertEqual(s.offset, 15)
        s.home(count: count, visibleHeight: h)
        XCTAssertEqual(s.selected, 0); XCTAssertEqual(s.offset, 0)
        s.moveUp(count: count, visibleHeight: h)
        XCTAssertEqual(s.selected, 0)
    }

    func testPaging() {
        var s = ListState()
        s.pageDown(count: 20, visibleHeight: 5)
        XCTAssertEqual(s.selected, 5); XCTAssertEqual(s.offset, 5)
        s.pageDown(count: 20, visibleHeight: 5)
        s.pageDown(count: 20, visibleHeight: 5)
        s.pageDown(count: 20, visibleHeight: 5)
        XCTAssertEqual(s.selected, 19); XCTAssertEqual(s.offset, 15)
        s.pageUp(count: 20, visibleHeight: 5)
        XCTAssertEqual(s.selected, 14); XCTAssertEqual(s.offset, 10)
        var e = ListState()
        e.pageDown(count: 0, visibleHeight: 5)
        XCTAssertNil(e.selected)
    }

    func testWheelScrollDragsSelection() {
        var s = ListState()
        s.scroll(by: 3, count: 20, visibleHeight: 5)
        XCTAssertEqual(s.offset, 3); XCTAssertEqual(s.selected, 3)
        s.scroll(by: 100, count: 20, visibleHeight: 5)
        XCTAssertEqual(s.offset, 15)
    }

    func testRenderShowsSelectionEvenWithStaleOffset() {
        let items = (0..<10).map { ListItem(StyledLine("item \($0)")) }
        let view = ListView(items, selectedStyle: Style(reverse: true), highlightSymbol: "> ")
        var b = CellBuffer(width: 10, height: 3)
        view.render(into: &b, area: b.area, state: ListState(selected: 6, offset: 0))
        XCTAssertEqual(b.lines(), ["  item 4  ", "  item 5  ", "> item 6  "])
        XCTAssertTrue(b[9, 2].style.reverse)
        XCTAssertEqual(view.index(atRow: 1, area: b.area, state: ListState(selected: 6, offset: 0)), 5)
    }

    func testMultiRowItemsAndEmpty() {
        let items = (0..<4).map { ListItem(lines: [StyledLine("t\($0)"), StyledLine("  s\($0)")]) }
        var b = CellBuffer(width: 6, height: 4)
        let view = ListView(items)
        view.render(into: &b, area: b.area, state: ListState(selected: 2, offset: 0))
        XCTAssertEqual(b.text(), "t1\n  s1\nt2\n  s2")
        XCTAssertEqual(view.index(atRow: 3, area: b.area, state: ListState(selected: 2)), 2)
        b = CellBuffer(width: 6, height: 2)
        ListView([], emptyText: "none").render(into: &b, area: b.area, state: ListState())
        XCTAssertEqual(b.text(), "none\n")
    }
}

final class BlockAndOverlayTests: XCTestCase {
    func testBlockBorderAndTitle() {
        var b = CellBuffer(width: 13, height: 3)
        let inner = Block(title: "Title", rightTitle: "3/9").render(into: &b, area: b.area)
        XCTAssertEqual(inner, Rect(x: 1, y: 1, width: 11, height: 1))
        XCTAssertEqual(b.lines(), ["┌─Title─3/9─┐", "│           │", "└───────────┘"])
        var tiny = CellBuffer(width: 1, height: 1)
        XCTAssertTrue(Block().render(into: &tiny, area: tiny.area).isEmpty)
    }

    func testFocusedBlockUsesThemeAndThickBorder() {
        var b = CellBuffer(width: 10, height: 3)
        Block(title: "A", focused: true, theme: .builtinDefault).render(into: &b, area: b.area)
        XCTAssertEqual(b[0, 0].grapheme, "┏")
        XCTAssertEqual(b[0, 0].style, Theme.builtinDefault[.borderFocused])
    }

    func testOverlayCenteredAndParagraphScroll() {
        var b = CellBuffer(width: 30, height: 10)
        let rect = Overlay.text(into: &b, area: b.area, title: "Help", lines: ["q  quit", "?  help"], theme: .builtinDefault)
        XCTAssertEqual(rect.height, 4)
        XCTAssertTrue(b.text().contains("Help"))
        XCTAssertTrue(b.text().contains("q  quit"))
        var p = CellBuffer(width: 5, height: 2)
        Paragraph(["aaa bbb ccc"], scroll: 1).render(into: &p, area: p.area)
        XCTAssertEqual(p.lines(), ["bbb  ", "ccc  "])
    }

    func testProgressAndSpinner() {
        var b = CellBuffer(width: 10, height: 1)
        ProgressBar(fraction: 0.5).render(into: &b, area: b.area)
        XCTAssertEqual(b.lines(), ["███─── 50%"])
        XCTAssertEqual(Spinner.frame(0), "⠋")
        XCTAssertEqual(Spinner.frame(-1), "⠏")
        var c = CellBuffer(width: 10, height: 1)
        ProgressBar(fraction: nil, label: "…", tick: 3).render(into: &c, area: c.area)
        XCTAssertTrue(c.lines()[0].contains("█"))
    }
}

final class ParagraphTests: XCTestCase {
    func testLazyWrapMatchesFullWrap() {
        let lines = (0..<30).map { StyledLine("line \($0) has several words 漢字 that wrap") }
        for scroll in [0, 1, 5, 17, 40, 200] {
            var a = CellBuffer(width: 12, height: 6)
            Paragraph(lines, scroll: scroll).render(into: &a, area: a.area)
            var b = CellBuffer(width: 12, height: 6)
            let rows = lines.wrapped(width: 12)
            Paragraph(rows, wrap: false, scroll: scroll).render(into: &b, area: b.area)
            XCTAssertEqual(a.lines(), b.lines(), "scroll \(scroll)")
        }
        XCTAssertEqual(Paragraph(lines).maxScroll(width: 12, height: 6), lines.wrapped(width: 12).count - 6)
    }
}
