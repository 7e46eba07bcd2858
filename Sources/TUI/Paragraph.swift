/// Styled lines drawn in an area, optionally word-wrapped, from a scroll offset (in wrapped rows).
public struct Paragraph: Sendable {
    public var lines: [StyledLine]
    public var wrap: Bool
    /// First wrapped row shown.
    public var scroll: Int
    /// Fills the area first when set.
    public var style: Style?

    public init(_ lines: [StyledLine], wrap: Bool = true, scroll: Int = 0, style: Style? = nil) {
        self.lines = lines
        self.wrap = wrap
        self.scroll = scroll
        self.style = style
    }

    /// The rows the paragraph takes at `width`.
    public func rows(width: Int) -> [StyledLine] {
        wrap ? lines.wrapped(width: width) : lines
    }

    /// How many rows the paragraph takes at `width`.
    public func rowCount(width: Int) -> Int { rows(width: width).count }

    /// The largest useful scroll offset for an area of `height` rows.
    public func maxScroll(width: Int, height: Int) -> Int { max(0, rowCount(width: width) - height) }

    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        if let style { buffer.fill(area, style: style) }
        guard wrap else {
            let start = min(max(0, scroll), max(0, lines.count - 1))
            guard start < lines.count else { return }
            for (i, line) in lines[start..<min(lines.count, start + area.height)].enumerated() {
                buffer.draw(line, x: area.x, y: area.y + i, maxWidth: area.width)
            }
            return
        }
        // Wrap lazily: only the lines up to the bottom of the area (long transcripts stay cheap near the top).
        // Past the end, the last row stays visible, as in the unwrapped case.
        var skip = max(0, scroll)
        var row = 0
        var lastRows: [StyledLine] = []
        for line in lines {
            let rows = line.wrapped(width: area.width)
            if skip >= rows.count {
                skip -= rows.count
                lastRows = rows
                continue
            }
            for r in rows[skip...] {
                guard row < area.height else { return }
                buffer.draw(r, x: area.x, y: area.y + row, maxWidth: area.width)
                row += 1
            }
            skip = 0
            if row >= area.height { return }
        }
        if row == 0, skip > 0, let last = lastRows.last {
            buffer.draw(last, x: area.x, y: area.y, maxWidth: area.width)
        }
    }
}

/// A one-column scrollbar (track and thumb) for `total` rows of which `visible` show from `offset`.
public struct Scrollbar: Sendable {
    public var total: Int
    public var visible: Int
    public var offset: Int
    public var trackStyle: Style
    public var thumbStyle: Style

    public init(total: Int, visible: Int, offset: Int, trackStyle: Style = .plain, thumbStyle: Style = .plain) {
        self.total = total
        self.visible = visible
        self.offset = offset
        self.trackStyle = trackStyle
        self.thumbStyle = thumbStyle
    }

    /// Draws in the first column of `area`; draws nothing when everything fits.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard area.height > 0, area.width > 0, total > visible, visible > 0 else { return }
        let h = area.height
        let thumb = max(1, h * visible / total)
        let maxOffset = max(1, total - visible)
        let top = (h - thumb) * min(max(0, offset), maxOffset) / maxOffset
        for y in 0..<h {
            let inThumb = y >= top && y < top + thumb
            buffer.put(inThumb ? "█" : "│", x: area.x, y: area.y + y, style: inThumb ? thumbStyle : trackStyle)
        }
    }
}
