import XCTest
@testable import TUI

/// Buffers reused across frames, and rows drawn once and copied into frames.
final class CellBufferReuseTests: XCTestCase {
    func testResetBlanksTheBufferAndItsCursorAndTakesANewSize() {
        var b = CellBuffer(width: 4, height: 2)
        b.put("ab界", x: 0, y: 0, style: Style(bold: true))
        b.cursor = Point(x: 1, y: 1)
        b.reset(width: 4, height: 2)
        XCTAssertEqual(b, CellBuffer(width: 4, height: 2))
        b.put("x", x: 3, y: 1, style: .plain)
        b.reset(width: 3, height: 5)
        XCTAssertEqual(b, CellBuffer(width: 3, height: 5))
    }

    /// The runtime draws each frame into a reused buffer: a frame shows only what it drew, nothing of the one before.
    func testFramesDrawnIntoReusedBuffersKeepNothingOfEarlierFrames() {
        struct Echo: Program {
            func update(_ model: inout String, _ message: Character?) -> [Effect<Character?>] {
                if let message { model.append(message) }
                return []
            }
            func view(_ model: String, into buffer: inout CellBuffer) { buffer.put(String(model.suffix(1)), x: model.count, y: 0, style: .plain) }
            func message(for event: InputEvent) -> Character? {
                if case .key(.character(let c)) = event { return c }
                return nil
            }
        }
        let driver = Runtime(program: Echo(), model: "", backend: TestBackend(width: 6, height: 1))
        for c in "abc" { driver.press(.character(c)) }
        XCTAssertEqual(driver.frame.lines(), ["   c  "])
    }

    func testCopyingRowsClipsAndBlanksCutWideGraphemes() {
        var source = CellBuffer(width: 4, height: 3)
        source.put("ab界", x: 0, y: 0, style: .plain)
        source.put("界cd", x: 0, y: 1, style: .plain)
        source.put("wxyz", x: 0, y: 2, style: .plain)
        var target = CellBuffer(width: 5, height: 2)
        target.copy(rows: 1..<3, of: source, x: 2, y: 0)
        XCTAssertEqual(target.lines(), ["  界c", "  wxy"])
        target.copy(rows: 0..<1, of: source, x: 2, y: 1)
        XCTAssertEqual(target.lines()[1], "  ab ", "the wide grapheme cut by the right edge is a blank")
        target.copy(rows: 1..<2, of: source, x: -1, y: 0)
        XCTAssertEqual(target.lines()[0], " cd c", "the half left of the edge is a blank")
    }
}
