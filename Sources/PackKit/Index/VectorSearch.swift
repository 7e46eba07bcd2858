import Foundation

/// Exact nearest-neighbour search over a memory-mapped float32 matrix: SIMD dot products (cosine for the
/// unit-length rows packs store), a top-k heap, and the rows split across cores for large matrices.
public enum VectorSearch {
    /// The `k` rows with the highest dot product with `query`, best first.
    public static func topK(_ query: [Float], in matrix: NpyMatrix, k: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [ScoredRow] {
        precondition(query.count == matrix.columns, "query has \(query.count) dimensions, the matrix \(matrix.columns)")
        let rows = matrix.rows
        guard rows > 0, k > 0 else { return [] }
        let lanes = rows >= 16_384 ? max(1, min(threads, 8)) : 1
        if lanes == 1 { return scan(query, matrix, 0..<rows, k: k).sorted() }
        let partial = ResultSlots<TopK>(count: lanes)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let lower = rows * lane / lanes, upper = rows * (lane + 1) / lanes
            partial.set(lane, scan(query, matrix, lower..<upper, k: k))
        }
        var merged = TopK(k)
        for result in partial.values() { merged.merge(result) }
        return merged.sorted()
    }

    /// The `k` best among the given rows only (the chunks of the best sections, in coarse-to-fine search).
    public static func topK(_ query: [Float], in matrix: NpyMatrix, rows candidates: [Int], k: Int) -> [ScoredRow] {
        precondition(query.count == matrix.columns, "query has \(query.count) dimensions, the matrix \(matrix.columns)")
        var top = TopK(k)
        guard let base = matrix.elements.baseAddress else { return [] }
        query.withUnsafeBufferPointer { q in
            for row in candidates where row >= 0 && row < matrix.rows {
                top.offer(row, dot(q, base + row * matrix.columns, matrix.columns))
            }
        }
        return top.sorted()
    }

    private static func scan(_ query: [Float], _ matrix: NpyMatrix, _ range: Range<Int>, k: Int) -> TopK {
        matrix.prepareForScan(rows: range)
        var top = TopK(k)
        let columns = matrix.columns
        guard let base = matrix.elements.baseAddress else { return top }
        query.withUnsafeBufferPointer { q in
            for row in range {
                let score = dot(q, base + row * columns, columns)
                if score > top.threshold || top.heap.count < k { top.offer(row, score) }
            }
        }
        return top
    }

    /// Dot product with 16-wide SIMD accumulators (two, to hide the add latency), then a scalar tail.
    @inline(__always)
    static func dot(_ q: UnsafeBufferPointer<Float>, _ row: UnsafePointer<Float>, _ n: Int) -> Float {
        guard let qp = q.baseAddress else { return 0 }
        let rawQ = UnsafeRawPointer(qp), rawR = UnsafeRawPointer(row)
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var i = 0
        let stride = MemoryLayout<Float>.stride
        while i + 32 <= n {
            a0 += rawQ.loadUnaligned(fromByteOffset: i * stride, as: SIMD16<Float>.self)
                * rawR.loadUnaligned(fromByteOffset: i * stride, as: SIMD16<Float>.self)
            a1 += rawQ.loadUnaligned(fromByteOffset: (i + 16) * stride, as: SIMD16<Float>.self)
                * rawR.loadUnaligned(fromByteOffset: (i + 16) * stride, as: SIMD16<Float>.self)
            i += 32
        }
        while i + 16 <= n {
            a0 += rawQ.loadUnaligned(fromByteOffset: i * stride, as: SIMD16<Float>.self)
                * rawR.loadUnaligned(fromByteOffset: i * stride, as: SIMD16<Float>.self)
            i += 16
        }
        var sum = (a0 + a1).sum()
        while i < n {
            sum += qp[i] * row[i]
            i += 1
        }
        return sum
    }
}
