import Foundation
import XCTest
@testable import PackKit

final class VectorSearchTests: XCTestCase {
    /// Writes a random matrix as .npy and maps it back.
    func matrix(rows: Int, columns: Int, seed: UInt64) throws -> (NpyMatrix, [Float]) {
        var state = seed
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
        let values = (0..<(rows * columns)).map { _ in next() }
        let path = TestSupport.temporaryDirectory(self).appendingPathComponent("m.npy").path
        let writer = try NpyWriter(path: path, columns: columns)
        try writer.append(values)
        try writer.finish()
        return (try NpyMatrix(contentsOf: path), values)
    }

    func naive(_ query: [Float], _ values: [Float], columns: Int, k: Int, rows: [Int]? = nil) -> [Int] {
        let all = rows ?? Array(0..<(values.count / columns))
        let scored = all.map { r -> (Int, Float) in
            var s: Float = 0
            for c in 0..<columns { s += query[c] * values[r * columns + c] }
            return (r, s)
        }
        return scored.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(k).map(\.0)
    }

    func testMatchesANaiveScanOnOddSizes() throws {
        for (rows, columns) in [(1, 3), (37, 17), (1000, 384), (20_000, 48)] {
            let (m, values) = try matrix(rows: rows, columns: columns, seed: UInt64(rows * columns))
            let query = Array(values[0..<columns].reversed())
            for k in [1, 10, 50] {
                let fast = VectorSearch.topK(query, in: m, k: k)
                XCTAssertEqual(fast.count, min(k, rows))
                // Scores agree to float rounding; compare the rows of clearly separated scores.
                let expected = naive(query, values, columns: columns, k: k)
                XCTAssertEqual(Set(fast.map(\.row)).intersection(expected).count, min(k, rows), "\(rows)x\(columns) k=\(k)")
                XCTAssertEqual(fast.map(\.score), fast.map(\.score).sorted(by: >), "best first")
            }
        }
    }

    func testRestrictedToCandidateRows() throws {
        let (m, values) = try matrix(rows: 500, columns: 32, seed: 7)
        let query = Array(values[32..<64])
        let candidates = Array(stride(from: 0, to: 500, by: 7))
        let fast = VectorSearch.topK(query, in: m, rows: candidates + [-1, 9999], k: 5)
        XCTAssertEqual(fast.map(\.row), naive(query, values, columns: 32, k: 5, rows: candidates))
    }

    func testTopKKeepsTheBestAndBreaksTiesByRow() {
        var top = TopK(3)
        for (row, score) in [(0, 1), (1, 5), (2, 3), (3, 5), (4, 0), (5, 4)] as [(Int, Float)] { top.offer(row, score) }
        XCTAssertEqual(top.sorted(), [ScoredRow(row: 1, score: 5), ScoredRow(row: 3, score: 5), ScoredRow(row: 5, score: 4)])
        XCTAssertEqual(TopK(0).sorted(), [])
    }
}
