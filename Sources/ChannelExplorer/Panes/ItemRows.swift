import TUI

/// The rows of the lists of moments: the Brief's pins, the Citations' sources, the Search's hits. Each item takes
/// `rowsPerItem` rows from the first visible one; the selected item's first `rowsPerItem - 1` rows are filled with
/// the selection style; each of its lines is made over its base style (the selection's or the text's), drawn at
/// its indent and cut to the width.
enum ItemRows {
    struct Line {
        var text: StyledLine
        var indent = 0
    }

    /// Draws items `first..<count` into `area`; `highlighted` false shows the selection without its style (a list
    /// behind a text field being typed in).
    static func draw(count: Int, selected: Int, highlighted: Bool = true, first: Int, rowsPerItem: Int, in area: Rect, theme: Theme,
                     into buffer: inout CellBuffer, lines: (_ index: Int, _ base: Style) -> [Line]) {
        var y = area.y
        for i in first..<max(first, count) {
            guard y + 1 < area.maxY else { break }
            let base = i == selected && highlighted ? theme[.selection] : theme[.text]
            if i == selected { buffer.fill(Rect(x: area.x, y: y, width: area.width, height: rowsPerItem - 1), style: base) }
            for (row, line) in lines(i, base).enumerated() where y + row < area.maxY {
                let width = area.width - line.indent
                buffer.draw(line.text.truncated(to: width), x: area.x + line.indent, y: y + row, maxWidth: width)
            }
            y += rowsPerItem
        }
    }
}
