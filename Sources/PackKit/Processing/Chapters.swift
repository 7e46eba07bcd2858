/// A chapter line of a video description ("0:00 Intro", "1:02:03 - Topic").
public struct Chapter: Sendable, Equatable {
    public var startMs: Int
    public var title: String
}

public enum ChapterParser {
    /// Chapters listed one per line, timestamp first, sorted by time.
    /// Accepts `m:ss`, `mm:ss`, `h:mm:ss`, optionally in brackets and followed by a separator (`-`, `–`, `—`, `|`, `:`);
    /// the reference accepted only two-digit minutes and so missed YouTube's usual `0:00 Intro`.
    public static func parse(_ description: String) -> [Chapter] {
        var chapters: [Chapter] = []
        description.enumerateLines { line, _ in
            if let chapter = parseLine(line[...]) { chapters.append(chapter) }
        }
        // Stable sort keeps the author's order for equal times; then the first of a duplicate time wins.
        let sorted = chapters.enumerated().sorted { ($0.element.startMs, $0.offset) < ($1.element.startMs, $1.offset) }
        var out: [Chapter] = []
        for (_, chapter) in sorted where out.last?.startMs != chapter.startMs { out.append(chapter) }
        return out
    }

    static func parseLine(_ raw: Substring) -> Chapter? {
        var line = raw.trimmingWhitespace()
        // Leading bullets.
        while let first = line.first, "•*-–—▶►".contains(first) { line = line.dropFirst().trimmingWhitespace() }
        var bracketed = false
        if line.first == "(" || line.first == "[" { line = line.dropFirst(); bracketed = true }
        var parts: [Int] = []
        var widths: [Int] = []
        var digits = 0
        var current = 0
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if let d = c.wholeNumberValue, c.isASCII {
                current = current * 10 + d
                digits += 1
                guard digits <= 2 || parts.isEmpty && digits <= 3 else { return nil }
            } else if c == ":" && digits > 0 {
                parts.append(current)
                widths.append(digits)
                current = 0
                digits = 0
            } else {
                break
            }
            index = line.index(after: index)
        }
        guard digits > 0 else { return nil }
        parts.append(current)
        widths.append(digits)
        // The digit counts must look like a timestamp: seconds and (with hours) minutes have two digits.
        guard parts.count == 2 || parts.count == 3, widths.last == 2, parts.count == 2 || widths[1] == 2 else { return nil }
        var rest = line[index...]
        if bracketed {
            guard let close = rest.first, close == ")" || close == "]" else { return nil }
            rest = rest.dropFirst()
        }
        // A timestamp must be followed by white space or a separator, not glued to a word.
        guard let next = rest.first, next.isWhitespace || "-–—|:".contains(next) else { return nil }
        let seconds = parts[parts.count - 1]
        let minutes = parts[parts.count - 2]
        let hours = parts.count == 3 ? parts[0] : 0
        guard seconds < 60, parts.count == 2 || minutes < 60 else { return nil }
        var title = rest.trimmingWhitespace()
        while let first = title.first, "-–—|:".contains(first) { title = title.dropFirst().trimmingWhitespace() }
        guard !title.isEmpty else { return nil }
        return Chapter(startMs: ((hours * 60 + minutes) * 60 + seconds) * 1000, title: String(title))
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }
}

extension String {
    func trimmingWhitespace() -> String { String(self[...].trimmingWhitespace()) }
}
