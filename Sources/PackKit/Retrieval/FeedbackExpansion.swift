/// Pseudo-relevance feedback for questions the words alone do not find: the words the best windows of a
/// first search share, beyond the question's own, are asked for too, at a lower weight, in a second search. A
/// paraphrase ("why does seeding the minimum-tracking variable with negative one give a wrong result?") shares
/// few words with the moment that answers it, but the windows it does find talk about that moment's subject in
/// the channel's own words ("smallest", "none"), which the second search then matches.
///
/// The second search lifts windows, it does not reorder the first: each window keeps the better of its first
/// score and `lift` times its second, both relative to their search's best, so a window the question's own
/// words ranked high stays there and one only the shared words find can rise to just below the best. Replacing
/// the first search's scores instead drifted (py4e hit@5 0.90 → 0.875: a parsing question's expansion, "browser",
/// "click", "html", favoured the HTTP lectures). Only questions whose best window holds under 60% of their words
/// are expanded: the others were found by their words (no figure moved with every question expanded, but the
/// second search is not free).
///
/// Measured with `ytce eval` (MRR / hit@1 / hit@5), before → after: py4e built by ytce 0.740 / 0.65 / 0.90 →
/// 0.760 / 0.68 / 0.90; the reference's py4e.pack 0.752 / 0.68 / 0.90 → 0.770 / 0.70 / 0.90; hf-course built by
/// ytce 0.842 / 0.80 / 0.90 → 0.881 / 0.82 / 0.95; the reference's hf-course.pack 0.843 / 0.80 / 0.925 → 0.881 /
/// 0.82 / 0.95. `ytce eval --answers`: hf-course (ytce) cites gold 0.80 → 0.825, the rest and the off-topic
/// questions (0 of 12 answered) unchanged. Lift 0.93-0.95 give the same; 0.90 and 0.97 each lose a py4e question
/// from the top five; 1 (a plain maximum) two. Coverage limits 0.6-1 give the same; 0.5 loses most of the gain.
/// Weight 0.3-0.4, 15-20 windows, 10-15 terms were a plateau when the second search replaced the first.
/// On MiniLM packs the vectors already carry meaning: with the lift, py4e.minilm is unchanged and hf-course
/// MiniLM gains one question's rank (MRR 0.943 → 0.946) for a third more time per ask (py4e.minilm paraphrases,
/// whole process: 64 → 83 ms), so those do without.
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
    public var maximumCoverage = 0.6
    /// The most a window found by the second search scores, as a share of the best window's score.
    public var lift: Float = 0.94

    public init() {}

    /// Whether a question should be expanded: its best window (`row`) holds less than `maximumCoverage` of the
    /// idf weight of the question's words the channel uses. A word the channel never uses is in no window, so it
    /// says nothing of whether the best one is on target (off-topic questions would otherwise all be expanded,
    /// and their expansion reads like evidence).
    func expands(_ query: LexicalQuery, bestRow row: Int, index: LexicalIndex) -> Bool {
        let present = index.termScores(query, rows: [row]).first ?? []
        var held = 0.0, all = 0.0
        for (t, term) in query.terms.enumerated() {
            let df = index.documentFrequency(term.text)
            guard df > 0 else { continue }
            let weight = term.weight * LexicalIndex.idf(documentFrequency: df, documentCount: index.documentCount)
            all += weight
            if t < present.count, present[t] > 0 { held += weight }
        }
        return all > 0 && held / all < maximumCoverage
    }

    /// The first search's `first` windows, each with the better of its score there and `lift` times its score in
    /// the `second`, both relative to their search's best; windows only the second found join. Best first.
    func merge(_ first: [ScoredRow], _ second: [ScoredRow]) -> [ScoredRow] {
        guard let best = first.first?.score, best > 0, let secondBest = second.first?.score, secondBest > 0 else { return first }
        var scores: [Int: Float] = [:]
        scores.reserveCapacity(first.count + second.count)
        for hit in first { scores[hit.row] = hit.score / best }
        for hit in second { scores[hit.row] = max(scores[hit.row] ?? 0, lift * hit.score / secondBest) }
        return scores.map { ScoredRow(row: $0.key, score: $0.value) }
            .sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
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
            return (word, mass * LexicalIndex.idf(documentFrequency: df, documentCount: index.documentCount))
        }.sorted { $0.score > $1.score || ($0.score == $1.score && $0.text < $1.text) }
        guard let best = scored.first?.score, best > 0 else { return query }
        return LexicalQuery(terms: query.terms + scored.prefix(terms).map {
            LexicalQuery.Term(text: $0.text, weight: weight * $0.score / best)
        })
    }
}
