/// The characters of a box border.
public struct BorderSet: Hashable, Sendable {
    public var topLeft, topRight, bottomLeft, bottomRight, horizontal, vertical: Character

    public init(topLeft: Character, topRight: Character, bottomLeft: Character, bottomRight: Character,
                horizontal: Character, vertical: Character) {
        self.topLeft = topLeft
        self.topRight = topRight
        self.bottomLeft = bottomLeft
        self.bottomRight = bottomRight
        self.horizontal = horizontal
        self.vertical = vertical
    }

    public static let plain = BorderSet(topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘", horizontal: "─", vertical: "│")
    public static let rounded = BorderSet(topLeft: "╭", topRight: "╮", bottomLeft: "╰", bottomRight: "╯", horizontal: "─", vertical: "│")
    public static let thick = BorderSet(topLeft: "┏", topRight: "┓", bottomLeft: "┗", bottomRight: "┛", horizontal: "━", vertical: "┃")
    public static let double = BorderSet(topLeft: "╔", topRight: "╗", bottomLeft: "╚", bottomRight: "╝", horizontal: "═", vertical: "║")
    /// For terminals without line drawing.
    public static let ascii = BorderSet(topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+", horizontal: "-", vertical: "|")
}

/// A bordered box with an optional title (left) and a right-side note (e.g. "3/10"). Rendering returns the
/// inner area for the content.
public struct Block: Hashable, Sendable {
    public var title: StyledLine?
    public var rightTitle: StyledLine?
    public var borderStyle: Style
    /// The style of the inside (filled before the border is drawn); nil leaves the inside untouched.
    public var fillStyle: Style?
    public var borders: BorderSet

    public init(title: StyledLine? = nil, rightTitle: StyledLine? = nil, borderStyle: Style = .plain,
                fillStyle: Style? = nil, borders: BorderSet = .plain) {
        self.title = title
        self.rightTitle = rightTitle
        self.borderStyle = borderStyle
        self.fillStyle = fillStyle
        self.borders = borders
    }

    /// A block styled from a theme: `borderFocused`/`border`, `title` (accent when focused), text background inside.
    public init(title: String?, focused: Bool, theme: Theme, rightTitle: String? = nil) {
        let border = theme[focused ? .borderFocused : .border]
        let titleStyle = focused ? theme[.borderFocused].with(bold: true) : theme[.title]
        self.init(title: title.map { StyledLine(" \($0) ", style: titleStyle) },
                  rightTitle: rightTitle.map { StyledLine(" \($0) ", style: border) },
                  borderStyle: border, fillStyle: nil, borders: focused ? .thick : .plain)
    }

    /// The area inside the border.
    public func inner(_ area: Rect) -> Rect { area.inset(1) }

    @discardableResult
    public func render(into buffer: inout CellBuffer, area: Rect) -> Rect {
        guard area.width >= 2, area.height >= 2 else { return Rect(x: area.x, y: area.y, width: 0, height: 0) }
        if let fillStyle { buffer.fill(area.inset(1), style: fillStyle) }
        let b = borders, s = borderStyle
        let top = area.y, bottom = area.maxY - 1, left = area.x, right = area.maxX - 1
        buffer.put(b.topLeft, x: left, y: top, style: s)
        buffer.put(b.topRight, x: right, y: top, style: s)
        buffer.put(b.bottomLeft, x: left, y: bottom, style: s)
        buffer.put(b.bottomRight, x: right, y: bottom, style: s)
        if right - left > 1 {
            for x in (left + 1)..<right {
                buffer.put(b.horizontal, x: x, y: top, style: s)
                buffer.put(b.horizontal, x: x, y: bottom, style: s)
            }
        }
        if bottom - top > 1 {
            for y in (top + 1)..<bottom {
                buffer.put(b.vertical, x: left, y: y, style: s)
                buffer.put(b.vertical, x: right, y: y, style: s)
            }
        }
        let room = area.width - 4
        var used = 0
        if let title, room > 0 {
            used = buffer.draw(title.truncated(to: room), x: left + 2, y: top, maxWidth: room)
        }
        if let rightTitle, room - used - 1 > 0 {
            let t = rightTitle.truncated(to: room - used - 1)
            buffer.draw(t, x: right - 1 - t.width, y: top, maxWidth: t.width)
        }
        return area.inset(1)
    }
}

extension Style {
    /// A copy with some attributes changed.
    public func with(foreground: Color? = nil, background: Color? = nil, bold: Bool? = nil, dim: Bool? = nil,
                     underline: Bool? = nil, reverse: Bool? = nil, italic: Bool? = nil) -> Style {
        var s = self
        if let foreground { s.foreground = foreground }
        if let background { s.background = background }
        if let bold { s.bold = bold }
        if let dim { s.dim = dim }
        if let underline { s.underline = underline }
        if let reverse { s.reverse = reverse }
        if let italic { s.italic = italic }
        return s
    }

    /// This style's attributes over `base`: a default colour here takes `base`'s colour, flags are combined.
    /// Useful to draw highlighted text on a selection background.
    public func over(_ base: Style) -> Style {
        Style(foreground: foreground == .terminalDefault ? base.foreground : foreground,
              background: background == .terminalDefault ? base.background : background,
              bold: bold || base.bold, dim: dim || base.dim, underline: underline || base.underline,
              reverse: reverse != base.reverse, italic: italic || base.italic)
    }
}
