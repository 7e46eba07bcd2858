import Foundation

/// One moment of one of several packs searched at once.
public struct PackHit: Sendable {
    /// The pack's label (its channel title, else its path).
    public var pack: String
    public var hit: SearchHit
    /// Comparable across the packs: see `CrossPackRanking`.
    public var score: Double
}

/// Merges the hits of several packs into one ranking whose scores compare across packs.
///
/// A pack's own hybrid scores are relative to that pack (BM25 over its best candidate, its vectors' cosines
/// rescaled over its candidates), so every pack's best moment scores about the same however well it answers. The
/// merged score is instead `coverage × score / best score of its pack`: `coverage` is the share of the question's
/// words the moment says, each word weighted by its rarity over all the packs together (BM25's inverse document
/// frequency with the packs' document frequencies and window counts summed), so it means the same in every pack;
/// the second factor keeps each pack's own order. A pack whose best moment says the question's rare words outranks
/// one whose best moment only says its common ones.
public enum CrossPackRanking {
    public static func merge(_ results: [(pack: String, retriever: Retriever, hits: [SearchHit])], question: String, topK: Int) -> [PackHit] {
        let analyzer = LexicalAnalyzer()
        var seen = Set<String>()
        let terms = analyzer.terms(Topic.isPhrase(question) ? question.replacingOccurrences(of: "\"", with: " ") : question)
            .filter { seen.insert($0).inserted }
        let windows = results.reduce(0) { $0 + $1.retriever.lexical.documentCount }
        let weights = terms.map { term -> Double in
            LexicalIndex.idf(documentFrequency: results.reduce(0) { $0 + $1.retriever.lexical.documentFrequency(term) },
                             documentCount: windows)
        }
        let total = weights.reduce(0, +)
        var merged: [(hit: PackHit, rank: Int)] = []
        for result in results {
            let best = result.hits.map(\.score).max() ?? 0
            for (rank, hit) in result.hits.enumerated() {
                let said = Set(analyzer.terms(hit.text))
                let coverage = total > 0 ? zip(terms, weights).reduce(0) { $0 + (said.contains($1.0) ? $1.1 : 0) } / total : 1
                merged.append((PackHit(pack: result.pack, hit: hit, score: best > 0 ? coverage * hit.score / best : 0), rank))
            }
        }
        // Equal scores (most often 0: moments found by meaning, not by the question's words) keep each pack's own
        // order, the packs taking turns.
        merged.sort { a, b in
            a.hit.score != b.hit.score ? a.hit.score > b.hit.score : a.rank != b.rank ? a.rank < b.rank : a.hit.pack < b.hit.pack
        }
        return Array(merged.prefix(topK).map(\.hit))
    }
}
