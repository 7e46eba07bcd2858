/// Centred popups drawn over the screen (help, command palette, confirmations).
public enum Overlay {
    /// A rectangle of (at most) `width`×`height` centred in `area`, leaving a margin of one cell when possible.
    public static func centered(width: Int, height: Int, in area: Rect) -> Rect {
        let w = min(width, max(0, area.width - 2)), h = min(height, max(0, area.height - 2))
        return area.centered(width: w > 0 ? w : min(width, area.width), height: h > 0 ? h : min(height, area.height))
    }

    /// A rectangle of a fraction of `area` (e.g. 0.6 × 0.5), centred, at least `minWidth`×`minHeight` when it fits.
    public static func centered(widthFraction: Double, heightFraction: Double, in area: Rect,
                                minWidth: Int = 20, minHeight: Int = 5) -> Rect {
        let w = max(minWidth, Int(Double(area.width) * widthFraction))
        let h = max(minHeight, Int(Double(area.height) * heightFraction))
        return centered(width: w, height: h, in: area)
    }

    /// Clears `rect` and draws a bordered popup with a title; returns the inner area for the content.
    @discardableResult
    public static func frame(into buffer: inout CellBuffer, rect: Rect, title: String?, theme: Theme,
                             rightTitle: String? = nil) -> Rect {
        buffer.fill(rect, style: theme[.overlay])
        let block = Block(title: title.map { StyledLine(" \($0) ", style: theme[.overlayBorder].with(bold: true)) },
                          rightTitle: rightTitle.map { StyledLine(" \($0) ", style: theme[.overlayBorder]) },
                          borderStyle: theme[.overlayBorder], fillStyle: theme[.overlay], borders: .rounded)
        return block.render(into: &buffer, area: rect)
    }

    /// A popup that fits `lines` (wrapped to the available width), centred in `area`, with the lines scrolled
    /// by `scroll`. Returns the popup's rectangle.
    @discardableResult
    public static func text(into buffer: inout CellBuffer, area: Rect, title: String?, lines: [StyledLine],
                            theme: Theme, scroll: Int = 0, maxWidth: Int = 80) -> Rect {
        // The text, one cell of padding each side, and the border.
        let textWidth = max(1, min(max(lines.map(\.width).max() ?? 0, DisplayWidth.of(title ?? "") + 2), maxWidth, area.width - 6))
        let wrapped = lines.wrapped(width: textWidth)
        let rect = centered(width: textWidth + 4, height: wrapped.count + 2, in: area)
        let inner = frame(into: &buffer, rect: rect, title: title, theme: theme)
        let padded = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        Paragraph(wrapped, wrap: false, scroll: scroll).render(into: &buffer, area: padded)
        return rect
    }
}
