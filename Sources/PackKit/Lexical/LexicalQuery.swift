/// A question as weighted BM25 terms: the analyzer's terms, plus the parts of camelCase words ("PageRank" also
/// asks for "page" and "rank") and adjacent words joined when the pack uses them as one ("page rank" also asks
/// for "pagerank"); words that talk about the video rather than its content ("Where does the instructor
/// show…") weigh less. Each term appears once.
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
        "instructor", "lecture", "lecturer", "speaker", "presenter", "video", "videos", "channel",
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

    /// `isKnown` says whether the pack's index holds a term (joined words are only asked for when it does).
    /// A term weighs `frameWeight` only when every word of the question it comes from is a frame word.
    public init(_ question: String, analyzer: LexicalAnalyzer, isKnown: (String) -> Bool) {
        var pieces: [(text: String, frame: Bool)] = []
        func add(_ word: Substring) {
            let frame = Self.frameWordSet.contains(word.lowercased())
            for text in analyzer.terms(String(word)) { pieces.append((text, frame)) }
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
