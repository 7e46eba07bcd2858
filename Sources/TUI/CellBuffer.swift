/// One terminal cell: a grapheme and its style. A wide grapheme (CJK, most emoji) occupies its cell and the
/// next, which holds a `continuation` cell so that painting and `lines()` skip it.
public struct Cell: Hashable, Sendable {
    public var grapheme: Character
    public var style: Style
    /// 1 or 2 for the cell that holds a grapheme; 0 for the right half of a wide grapheme.
    public var width: UInt8

    public init(grapheme: Character = " ", style: Style = .plain, width: UInt8 = 1) {
        self.grapheme = grapheme
        self.style = style
        self.width = width
    }

    public static let blank = Cell()
    static func continuation(_ style: Style) -> Cell { Cell(grapheme: " ", style: style, width: 0) }
    public var isContinuation: Bool { width == 0 }
}

/// A screen's worth of cells. Views draw into it; the terminal paints it (only what changed since the last frame);
/// tests read it back as lines of text.
public struct CellBuffer: Hashable, Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]
    /// Where the terminal cursor should be shown after painting (e.g. in a focused text field); nil hides it.
    public var cursor: Point?

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// Makes the buffer a blank `width`×`height` one again, reusing its storage when the size is the same (a frame
    /// per key or tick, without allocating a screen's worth of cells each time).
    public mutating func reset(width: Int, height: Int) {
        let w = max(0, width), h = max(0, height)
        cursor = nil
        guard w == self.width, h == self.height else {
            self = CellBuffer(width: w, height: h)
            return
        }
        cells.withUnsafeMutableBufferPointer { $0.update(repeating: .blank) }
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// The cell at (x, y). Reading outside the buffer gives a blank; writing there is ignored.
    public subscript(x: Int, y: Int) -> Cell {
        get {
            guard x >= 0, x < width, y >= 0, y < height else { return .blank }
            return cells[y * width + x]
        }
        set {
            guard x >= 0, x < width, y >= 0, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Before overwriting the cell at `index` (row `x` column), breaks up any wide grapheme it is half of,
    /// so that no orphaned halves remain (they would paint as garbage).
    @inline(__always)
    private mutating func detachWide(at x: Int, row: Int) {
        let i = row + x
        let c = cells[i]
        if c.width == 0, x > 0, cells[i - 1].width == 2 {
            cells[i - 1] = Cell(grapheme: " ", style: cells[i - 1].style, width: 1)
        } else if c.width == 2, x + 1 < width, cells[i + 1].width == 0 {
            cells[i + 1] = Cell(grapheme: " ", style: c.style, width: 1)
        }
    }

    /// Fills `rect` (clipped to the buffer) with blanks of `style`.
    public mutating func fill(_ rect: Rect, style: Style) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        let blank = Cell(grapheme: " ", style: style, width: 1)
        for y in y0..<y1 {
            let row = y * width
            detachWide(at: x0, row: row)
            if x1 - 1 != x0 { detachWide(at: x1 - 1, row: row) }
            for x in x0..<x1 { cells[row + x] = blank }
        }
    }

    /// Changes the style of the cells in `rect` (clipped), keeping their text; e.g. to highlight a row.
    public mutating func setStyle(_ rect: Rect, style: Style) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 { for x in x0..<x1 { cells[y * width + x].style = style } }
    }

    /// Changes the style of the cells in `rect` with `transform` (e.g. to add reverse video).
    public mutating func updateStyle(_ rect: Rect, _ transform: (inout Style) -> Void) {
        let x0 = max(0, rect.x), x1 = min(width, rect.maxX)
        let y0 = max(0, rect.y), y1 = min(height, rect.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 { for x in x0..<x1 { transform(&cells[y * width + x].style) } }
    }

    /// Writes `text` on row `y` from column `x`, clipped to `maxWidth` columns (and the buffer).
    /// A wide grapheme that would not fit whole is replaced by a space. Returns the columns used.
    /// Controls and zero-width graphemes are skipped; a tab takes one column.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, style: Style, maxWidth: Int = .max) -> Int {
        put(Substring(text), x: x, y: y, style: style, maxWidth: maxWidth)
    }

    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style, maxWidth: Int = .max) -> Int {
        put(text[...], x: x, y: y, style: style, maxWidth: maxWidth)
    }

    @discardableResult
    public mutating func put(_ text: Substring, x: Int, y: Int, style: Style, maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height else { return 0 }
        // Saturating: maxWidth is often .max.
        let end = x.addingReportingOverflow(max(0, maxWidth))
        let limit = end.overflow ? width : min(width, end.partialValue)
        let row = y * width
        var column = x
        // Fast path over ASCII bytes: no grapheme breaking. A byte followed by a non-ASCII one may start a
        // cluster (e + combining accent), so the slow path takes over from there.
        let utf8 = text.utf8
        var i = utf8.startIndex
        while i != utf8.endIndex, column < limit {
            let b = utf8[i]
            let next = utf8.index(after: i)
            if b >= 0x80 || (next != utf8.endIndex && utf8[next] >= 0x80) { break }
            i = next
            guard b >= 0x20 && b != 0x7F || b == 9 else { continue }
            if column >= 0 {
                let index = row + column
                if cells[index].width != 1 { detachWide(at: column, row: row) }
                cells[index] = Cell(grapheme: b == 9 ? " " : Character(Unicode.Scalar(b)), style: style, width: 1)
            }
            column += 1
        }
        if i == utf8.endIndex || column >= limit { return max(0, column - x) }
        for grapheme in text[i...] {
            guard column < limit else { break }
            var w = DisplayWidth.of(grapheme)
            if w == 0 { continue }
            var g = grapheme
            if column < 0 && column + w > 0 {
                // A wide grapheme cut by the left edge: its visible half is a blank.
                put(" ", x: 0, y: y, style: style)
                column += w
                continue
            }
            if column + w > limit { g = " "; w = 1 }
            if column >= 0 {
                detachWide(at: column, row: row)
                if w == 2 { detachWide(at: column + 1, row: row) }
                cells[row + column] = Cell(grapheme: g == "\t" ? " " : g, style: style, width: UInt8(w))
                if w == 2 { cells[row + column + 1] = .continuation(style) }
            }
            column += w
        }
        return max(0, column - x)
    }

    /// Copies rows `rows` of `source` (whole rows) to column `x` from row `y` on, clipped to this buffer: text laid
    /// out and drawn once (into `source`), then shown in many frames for the price of copying cells. A wide grapheme
    /// cut by the clipping becomes a blank.
    public mutating func copy(rows: Range<Int>, of source: CellBuffer, x: Int, y: Int) {
        let rows = rows.clamped(to: 0..<source.height)
        let x0 = max(0, x), x1 = min(width, x + source.width)
        guard x0 < x1 else { return }
        let count = x1 - x0
        for r in rows {
            let ty = y + r - rows.lowerBound
            guard ty >= 0, ty < height else { continue }
            let row = ty * width, from = r * source.width + (x0 - x)
            detachWide(at: x0, row: row)
            if x1 - 1 != x0 { detachWide(at: x1 - 1, row: row) }
            cells.replaceSubrange((row + x0)..<(row + x1), with: source.cells[from..<(from + count)])
            if cells[row + x0].width == 0 { cells[row + x0] = Cell(grapheme: " ", style: cells[row + x0].style, width: 1) }
            if cells[row + x1 - 1].width == 2 { cells[row + x1 - 1] = Cell(grapheme: " ", style: cells[row + x1 - 1].style, width: 1) }
        }
    }

    /// Writes one grapheme at (x, y); returns the columns used (0 when it does not fit or is zero-width).
    @discardableResult
    public mutating func put(_ grapheme: Character, x: Int, y: Int, style: Style) -> Int {
        guard y >= 0, y < height, x >= 0, x < width else { return 0 }
        let w = DisplayWidth.of(grapheme)
        guard w > 0, x + w <= width else { return 0 }
        let row = y * width
        detachWide(at: x, row: row)
        if w == 2 { detachWide(at: x + 1, row: row) }
        cells[row + x] = Cell(grapheme: grapheme == "\t" ? " " : grapheme, style: style, width: UInt8(w))
        if w == 2 { cells[row + x + 1] = .continuation(style) }
        return w
    }

    /// The buffer's rows as text (wide graphemes once, trailing spaces kept), for tests and captures.
    public func lines() -> [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width where cells[y * width + x].width > 0 { line.append(cells[y * width + x].grapheme) }
            return line
        }
    }

    /// The buffer as one text, trailing spaces trimmed from each row.
    public func text() -> String {
        lines().map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n")
    }

    /// The text of the cells in `rect` (one string per row), for tests that look at one pane.
    public func text(in rect: Rect) -> [String] {
        let r = rect.intersection(area)
        return (r.y..<r.maxY).map { y in
            var line = ""
            for x in r.x..<r.maxX where cells[y * width + x].width > 0 { line.append(cells[y * width + x].grapheme) }
            return line
        }
    }
}
