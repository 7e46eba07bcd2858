/// A run of text in one style.
public struct Span: Hashable, Sendable {
    public var text: String
    public var style: Style

    public init(_ text: String, style: Style = .plain) {
        self.text = text
        self.style = style
    }

    /// Display columns of the text.
    public var width: Int { DisplayWidth.of(text) }
}

/// One line of styled text: spans drawn left to right. A "\n" inside a span is a hard break when wrapping.
public struct StyledLine: Hashable, Sendable, ExpressibleByStringLiteral {
    public var spans: [Span]

    public init(_ spans: [Span] = []) { self.spans = spans }
    public init(_ text: String, style: Style = .plain) { self.spans = text.isEmpty ? [] : [Span(text, style: style)] }
    public init(stringLiteral value: String) { self.init(value) }

    public static let empty = StyledLine()

    /// Display columns of the whole line.
    public var width: Int { spans.reduce(0) { $0 + $1.width } }
    /// The text without styles.
    public var plainText: String { spans.map(\.text).joined() }
    public var isEmpty: Bool { spans.allSatisfy { $0.text.isEmpty } }

    public mutating func append(_ text: String, style: Style = .plain) {
        guard !text.isEmpty else { return }
        if let last = spans.last, last.style == style {
            spans[spans.count - 1].text += text
        } else {
            spans.append(Span(text, style: style))
        }
    }

    public mutating func append(_ span: Span) { append(span.text, style: span.style) }
    public mutating func append(_ line: StyledLine) { for s in line.spans { append(s) } }

    public static func + (lhs: StyledLine, rhs: StyledLine) -> StyledLine {
        var out = lhs
        out.append(rhs)
        return out
    }

    /// The same text with `style` applied where `transform` says (e.g. to merge a base background in).
    public func mapStyles(_ transform: (Style) -> Style) -> StyledLine {
        StyledLine(spans.map { Span($0.text, style: transform($0.style)) })
    }

    /// The line cut to at most `columns` display columns, with `ellipsis` at the end when it was cut.
    public func truncated(to columns: Int, ellipsis: String = "…") -> StyledLine {
        guard width > columns else { return self }
        let ellipsisWidth = DisplayWidth.of(ellipsis)
        let budget = max(0, columns - ellipsisWidth)
        var out = StyledLine()
        var used = 0
        var lastStyle = Style.plain
        outer: for span in spans {
            lastStyle = span.style
            var piece = ""
            for g in span.text {
                let w = DisplayWidth.of(g)
                if used + w > budget { out.append(piece, style: span.style); break outer }
                piece.append(g)
                used += w
            }
            out.append(piece, style: span.style)
        }
        if columns >= ellipsisWidth { out.append(ellipsis, style: lastStyle) }
        return out
    }

    /// Word-wraps the line to `width` columns. Breaks at spaces, between wide (CJK) characters, and inside
    /// words longer than the width; "\n" forces a break. Spaces at a break are dropped. Always returns at
    /// least one line (an empty line stays one empty line).
    public func wrapped(width: Int) -> [StyledLine] {
        TextWrapper.wrap(self, width: width)
    }
}

/// A sequence of styled lines (e.g. a rendered answer), with wrapping of all of them.
extension Array where Element == StyledLine {
    public func wrapped(width: Int) -> [StyledLine] {
        flatMap { $0.wrapped(width: width) }
    }
}

enum TextWrapper {
    private struct Glyph {
        var character: Character
        var style: Style
        var width: Int
    }

    /// Builds lines from glyphs, merging neighbours of the same style into spans.
    private struct LineBuilder {
        var lines: [StyledLine] = []
        var current = StyledLine()
        var currentWidth = 0
        var pendingText = ""
        var pendingStyle = Style.plain

        mutating func add(_ g: Glyph) {
            if g.style != pendingStyle, !pendingText.isEmpty { flushPending() }
            pendingStyle = g.style
            pendingText.append(g.character)
            currentWidth += g.width
        }

        mutating func flushPending() {
            if !pendingText.isEmpty { current.spans.append(Span(pendingText, style: pendingStyle)) }
            pendingText = ""
        }

        mutating func breakLine() {
            flushPending()
            lines.append(current)
            current = StyledLine()
            currentWidth = 0
        }
    }

