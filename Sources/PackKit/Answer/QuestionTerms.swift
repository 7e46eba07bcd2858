import Foundation

/// A question's terms as the answerer weighs them: each with its weight in the question (`LexicalQuery`: words
/// that point at a video rather than its content weigh less), its rarity in the pack (BM25 idf) and whether
/// the pack uses it at all.
public struct QuestionTerms: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        public var text: String
        public var weight: Double
        public var idf: Double
        /// False when no chunk of the pack holds the term.
        public var known: Bool

        public init(text: String, weight: Double, idf: Double, known: Bool) {
            self.text = text
            self.weight = weight
            self.idf = idf
            self.known = known
        }

        /// A word of the question's content, not of its frame ("where does the speaker show…").
        public var isContent: Bool { weight >= 1 }
    }

    public var terms: [Term]
    /// `weight × idf` of the known terms, by term.
    let known: [String: Double]
    let knownTotal: Double

    public init(_ terms: [Term]) {
        self.terms = terms
        known = Dictionary(terms.filter(\.known).map { ($0.text, $0.weight * $0.idf) }, uniquingKeysWith: max)
        knownTotal = known.values.reduce(0, +)
    }

    public var isEmpty: Bool { terms.isEmpty }
    public var contentTerms: [Term] { terms.filter(\.isContent) }
    /// Content terms the pack uses.
    public var knownContentCount: Int { terms.filter { $0.isContent && $0.known }.count }

    /// Share of the content words that the pack never uses: high for a question about something else entirely
    /// ("the tallest mountain in Africa" on a programming course), low for one the channel talks about, even
    /// in other words.
    public var unknownShare: Double {
        let content = contentTerms
        guard !content.isEmpty else { return 1 }
        return Double(content.filter { !$0.known }.count) / Double(content.count)
    }

    /// Share of the question's known terms (by weight × idf) that `words` holds; `scale` (`localWeights`) scales a
    /// listed term's weight, both in what `words` holds and in the whole.
    public func coverage(_ words: Set<String>, scale: [String: Double] = [:]) -> Double {
        guard !scale.isEmpty else {
            guard knownTotal > 0 else { return 0 }
            var sum = 0.0
            for (term, value) in known where words.contains(term) { sum += value }
            return sum / knownTotal
        }
        var sum = 0.0, total = 0.0
        for (term, value) in known {
            let scaled = value * (scale[term] ?? 1)
            total += scaled
            if words.contains(term) { sum += scaled }
        }
        return total > 0 ? sum / total : 0
    }

    /// How much each known term tells the sentences of one passage apart, as a factor of its weight: a term most
    /// of them hold is the passage's topic (a video about WordPiece names it throughout), so holding it says
    /// little about which sentence answers; a term one or two hold (the question's "score" and "pair") says much.
    /// `log(1 + n/df) / log(1 + n)` over the `n` sentences' term sets: 1 for a term one sentence holds, falling
    /// towards `log 2 / log(1 + n)` for one all of them hold. Terms held once or never are not listed (factor 1).
    public func localWeights(_ sentences: [Set<String>]) -> [String: Double] {
        guard sentences.count > 1 else { return [:] }
        let n = Double(sentences.count)
        var scale: [String: Double] = [:]
        for term in known.keys {
            let df = sentences.reduce(0) { $0 + ($1.contains(term) ? 1 : 0) }
            if df > 1 { scale[term] = log(1 + n / Double(df)) / log(1 + n) }
        }
        return scale
    }

    /// How many distinct content terms of the question `words` holds.
    public func contentMatches(_ words: Set<String>) -> Int {
        terms.reduce(0) { $0 + ($1.isContent && $1.known && words.contains($1.text) ? 1 : 0) }
    }
}
