/// What a question is asked within, besides its own words: terms and a vector folded in from the conversation's
/// earlier turns (each weighing less than the question's own), and the videos it is limited to.
public struct RetrievalContext: Sendable, Equatable {
    /// Analyzed terms of earlier turns, each with its weight (below 1, a question's own content weight), left out
    /// where the question already asks for them.
    public var foldedTerms: [LexicalQuery.Term] = []
    /// The earlier turns' question vector, added to the question's own at `foldedVectorWeight` (semantic packs).
    public var foldedVector: [Float]?
    public var foldedVectorWeight: Float = 0
    /// Only moments of these videos (nil: the whole channel).
    public var videoIDs: Set<String>?
    /// Videos the thread's answers cited: their candidate chunks gain `threadVideoBoost` (on the scale of a
    /// lexical score relative to the best, 1).
    public var threadVideos: Set<String> = []
    public var threadVideoBoost = 0.0
    /// The folded terms also count when judging whether the evidence answers (a follow-up's few own words
    /// rarely do); false when they only nudge retrieval.
    public var judgesWithFoldedTerms = true
    /// The spans the thread's last answer cited, when the question follows on from it: sentences near them are
    /// preferred for the answer (`AnswerSettings.threadBonus`); retrieval does not use them.
    public var threadSpans: [Citation] = []

    public init(foldedTerms: [LexicalQuery.Term] = [], foldedVector: [Float]? = nil, foldedVectorWeight: Float = 0,
                videoIDs: Set<String>? = nil) {
        self.foldedTerms = foldedTerms
        self.foldedVector = foldedVector
        self.foldedVectorWeight = foldedVectorWeight
        self.videoIDs = videoIDs
    }

    /// Nothing folded in and no scope: the question alone.
    public var isEmpty: Bool { foldedTerms.isEmpty && foldedVector == nil && videoIDs == nil && threadVideos.isEmpty }

    /// `query` with the folded terms it does not hold already.
    func folding(into query: LexicalQuery) -> LexicalQuery {
        guard !foldedTerms.isEmpty else { return query }
        let own = Set(query.terms.map(\.text))
        return LexicalQuery(terms: query.terms + foldedTerms.filter { !own.contains($0.text) })
    }

    /// `vector` moved towards the folded one, unit length again; `vector` itself when nothing is folded or the
    /// dimensions differ.
    func folding(into vector: [Float]) -> [Float] {
        guard let folded = foldedVector, folded.count == vector.count, foldedVectorWeight > 0 else { return vector }
        var sum = vector
        for i in sum.indices { sum[i] += foldedVectorWeight * folded[i] }
        let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? sum.map { $0 / norm } : vector
    }
}
