/// A terminal colour. `indexed` is the xterm 256-colour palette (0-15 are the 16 ANSI colours);
/// the painter downgrades to what the terminal supports (16 colours or none).
public enum Color: Hashable, Sendable {
    case terminalDefault
    case indexed(UInt8)
}

public struct Style: Hashable, Sendable {
    public var foreground: Color
    public var background: Color
    public var bold: Bool
    public var dim: Bool
    public var underline: Bool
    public var reverse: Bool
    public var italic: Bool

    public init(foreground: Color = .terminalDefault, background: Color = .terminalDefault,
                bold: Bool = false, dim: Bool = false, underline: Bool = false, reverse: Bool = false, italic: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
        self.italic = italic
    }

    public static let plain = Style()
}
