/// A question that asks what something is ("What is a tuple?", "What does immutable mean?", "What is meant by a
/// fast tokenizer?"), and what it asks about: its subject as index terms. A sentence that says what the subject
/// is ("A tuple is…", "Immutable means…") answers it better than one that only uses the word, however often.
public struct DefinitionQuestion: Sendable, Equatable {
    /// The subject's terms (analyzed as the index analyzes them), in the question's order.
    public var subject: [String]

    /// A subject of more terms than this is a question about something else ("what is the best way to…").
    static let longestSubject = 3

    /// How a definition question opens, and whether its subject comes before a closing "mean".
    static let openings: [(words: [String], closing: String?)] = [
        (["what", "is", "meant", "by"], nil), (["what", "do", "you", "mean", "by"], nil), (["what", "does", "he", "mean", "by"], nil),
        (["what", "does", "she", "mean", "by"], nil), (["what", "is", "the", "meaning", "of"], nil),
        (["what", "is", "the", "definition", "of"], nil), (["define"], nil),
        (["what", "does"], "mean"), (["what", "do"], "mean"),
        (["what", "is"], nil), (["what", "are"], nil), (["what's"], nil), (["whats"], nil),
    ]
    /// Words that open a sentence before the question itself ("So what is…").
    static let openers: Set<String> = ["so", "and", "but", "now", "okay", "ok", "then", "well"]
    static let articles: Set<String> = ["a", "an", "the"]
    /// A subject that ends with one of these asks what the thing is for or like, not what it is.
    static let notDefinitions: Set<String> = ["for", "like", "used", "doing", "happening", "wrong", "different"]
    /// Verbs that, following the subject, make a sentence say what it is.
    static let definingVerbs: Set<String> = ["is", "are", "means", "mean", "refers", "refer", "stands"]

    public init(subject: [String]) {
        self.subject = subject
    }

    /// Nil when `question` does not ask what something is. The subject runs from the opening to the first
    /// punctuation (or "according to…", or the closing "mean").
    public init?(_ question: String, analyzer: LexicalAnalyzer) {
        let clause = question.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
            .split(whereSeparator: { ",?.;:!()".contains($0) }).first.map(String.init) ?? ""
        var words = Self.words(clause)
        while let first = words.first, Self.openers.contains(first) { words.removeFirst() }
        guard let opening = Self.openings.first(where: { words.starts(with: $0.words) }) else { return nil }
        var rest = Array(words.dropFirst(opening.words.count))
        if let according = rest.firstIndex(of: "according") { rest = Array(rest[..<according]) }
        if let closing = opening.closing {
            guard rest.last == closing else { return nil }
            rest.removeLast()
        }
        while let first = rest.first, Self.articles.contains(first) { rest.removeFirst() }
        guard let last = rest.last, !Self.notDefinitions.contains(last) else { return nil }
        let subject = analyzer.terms(rest.joined(separator: " "))
        guard !subject.isEmpty, subject.count <= Self.longestSubject else { return nil }
        self.subject = subject
    }

    /// Whether `sentence` says what the subject is: in one of its clauses, a defining verb ("is", "means"…)
    /// follows a few words that hold every term of the subject. A sentence that asks is not a definition.
    public func isDefined(by sentence: String, analyzer: LexicalAnalyzer = LexicalAnalyzer()) -> Bool {
        guard !sentence.hasSuffix("?") else { return false }
        let wanted = Set(subject)
        for clause in sentence.lowercased().replacingOccurrences(of: "\u{2019}", with: "'").split(whereSeparator: { ",;:()—".contains($0) }) {
            let words = Self.words(String(clause))
            for (i, word) in words.enumerated() where i > 0 && Self.definingVerbs.contains(word) {
                let before = words[max(0, i - subject.count - 2)..<i]
                if wanted.isSubset(of: analyzer.terms(before.joined(separator: " "))) { return true }
            }
        }
        return false
    }

    /// Lower-cased words (letters, digits and apostrophes) in order.
    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "'") }).map(String.init)
    }
}
