/// How many terminal columns a grapheme takes: 0 (controls, combining), 1, or 2 (East Asian wide, emoji).
public enum DisplayWidth {
    public static func of(_ grapheme: Character) -> Int {
        // Fast path: plain ASCII is by far the most common case when painting a frame.
        if let a = grapheme.asciiValue { return (a >= 0x20 && a != 0x7F) || a == 9 ? 1 : 0 }
        let scalars = grapheme.unicodeScalars
        guard let first = scalars.first else { return 0 }
        let v = first.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return grapheme == "\t" ? 1 : 0 }
        let single = scalars.index(after: scalars.startIndex) == scalars.endIndex
        // Latin, Greek, Cyrillic... up to the combining marks: one column, no property lookups.
        if single && v < 0x300 { return 1 }
        if !single && scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return 2
        case 0x2500...0x25FC:
            return 1  // box drawing and blocks (frequent in frames; no emoji-presentation characters here)
        default:
            if v >= 0x231A, first.properties.isEmojiPresentation { return 2 }
            return first.properties.generalCategory == .nonspacingMark ? 0 : 1
        }
    }

    /// Columns of a whole string.
    public static func of(_ text: String) -> Int {
        var columns = 0
        var ascii = true
        for b in text.utf8 {
            if b >= 0x80 { ascii = false; break }
            if b >= 0x20 && b != 0x7F || b == 9 { columns += 1 }
        }
        if ascii { return columns }
        return text.reduce(0) { $0 + of($1) }
    }

    /// Columns of a whole string.
    public static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }
}
