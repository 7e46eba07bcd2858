/// How many colours the terminal shows.
public enum ColorMode: String, Hashable, Sendable, CaseIterable {
    /// No colours: only bold, dim, underline, reverse, italic.
    case none
    /// The 16 ANSI colours (0-15).
    case ansi16
    /// The xterm 256-colour palette.
    case full256

    /// Picks the mode from what the terminal reports; `NO_COLOR` (set and non-empty) means none.
    public static func detect(colors: Int, hasColors: Bool, environment: [String: String]) -> ColorMode {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .none }
        guard hasColors, colors >= 8 else { return .none }
        return colors >= 256 ? .full256 : .ansi16
    }
}

extension Color {
    /// The colour as the terminal of `mode` can show it (nil-equivalent `.terminalDefault` for none).
    public func downgraded(to mode: ColorMode) -> Color {
        switch (self, mode) {
        case (.terminalDefault, _), (_, .full256): return self
        case (.indexed, .none): return .terminalDefault
        case let (.indexed(i), .ansi16): return .indexed(Palette.nearestANSI(i))
        }
    }
}

extension Style {
    /// The style as the terminal of `mode` can show it: 256 colours mapped to the nearest ANSI colour for 16,
    /// colours dropped for none (the text attributes stay, so selection etc. still show through reverse video).
    public func downgraded(to mode: ColorMode) -> Style {
        var s = self
        s.foreground = foreground.downgraded(to: mode)
        s.background = background.downgraded(to: mode)
        if mode == .ansi16, s.foreground != .terminalDefault, s.foreground == s.background, foreground != background {
            // Two different 256 colours collapsed to the same ANSI colour: keep the text readable.
            s.reverse.toggle()
            s.background = .terminalDefault
        }
        return s
    }
}

/// The xterm palette as RGB, for mapping 256 colours to the 16 ANSI ones.
enum Palette {
    /// Typical xterm values of the 16 ANSI colours.
    static let ansi: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func rgb(_ index: UInt8) -> (Int, Int, Int) {
        let i = Int(index)
        if i < 16 { return ansi[i] }
        if i < 232 {
            let c = i - 16
            let levels = [0, 95, 135, 175, 215, 255]
            return (levels[c / 36], levels[(c / 6) % 6], levels[c % 6])
        }
        let g = 8 + (i - 232) * 10
        return (g, g, g)
    }

    static let nearestTable: [UInt8] = (0...255).map { i -> UInt8 in
        if i < 16 { return UInt8(i) }
        let (r, g, b) = rgb(UInt8(i))
        var best = 0
        var bestDistance = Int.max
        for (k, c) in ansi.enumerated() {
            // Weighted distance (the eye is most sensitive to green).
            let d = 3 * (r - c.0) * (r - c.0) + 4 * (g - c.1) * (g - c.1) + 2 * (b - c.2) * (b - c.2)
            if d < bestDistance { bestDistance = d; best = k }
        }
        return UInt8(best)
    }

    static func nearestANSI(_ index: UInt8) -> UInt8 { nearestTable[Int(index)] }
}
