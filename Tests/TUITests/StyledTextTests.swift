import XCTest
@testable import TUI

final class StyledTextTests: XCTestCase {
    func plain(_ lines: [StyledLine]) -> [String] { lines.map(\.plainText) }

    func testWrapAtSpaces() {
        let l = StyledLine("the quick brown fox jumps")
        XCTAssertEqual(plain(l.wrapped(width: 10)), ["the quick", "brown fox", "jumps"])
        XCTAssertEqual(plain(l.wrapped(width: 100)), ["the quick brown fox jumps"])
        XCTAssertEqual(plain(StyledLine("").wrapped(width: 5)), [""])
    }

    func testLongWordsAreBroken() {
        XCTAssertEqual(plain(StyledLine("abcdefghij").wrapped(width: 4)), ["abcd", "efgh", "ij"])
        XCTAssertEqual(plain(StyledLine("hi abcdefghij").wrapped(width: 5)), ["hi ab", "cdefg", "hij"])
    }

    func testCJKWrapsBetweenCharactersByWidth() {
        let wrapped = StyledLine("日本語のテキストです").wrapped(width: 7)
        XCTAssertEqual(plain(wrapped), ["日本語", "のテキ", "ストで", "す"])
        for line in wrapped { XCTAssertLessThanOrEqual(line.width, 7) }
        XCTAssertEqual(plain(StyledLine("ab 漢字").wrapped(width: 4)), ["ab", "漢字"])
        XCTAssertEqual(plain(StyledLine("ab 漢字").wrapped(width: 5)), ["ab 漢", "字"])
    }

    func testEmojiCountsTwoColumns() {
        let wrapped = StyledLine("😀😀😀 ok").wrapped(width: 4)
        XCTAssertEqual(plain(wrapped), ["😀😀", "😀", "ok"])
    }

    func testHardBreaksAndStylesSurvive() {
        let bold = Style(bold: true)
        var l = StyledLine("one ", style: .plain)
        l.append("two\nthree", style: bold)
        let wrapped = l.wrapped(width: 20)
        XCTAssertEqual(plain(wrapped), ["one two", "three"])
        XCTAssertEqual(wrapped[0].spans, [Span("one ", style: .plain), Span("two", style: bold)])
        XCTAssertEqual(wrapped[1].spans, [Span("three", style: bold)])
    }

    func testDrawClipsToRect() {
        var b = CellBuffer(width: 10, height: 2)
        b.draw(StyledLine([Span("ab", style: Style(bold: true)), Span("cdefgh")]), in: Rect(x: 2, y: 1, width: 4, height: 1))
        XCTAssertEqual(b.lines()[1], "  abcd    ")
        XCTAssertTrue(b[2, 1].style.bold)
        XCTAssertFalse(b[4, 1].style.bold)
        b.draw("xy", in: Rect(x: 0, y: 0, width: 10, height: 1), alignment: .right)
        XCTAssertEqual(b.lines()[0], "        xy")
    }

    func testTruncate() {
        XCTAssertEqual(StyledLine("hello world").truncated(to: 6).plainText, "hello…")
        XCTAssertEqual(StyledLine("漢字漢字").truncated(to: 4).plainText, "漢…")
        XCTAssertEqual(StyledLine("ok").truncated(to: 6).plainText, "ok")
    }
}
