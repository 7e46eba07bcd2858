/// A question as weighted BM25 terms: the analyzer's terms, plus the parts of camelCase words ("PageRank" also
/// asks for "page" and "rank") and adjacent words joined when the pack uses them as one ("page rank" also asks
/// for "pagerank"); a word the pack never uses asks for the known word it extends ("percentage" for "percent");
/// words that talk about the video rather than its content ("Where does the instructor show…") weigh less.
/// Each term appears once.
///
/// The known-word fallback, measured: the sample pack answered 14 of its 15 documented questions (refusing "What
/// extraction percentage range does the host recommend…": two of its five content words unknown) and answers all
/// 15, cites gold 0.73 → 0.80; `ytce eval` MRR hf-course 0.847 → 0.854 (built by ytce) and 0.846 → 0.852 (the
/// reference's pack); py4e, MiniLM packs, follow-ups and the off-topic questions (0 of 12 answered) unchanged.
public struct LexicalQuery: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        public var text: String
        public var weight: Double
    }

    public var terms: [Term]

    /// How much a question-frame word counts. Measured with `ytce eval`: 0.2-0.4 give py4e MRR +0.02 and
    /// hf-course +0.01; 0 (dropping them) costs py4e 0.06, because "talk" or "show" are sometimes the content.
    public static let frameWeight = 0.3

    /// Words a question uses to point at a moment of a video, not at its content (analyzed like the question).
    public static let frameWords = [
        "instructor", "lecture", "lecturer", "speaker", "presenter", "host", "video", "videos", "channel",
        "show", "shows", "shown", "explain", "explains", "describe", "describes", "mention", "mentions", "mentioned",
        "demonstrate", "demonstrates", "say", "says", "according", "talk", "talks",
    ]

    public init(terms: [Term]) {
        var seen = Set<String>()
        self.terms = terms.filter { seen.insert($0.text).inserted }
    }

    /// The frame words as spelled (lower-cased): a word frames the question by its spelling, not its stem, so
    /// "talking to a pet" or "saying no" stay content although "talk" and "say" are frame words.
    static let frameWordSet = Set(frameWords)

    /// `isKnown` says whether the pack's index holds a term (joined words are only asked for when it does);
    /// `extensions` lists (up to two of) the pack's terms that begin with a term and go on.
    /// A term weighs `frameWeight` only when every word of the question it comes from is a frame word.
    public init(_ question: String, analyzer: LexicalAnalyzer, isKnown: (String) -> Bool,
                extensions: (String) -> [String] = { _ in [] }) {
        var pieces: [(text: String, frame: Bool)] = []
        func add(_ word: Substring) {
            let frame = Self.frameWordSet.contains(word.lowercased())
            for text in analyzer.terms(String(word)) {
                let known = isKnown(text) ? text : Self.knownStem(of: text, isKnown) ?? Self.clippedFrom(text, extensions)
                pieces.append((known ?? text, frame))
            }
        }
        let words = Self.words(question)
        for word in words { add(word) }
        for word in words {
            let parts = Self.camelCaseParts(word)
            guard parts.count > 1 else { continue }
            for part in parts { add(part) }
        }
        for (first, second) in zip(words, words.dropFirst()) {
            let first = first.lowercased(), second = second.lowercased()
            guard !analyzer.stopWords.contains(first), !analyzer.stopWords.contains(second) else { continue }
            for joined in analyzer.terms(first + second) where isKnown(joined) { pieces.append((joined, false)) }
        }
        let content = Set(pieces.filter { !$0.frame }.map(\.text))
        self.init(terms: pieces.map { Term(text: $0.text, weight: content.contains($0.text) ? 1 : Self.frameWeight) })
    }

    /// Shortest stem a word the pack never uses may fall back to, and the share of the word it must keep.
    static let minimumStemLength = 5
    static let minimumStemShare = 0.75

    /// For a term the pack never uses, the longest known term it begins with, when that keeps most of it:
    /// "percentage" asks for "percent", which the stemmer keeps apart ("percentag"); nil when there is none.
    static func knownStem(of term: String, _ isKnown: (String) -> Bool) -> String? {
        let letters = Array(term)
        guard letters.count > minimumStemLength, letters.allSatisfy(\.isLetter) else { return nil }
        let shortest = max(minimumStemLength, Int((Double(letters.count) * minimumStemShare).rounded(.up)))
        for length in stride(from: letters.count - 1, through: shortest, by: -1) {
            let prefix = String(letters[..<length])
            if isKnown(prefix) { return prefix }
        }
        return nil
    }

    /// Shortest clipped word that stands for the one word of the pack it begins.
    static let minimumClippedLength = 4

    /// For a term the pack never uses, the one known term it is the beginning of: a clipped word ("typos" for
    /// "typographical errors", "stats" for "statistics", "params" for "parameters"); nil when the pack has none
    /// or several ("comp": compare, compile, compute…), where the clipping does not say which.
    static func clippedFrom(_ term: String, _ extensions: (String) -> [String]) -> String? {
        guard term.count >= minimumClippedLength, term.allSatisfy(\.isLetter) else { return nil }
        let found = extensions(term)
        return found.count == 1 ? found[0] : nil
    }

    /// Runs of letters and digits, as written.
    static func words(_ text: String) -> [Substring] {
        text.split { !$0.isLetter && !$0.isNumber }
    }

    /// "PageRank" → ["Page", "Rank"]; "myGrid" → ["my", "Grid"]; a word without an inner capital stays whole.
    /// Only a lower-case letter followed by a capital splits: "XMLHttp" and "HTTP2Server" stay whole.
    static func camelCaseParts(_ word: Substring) -> [Substring] {
        var parts: [Substring] = []
        var start = word.startIndex
        var previous: Character?
        for index in word.indices {
            let c = word[index]
            if let p = previous, p.isLowercase, c.isUppercase {
                parts.append(word[start..<index])
                start = index
            }
            previous = c
        }
        parts.append(word[start...])
        return parts
    }
}
