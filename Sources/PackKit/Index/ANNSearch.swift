import CHNSW
import Foundation

/// Approximate nearest-neighbour search over an `HNSWGraph`: greedy descent through the upper levels, then a
/// beam search of width `ef` on level 0. Scores are the exact dot products of `VectorSearch`, read from the
/// memory-mapped matrix the graph was built on.
public enum ANNSearch {
    /// About the `k` rows with the highest dot product with `query`, best first. `ef` (raised to `k` when
    /// smaller) trades time for recall. When `ef` covers every row, the exact scan is cheaper and is used.
    public static func topK(_ query: [Float], in matrix: NpyMatrix, graph: HNSWGraph, k: Int, ef: Int) -> [ScoredRow] {
        precondition(query.count == matrix.columns, "query has \(query.count) dimensions, the matrix \(matrix.columns)")
        precondition(graph.rows == matrix.rows && graph.dimension == matrix.columns,
                     "graph of \(graph.rows) x \(graph.dimension) used with a matrix of \(matrix.rows) x \(matrix.columns)")
        guard k > 0, matrix.rows > 0, let base = matrix.elements.baseAddress else { return [] }
        let ef = max(ef, k)
        if ef >= matrix.rows { return VectorSearch.topK(query, in: matrix, k: min(k, matrix.rows), threads: 1) }
        let columns = matrix.columns, rows = graph.rows
        return query.withUnsafeBufferPointer { q -> [ScoredRow] in
            @inline(__always) func score(_ row: Int) -> Float { VectorSearch.dot(q, base + row * columns, columns) }

            // Upper levels: move to the best neighbour until none is better.
            var current = graph.entryPoint
            var currentScore = score(current)
            var level = graph.maxLevel
            while level > 0 {
                var changed = true
                while changed {
                    changed = false
                    let (ids, stored) = graph.links(of: current, level: level)
                    for i in 0..<min(stored, graph.m) {
                        let next = Int(UInt32(littleEndian: ids[i]))
                        guard next < rows else { continue }
                        let s = score(next)
                        if s > currentScore {
                            currentScore = s
                            current = next
                            changed = true
                        }
                    }
                }
                level -= 1
            }

            // Level 0: best-first expansion; `results` keeps the ef best seen, `frontier` those not yet expanded.
            return graph.withVisited { visited -> [ScoredRow] in
                var results = TopK(ef)
                var frontier = MaxHeap(capacity: ef * 2)
                _ = visited.insert(current)
                results.offer(current, currentScore)
                frontier.push(ScoredRow(row: current, score: currentScore))
                let slots = graph.m0
                while let candidate = frontier.pop() {
                    // Every remaining candidate is worse than the ef-th best: nothing can improve.
                    if candidate.score < results.threshold { break }
                    let (ids, stored) = graph.links(of: candidate.row, level: 0)
                    let count = min(stored, slots)
                    // Start loading the unvisited neighbours' rows before scoring the first, so that the loads
                    // overlap (the hardware prefetcher follows on within each row): 10-25% faster at 600k rows.
                    for i in 0..<count {
                        let next = Int(UInt32(littleEndian: ids[i]))
                        if next < rows && !visited.contains(next) { chnsw_prefetch(base + next * columns) }
                    }
                    for i in 0..<count {
                        let next = Int(UInt32(littleEndian: ids[i]))
                        guard next < rows, visited.insert(next) else { continue }
                        let s = score(next)
                        if s > results.threshold {
                            results.offer(next, s)
                            frontier.push(ScoredRow(row: next, score: s))
                        }
                    }
                }
                let best = results.sorted()
                return best.count > k ? Array(best.prefix(k)) : best
            }
        }
    }
}

/// The frontier of the level-0 search: a max-heap by score.
private struct MaxHeap {
    private var items: [ScoredRow] = []

    init(capacity: Int) { items.reserveCapacity(capacity) }

    @inline(__always)
    mutating func push(_ item: ScoredRow) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent].score < items[child].score else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    @inline(__always)
    mutating func pop() -> ScoredRow? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var parent = 0
        let n = items.count
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < n && items[left].score > items[best].score { best = left }
            if right < n && items[right].score > items[best].score { best = right }
            guard best != parent else { break }
            items.swapAt(parent, best)
            parent = best
        }
        return top
    }
}
