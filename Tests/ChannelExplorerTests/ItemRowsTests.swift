import Foundation
@testable import ChannelExplorer
import TUI
import XCTest

/// The list rows the Brief, Citations and Search panes share: items from the first visible, the selected one
/// filled, lines at their indents cut to the width, nothing drawn past the area.
final class ItemRowsTests: XCTestCase {
    func draw(selected: Int, highlighted: Bool = true, first: Int = 0) -> CellBuffer {
        var buffer = CellBuffer(width: 20, height: 8)
        let theme = ExplorerTheme.builtinDefault
        ItemRows.draw(count: 4, selected: selected, highlighted: highlighted, first: first, rowsPerItem: 3,
                      in: Rect(x: 1, y: 1, width: 12, height: 6), theme: theme, into: &buffer) { i, base in
            [ItemRows.Line(text: StyledLine("item \(i) title that is long", style: base)),
             ItemRows.Line(text: StyledLine("quote \(i)", style: base), indent: 4)]
        }
        return buffer
    }

    func testRowsAreCutPlacedAndTheSelectedOneFilled() {
        let buffer = draw(selected: 1)
        let lines = buffer.text(in: Rect(x: 0, y: 0, width: 20, height: 8))
        XCTAssertEqual(lines[1], " item 0 titl…       ")
        XCTAssertEqual(lines[2], "     quote 0        ")
        XCTAssertEqual(lines[4], " item 1 titl…       ")
        XCTAssertEqual(lines[5], "     quote 1        ")
        XCTAssertEqual(lines[7].trimmingCharacters(in: .whitespaces), "", "the third item does not fit: nothing past the area")
        let theme = ExplorerTheme.builtinDefault
        XCTAssertEqual(buffer[12, 5].style, theme[.selection], "the selected item's rows are filled to the width")
        XCTAssertNotEqual(buffer[12, 2].style, theme[.selection])
        // From the third item: it and the fourth.
        XCTAssertEqual(draw(selected: 3, first: 2).text(in: Rect(x: 0, y: 0, width: 20, height: 8))[4], " item 3 titl…       ")
        // Not highlighted (a text field has the keys): the row is filled with the text style, not the selection's.
        XCTAssertNotEqual(draw(selected: 1, highlighted: false)[12, 5].style, theme[.selection])
    }
}
