/// A row of a matrix and its score.
public struct ScoredRow: Sendable, Equatable {
    public var row: Int
    public var score: Float
    public init(row: Int, score: Float) {
        self.row = row
        self.score = score
    }
}

/// Keeps the `k` best-scored rows seen so far: a min-heap whose root is the worst kept, so most candidates
/// are rejected with one comparison.
struct TopK {
    let k: Int
    private(set) var heap: [ScoredRow] = []

    init(_ k: Int) {
        self.k = max(0, k)
        heap.reserveCapacity(self.k)
    }

    /// The score a candidate must beat to enter.
    @inline(__always)
    var threshold: Float { heap.count < k ? -.infinity : heap[0].score }

    @inline(__always)
    mutating func offer(_ row: Int, _ score: Float) {
        guard k > 0 else { return }
        if heap.count < k {
            heap.append(ScoredRow(row: row, score: score))
            siftUp(heap.count - 1)
        } else if Self.better(ScoredRow(row: row, score: score), than: heap[0]) {
            heap[0] = ScoredRow(row: row, score: score)
            siftDown(0)
        }
    }

    mutating func merge(_ other: TopK) {
        for item in other.heap { offer(item.row, item.score) }
    }

    /// Best first; equal scores by row so results are deterministic.
    func sorted() -> [ScoredRow] {
        heap.sorted { Self.better($0, than: $1) }
    }

    @inline(__always)
    static func better(_ a: ScoredRow, than b: ScoredRow) -> Bool {
        a.score > b.score || (a.score == b.score && a.row < b.row)
    }

    private mutating func siftUp(_ i: Int) {
        var child = i
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.better(heap[parent], than: heap[child]) else { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func siftDown(_ i: Int) {
        var parent = i
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < heap.count && Self.better(heap[worst], than: heap[left]) { worst = left }
            if right < heap.count && Self.better(heap[worst], than: heap[right]) { worst = right }
            guard worst != parent else { return }
            heap.swapAt(parent, worst)
            parent = worst
        }
    }
}
