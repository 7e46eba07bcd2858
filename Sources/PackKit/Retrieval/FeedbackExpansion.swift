/// Pseudo-relevance feedback for questions the words alone do not find: the words the best windows of a
/// first search share, beyond the question's own, are asked for too, at a lower weight, in a second search. A
/// paraphrase ("why does seeding the minimum-tracking variable with negative one give a wrong result?") shares
/// few words with the moment that answers it, but the windows it does find talk about that moment's subject in
/// the channel's own words ("smallest", "none"), which the second search then matches.
///
/// Only a question whose best window holds less than a quarter of its words is expanded (a paraphrase the words
/// alone found next to nothing for): where the first search did find the question's words, other windows' words
/// pull it away (keyword questions lost their first place to videos' introductions).
///
/// Measured with `ytce eval` (MRR / hit@1 / hit@5), defaults below, before → after:
/// py4e built by ytce 0.740 / 0.65 / 0.90 → 0.749 / 0.65 / 0.90; the reference's py4e.pack 0.752 / 0.68 / 0.90 →
/// 0.761 / 0.68 / 0.90; hf-course built by ytce 0.842 / 0.80 / 0.90 → 0.847 / 0.80 / 0.925; the reference's
/// hf-course.pack 0.843 / 0.80 / 0.925 → 0.846 / 0.80 / 0.95. Coverage limits 0.25-0.33 give the same. Expanding
/// more questions (limit 0.6) lifts MRR far more (py4e 0.789, hf-course 0.904, hit@1 +0.07 on both) but drops a
/// py4e question out of the top five (hit@5 0.875: its expansion, "browser", "click", "html", favours the HTTP
/// lectures over the parsing one it asks for), below the retrieval target of 0.90; fusing both searches' scores or
/// ranks, fewer windows per video, or expanding by less the more the window holds did not keep it. Weight 0.3-0.4,
/// 15-20 windows, 10-15 terms form a plateau. Without any coverage limit py4e falls (MRR 0.73-0.76, hit@5 0.85).
/// On MiniLM packs the vectors already carry meaning (py4e.minilm hit@5 0.97 → 0.95 with it): those do without.
/// A conversation's follow-ups are expanded by their thread (`RetrievalContext.foldedTerms`) instead.
public struct FeedbackExpansion: Sendable, Equatable {
    /// How many of the first search's windows are read.
    public var documents = 20
    /// How many terms are added at most.
    public var terms = 10
    /// The weight of the best added term (a question's own content word weighs 1); the others in proportion.
    public var weight = 0.4
    /// A term must occur in at least this many of the windows read: one window's odd word is noise.
    public var minimumDocuments = 2
    /// Terms in more than this share of the pack's windows say nothing about a moment and are not added.
    public var maximumDocumentShare = 0.2
    /// Only questions whose best window holds less than this share of their words (weighted by rarity) are
    /// expanded.
    public var maximumCoverage = 0.25

    public init() {}

    /// Whether a question should be expanded: its best window (`row`) holds less than `maximumCoverage` of the
    /// idf weight of the question's words the channel uses. A word the channel never uses is in no window, so it
    /// says nothing of whether the best one is on target (off-topic questions would otherwise all be expanded,
    /// and their expansion reads like evidence).
    func expands(_ query: LexicalQuery, bestRow row: Int, index: LexicalIndex) -> Bool {
        let present = index.termScores(query, rows: [row]).first ?? []
        var held = 0.0, all = 0.0
        for (t, term) in query.terms.enumerated() where index.documentFrequency(term.text) > 0 {
            let weight = term.weight * index.idf(term.text)
            all += weight
            if t < present.count, present[t] > 0 { held += weight }
        }
        return all > 0 && held / all < maximumCoverage
    }

    /// `query` with the added terms; `windows` are the first search's best windows' texts, best first, each with
    /// its score. A term's worth is its share of the windows' words, each window counting by its score (relevance
    /// model), times its rarity in the pack.
    func expand(_ query: LexicalQuery, windows: [(text: String, score: Float)], analyzer: LexicalAnalyzer,
                index: LexicalIndex) -> LexicalQuery {
        let read = windows.prefix(documents).filter { $0.score > 0 }
        let total = read.reduce(Float(0)) { $0 + $1.score }
        guard terms > 0, weight > 0, total > 0, index.documentCount > 0 else { return query }
        let own = Set(query.terms.map(\.text))
        var mass: [String: Double] = [:]
        var holders: [String: Int] = [:]
        for window in read {
            let words = analyzer.terms(window.text)
            guard !words.isEmpty else { continue }
            var counts: [String: Int] = [:]
            for word in words where !own.contains(word) { counts[word, default: 0] += 1 }
            let share = Double(window.score / total) / Double(words.count)
            for (word, count) in counts {
                mass[word, default: 0] += share * Double(count)
                holders[word, default: 0] += 1
            }
        }
        let maximumFrequency = maximumDocumentShare * Double(index.documentCount)
        let scored: [(text: String, score: Double)] = mass.compactMap { word, mass in
            guard holders[word, default: 0] >= minimumDocuments, word.count > 1, !word.allSatisfy(\.isNumber) else { return nil }
            let df = index.documentFrequency(word)
            guard df > 0, Double(df) <= maximumFrequency else { return nil }
            return (word, mass * index.idf(word))
        }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.text < $1.text) }
        guard let best = scored.first?.score, best > 0 else { return query }
        return LexicalQuery(terms: query.terms + scored.prefix(terms).map {
            LexicalQuery.Term(text: $0.text, weight: weight * $0.score / best)
        })
    }
}