    static func wrap(_ line: StyledLine, width: Int) -> [StyledLine] {
        let width = max(1, width)
        // Fast path: a single line that fits and has no hard breaks, and no tabs or other controls (the slow path
        // makes a tab a space and drops controls: a line that fits must come out as the same line wrapped at a
        // larger width, e.g. the rest of a streamed paragraph wrapped on its own).
        if line.width <= width, !line.spans.contains(where: { $0.text.utf8.contains { $0 < 0x20 || $0 == 0x7F } }) {
            return [line]
        }
        var out = LineBuilder()
        // Pending word and the spaces before it.
        var spaces: [Glyph] = []
        var word: [Glyph] = []
        var wordWidth = 0

        func spacesWidth() -> Int { spaces.reduce(0) { $0 + $1.width } }

        func flushWord() {
            guard !word.isEmpty else { return }
            let sw = spacesWidth()
            if out.currentWidth + sw + wordWidth <= width {
                for g in spaces { out.add(g) }
                for g in word { out.add(g) }
            } else if wordWidth <= width {
                out.breakLine()
                for g in word { out.add(g) }
            } else {
                // A word longer than the line: fill the current line (after its spaces) and break inside the word.
                if out.currentWidth > 0 {
                    if out.currentWidth + sw < width { for g in spaces { out.add(g) } } else { out.breakLine() }
                }
                for g in word {
                    if out.currentWidth + g.width > width { out.breakLine() }
                    out.add(g)
                }
            }
            spaces.removeAll(keepingCapacity: true)
            word.removeAll(keepingCapacity: true)
            wordWidth = 0
        }

        for span in line.spans {
            for ch in span.text {
                if ch == "\n" || ch == "\r\n" {
                    flushWord()
                    spaces.removeAll()
                    out.breakLine()
                    continue
                }
                let w = DisplayWidth.of(ch)
                if w == 0 { continue }
                if ch == " " || ch == "\t" {
                    if !word.isEmpty { flushWord() }
                    spaces.append(Glyph(character: " ", style: span.style, width: 1))
                    continue
                }
                if w == 2 {
                    // Wide characters (CJK) may break on either side.
                    flushWord()
                    word.append(Glyph(character: ch, style: span.style, width: w))
                    wordWidth = w
                    flushWord()
                    continue
                }
                word.append(Glyph(character: ch, style: span.style, width: w))
                wordWidth += w
            }
        }
        flushWord()
        // Trailing spaces are kept when they fit (they may be meaningful, e.g. in an input echo).
        for g in spaces where out.currentWidth + g.width <= width { out.add(g) }
        out.breakLine()
        return out.lines
    }
}

extension CellBuffer {
    /// Draws `line` on row `y` from column `x`, clipped to `maxWidth` columns and the buffer.
    /// Returns the columns used.
    @discardableResult
    public mutating func draw(_ line: StyledLine, x: Int, y: Int, maxWidth: Int = .max) -> Int {
        var column = x
        let limit = maxWidth == .max ? Int.max : x + max(0, maxWidth)
        for span in line.spans {
            guard column < limit else { break }
            column += put(span.text, x: column, y: y, style: span.style, maxWidth: limit == .max ? .max : limit - column)
        }
        return column - x
    }

    /// Draws `line` on the first row of `rect`, clipped to it; with `fill`, the rest of the row gets that style
    /// (e.g. a selection bar across the whole width).
    @discardableResult
    public mutating func draw(_ line: StyledLine, in rect: Rect, fill: Style? = nil, alignment: Alignment = .left) -> Int {
        guard rect.height > 0, rect.width > 0 else { return 0 }
        if let fill { self.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), style: fill) }
        let w = line.width
        let x: Int
        switch alignment {
        case .left: x = rect.x
        case .center: x = rect.x + max(0, (rect.width - w) / 2)
        case .right: x = rect.x + max(0, rect.width - w)
        }
        return draw(line, x: x, y: rect.y, maxWidth: rect.maxX - x)
    }

    /// Draws several lines, one per row of `rect`, clipped to it.
    public mutating func draw(_ lines: [StyledLine], in rect: Rect) {
        for (i, line) in lines.prefix(rect.height).enumerated() {
            draw(line, x: rect.x, y: rect.y + i, maxWidth: rect.width)
        }
    }
}

public enum Alignment: Hashable, Sendable {
    case left, center, right
}
