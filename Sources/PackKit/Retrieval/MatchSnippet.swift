/// What a list of search hits shows of each: the moment's text from a little before the first word of the query it
/// says. A moment runs for minutes and its opening is often about something else ("regular expression" found a
/// moment of the regular-expressions lecture that opens on a tattoo), so the reader sees why it matched. The
/// terminal's search pane and `ytce pack search` show the same.
public enum MatchSnippet {
    /// Characters shown before the first match.
    public static let lead = 40

    /// The words of `query` a snippet looks for and highlights, as typed and lower-cased: those of three letters or
    /// more whose stem is one of the query's analyzed terms (no stop words), then the prefixes their inflections
    /// share (`stemPrefixes`; a highlight runs to the word's end); a query in quotes (an exact phrase) has
    /// the phrase first, its words joined by single spaces, so the snippet starts where the phrase is said rather
    /// than at the first of its words ("for line in" found "lines" a sentence earlier).
    public static func terms(_ query: String) -> [String] {
        let analyzer = LexicalAnalyzer()
        let plain = query.replacingOccurrences(of: "\"", with: " ")
        let stems = Set(analyzer.terms(plain))
        let typed = plain.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count > 2 && stems.contains(analyzer.terms($0).first ?? "") }
        // Then the starts their inflections share, as the search matches by stem ("dictionar": "dictionaries").
        var seen = Set(typed)
        let words = typed + stemPrefixes(typed).filter { seen.insert($0).inserted }
        guard Topic.isPhrase(query) else { return words }
        let phrase = Topic.words(query).joined(separator: " ")
        return phrase.contains(" ") ? [phrase] + words : words
    }

    /// Where in `text` a snippet starts: `lead` characters before the first occurrence of a term, from the start of
    /// a word; the text's start when no term occurs. `asciiTerms`: the terms as bytes (`ASCIIMatch.terms`), when all
    /// ASCII: an ASCII text is then searched as bytes, without a lower-cased copy.
    public static func start(in text: String, terms: [String], asciiTerms: [[UInt8]]?, lead: Int = lead) -> String.Index {
        guard let found = match(in: text, terms: terms, asciiTerms: asciiTerms) else { return text.startIndex }
        return wordStart(text, before: found, lead: lead)
    }

    /// Where the snippet's words are first said in `text`: a phrase (a term of several words) said anywhere comes
    /// before its words said alone.
    static func match(in text: String, terms: [String], asciiTerms: [[UInt8]]?) -> String.Index? {
        if let phrase = terms.first, phrase.contains(" "),
           let found = firstMatch(in: text, terms: [phrase], asciiTerms: asciiTerms.map { Array($0.prefix(1)) }) {
            return found
        }
        return firstMatch(in: text, terms: terms, asciiTerms: asciiTerms)
    }

    /// Each word's start that its inflections share: the common prefix of the word and its stem ("dictionary",
    /// stem "dictionari": "dictionar"), when that is shorter than the word and at least four letters long.
    static func stemPrefixes(_ terms: [String]) -> [String] {
        let analyzer = LexicalAnalyzer()
        return terms.compactMap { word in
            guard !word.contains(" "), let stem = analyzer.terms(word).first else { return nil }
            let shared = String(zip(word, stem).prefix { $0 == $1 }.map(\.0))
            return shared.count >= 4 && shared.count < word.count ? shared : nil
        }
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
    public static func excerpt(_ text: String, terms: [String], length: Int, lead: Int = lead) -> String {
        let start = Self.start(in: text, terms: terms, asciiTerms: ASCIIMatch.terms(terms), lead: lead)
        let shown = text[start...]
        let body = shown.count > length ? String(shown.prefix(length)) + "…" : String(shown)
        return start > text.startIndex ? "…" + body : body
    }

    /// Seconds of transcript a passage runs for at most (it always holds the segment where the words are said).
    public static let passageMs = 30_000

    /// The segments of `hit` from the one where the first of `terms` is said (the phrase first, as `start` finds
    /// it), for up to `spanMs`: what a pin of a search hit keeps, the words the list showed, rather than the whole
    /// moment (minutes of text). The whole moment when no term is said in it (found by meaning).
    public static func passage(of hit: SearchHit, terms: [String], spanMs: Int = passageMs) -> [SearchHit.Segment] {
        let shown = hit.segments.filter { !$0.text.isEmpty }
        let text = SearchHit.text(of: shown)
        guard let found = match(in: text, terms: terms, asciiTerms: ASCIIMatch.terms(terms)) else { return hit.segments }
        // `text` joins the segments with one space each: the segment holding its byte `at`.
        let at = text.utf8.distance(from: text.startIndex, to: found)
        var offset = 0
        var first = shown.count - 1
        for (i, segment) in shown.enumerated() {
            offset += segment.text.utf8.count + 1
            if at < offset { first = i; break }
        }
        guard first >= 0 else { return hit.segments }  // no segment with text
        let from = shown[first].startMs
        let (limit, overflow) = from.addingReportingOverflow(spanMs)
        return Array(shown[first...].prefix { $0.startMs == from || (!overflow && $0.startMs < limit) })
    }
}
