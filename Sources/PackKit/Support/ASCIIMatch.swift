/// Case-insensitive matching of lower-case terms in text, on UTF-8 bytes when text and terms are all ASCII (most
/// transcripts): no lower-cased copy of the text and no Characters, which a search's 50 snippets paid for per hit.
/// Callers keep a Character-based way for other text.
public enum ASCIIMatch {
    /// `bytes` when every one of them is ASCII, else nil.
    public static func bytes(_ text: some StringProtocol) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            guard b < 0x80 else { return nil }
            out.append(b)
        }
        return out
    }

    /// Each term's bytes, or nil when any term is not all ASCII.
    public static func terms(_ terms: [String]) -> [[UInt8]]? {
        var out: [[UInt8]] = []
        for term in terms {
            guard let t = bytes(term) else { return nil }
            out.append(t)
        }
        return out
    }

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    @inline(__always)
    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// Whether `term` (lower case) is at `i` in `text`, ignoring the text's case.
    @inline(__always)
    static func matches(_ term: [UInt8], in text: [UInt8], at i: Int) -> Bool {
        guard i + term.count <= text.count else { return false }
        for j in 0..<term.count where lower(text[i + j]) != term[j] { return false }
        return true
    }

    /// Where the first occurrence of any of `terms` starts in `text` (anywhere, not only at a word's start).
    public static func firstOffset(of terms: [[UInt8]], in text: [UInt8]) -> Int? {
        var best: Int?
        for term in terms where !term.isEmpty {
            let end = min(text.count - term.count + 1, best ?? .max)
            var i = 0
            while i < end {
                if lower(text[i]) == term[0], matches(term, in: text, at: i) { best = i; break }
                i += 1
            }
        }
        return best
    }

    /// Which bytes of `text` are inside an occurrence of a term at a word's start, with the rest of the word's letters
    /// (a stem's prefix "dictionar" marks all of "dictionaries"; an occurrence is skipped past, so occurrences of
    /// one term do not overlap).
    public static func marks(_ terms: [[UInt8]], in text: [UInt8]) -> [Bool] {
        var marks = [Bool](repeating: false, count: text.count)
        for term in terms where !term.isEmpty && term.count <= text.count {
            var i = 0
            while i + term.count <= text.count {
                if lower(text[i]) == term[0], i == 0 || !isLetter(text[i - 1]), matches(term, in: text, at: i) {
                    var end = i + term.count
                    while end < text.count, isLetter(text[end]) { end += 1 }
                    for j in i..<end { marks[j] = true }
                    i = end
                } else { i += 1 }
            }
        }
        return marks
    }
}
