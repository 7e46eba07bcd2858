/// A moment is often told over more than one 45 s window: the question's words fall in a window and the ones
/// beside it. Each candidate window is scored by the question's terms found in it or in the adjacent windows of
/// the same video (per term, the best of the three), plus its own BM25 score at `ownWeight`, so the window at
/// the heart of a passage that covers the whole question beats one that names a few of its words many times
/// (a video's introduction, typically).
///
/// Measured with `ytce eval` on the hash packs, with `LexicalQuery` on both sides: py4e MRR 0.721 → 0.752 and
/// hit@5 0.88 → 0.90, hf-course MRR 0.831 → 0.843. Own weights 0.25-0.27 are best on both sets (0.2 or 0.4 lose
/// a py4e question, 0.3 a hf-course one, 1 loses 0.03 MRR on py4e); two windows either side cost py4e hit@5
/// (0.85); neighbours counted at less than full weight cost 0.02 MRR. On MiniLM packs it is neutral (py4e MRR
/// 0.905 → 0.909, hf-course 0.943 both).
enum NeighbourhoodScoring {
    static func rescore(_ hits: [ScoredRow], query: LexicalQuery, index: LexicalIndex, chunks: ChunkTable,
                        ownWeight: Float) -> [ScoredRow] {
        guard !hits.isEmpty, !query.terms.isEmpty else { return hits }
        // The windows just before and after in the same video: rows are in chunk-id order, which is time order
        // within a video in the packs ytce and the reference build; the time check keeps other packs honest.
        func neighbours(_ row: Int) -> [Int] {
            let span = chunks.endMs[row] - chunks.startMs[row]
            return [row - 1, row + 1].filter { n in
                guard n >= 0, n < chunks.count, chunks.videoIndex[n] == chunks.videoIndex[row] else { return false }
                let step = (chunks.startMs[n] - chunks.startMs[row]) * (n - row)  // times are checked: no overflow
                return step > 0 && step <= max(span, 1)
            }
        }
        var wanted = Set<Int>()
        for hit in hits {
            wanted.insert(hit.row)
            wanted.formUnion(neighbours(hit.row))
        }
        let rows = wanted.sorted()
        let scores = index.termScores(query, rows: rows)
        var position: [Int: Int] = [:]
        position.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() { position[row] = i }
        var rescored = hits.map { hit -> ScoredRow in
            guard let own = position[hit.row] else { return hit }
            var best = scores[own]
            for n in neighbours(hit.row) {
                guard let p = position[n] else { continue }
                for t in best.indices { best[t] = max(best[t], scores[p][t]) }
            }
            let context: Float = best.reduce(0, +)
            return ScoredRow(row: hit.row, score: context + ownWeight * hit.score)
        }
        rescored.sort { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
        return rescored
    }
}
