/// What a list of search hits shows of each: the moment's text from a little before the first word of the query it
/// says. A moment runs for minutes and its opening is often about something else ("regular expression" found a
/// moment of the regular-expressions lecture that opens on a tattoo), so the reader sees why it matched. The
/// terminal's search pane and `ytce pack search` show the same.
public enum MatchSnippet {
    /// Characters shown before the first match.
    public static let lead = 40

    /// The words of `query` a snippet looks for and highlights, as typed and lower-cased: those of three letters or
    /// more whose stem is one of the query's analyzed terms (no stop words); a query in quotes (an exact phrase) has
    /// the phrase first, its words joined by single spaces, so the snippet starts where the phrase is said rather
    /// than at the first of its words ("for line in" found "lines" a sentence earlier).
    public static func terms(_ query: String) -> [String] {
        let analyzer = LexicalAnalyzer()
        let plain = query.replacingOccurrences(of: "\"", with: " ")
        let stems = Set(analyzer.terms(plain))
        let words = plain.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count > 2 && stems.contains(analyzer.terms($0).first ?? "") }
        guard Topic.isPhrase(query) else { return words }
        let phrase = Topic.words(query).joined(separator: " ")
        return phrase.contains(" ") ? [phrase] + words : words
    }

    /// Where in `text` a snippet starts: `lead` characters before the first occurrence of a term, from the start of
    /// a word; the text's start when no term occurs. `asciiTerms`: the terms as bytes (`ASCIIMatch.terms`), when all
    /// ASCII: an ASCII text is then searched as bytes, without a lower-cased copy.
    public static func start(in text: String, terms: [String], asciiTerms: [[UInt8]]?, lead: Int = lead) -> String.Index {
        // A phrase (a term of several words) said anywhere comes before its words said alone.
        if let phrase = terms.first, phrase.contains(" "), let found = firstMatch(in: text, terms: [phrase], asciiTerms: asciiTerms.map { Array($0.prefix(1)) }) {
            return wordStart(text, before: found, lead: lead)
        }
        guard let found = firstMatch(in: text, terms: terms, asciiTerms: asciiTerms) else { return text.startIndex }
        return wordStart(text, before: found, lead: lead)
    }

    /// Where the first occurrence of any of `terms` starts in `text`, ignoring case.
    static func firstMatch(in text: String, terms: [String], asciiTerms: [[UInt8]]?) -> String.Index? {
        if let asciiTerms, let bytes = ASCIIMatch.bytes(text) {
            return ASCIIMatch.firstOffset(of: asciiTerms, in: bytes).map { text.utf8.index(text.startIndex, offsetBy: $0) }
        }
        let lower = text.lowercased()
        // Only where lower-casing keeps the characters' count, so an offset in one is an offset in the other.
        guard lower.count == text.count, let found = terms.compactMap({ lower.range(of: $0)?.lowerBound }).min() else { return nil }
        return text.index(text.startIndex, offsetBy: lower.distance(from: lower.startIndex, to: found))
    }

    /// `lead` characters before `match`, moved on to the start of a word.
    static func wordStart(_ text: String, before match: String.Index, lead: Int) -> String.Index {
        var start = text.index(match, offsetBy: -lead, limitedBy: text.startIndex) ?? text.startIndex
        if start > text.startIndex, let space = text[start..<match].firstIndex(of: " ") { start = text.index(after: space) }
        return start
    }

    /// At most `length` characters of `text` from `start(in:)`, with "…" where it was cut at either end.
    public static func excerpt(_ text: String, terms: [String], length: Int) -> String {
        let start = Self.start(in: text, terms: terms, asciiTerms: ASCIIMatch.terms(terms))
        let shown = text[start...]
        let body = shown.count > length ? String(shown.prefix(length)) + "…" : String(shown)
        return start > text.startIndex ? "…" + body : body
    }
}
