import Foundation
import XCTest
@testable import PackKit

final class ANNIndexTests: XCTestCase {
    /// A seeded generator of standard normal floats (Box-Muller over a 64-bit LCG).
    struct Gaussian {
        var state: UInt64
        mutating func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        mutating func next() -> Float {
            Float((-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()))
        }
    }

    static func normalised(_ v: [Float]) -> [Float] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    /// Writes row-major `values` as .npy in `folder` and maps it back.
    func write(_ values: [Float], columns: Int, in folder: URL, name: String = "m.npy") throws -> NpyMatrix {
        let path = folder.appendingPathComponent(name).path
        let writer = try NpyWriter(path: path, columns: columns)
        try writer.append(values)
        try writer.finish()
        return try NpyMatrix(contentsOf: path)
    }

    func randomUnitRows(_ rows: Int, _ columns: Int, seed: UInt64) -> [Float] {
        var g = Gaussian(state: seed)
        var out: [Float] = []
        out.reserveCapacity(rows * columns)
        for _ in 0..<rows { out += Self.normalised((0..<columns).map { _ in g.next() }) }
        return out
    }

    /// Rows around `clusters` random centres: centre + noise of about a third of its length, normalised.
    func clusteredRows(_ rows: Int, _ columns: Int, clusters: Int, seed: UInt64) -> [Float] {
        var g = Gaussian(state: seed)
        let centres = (0..<clusters).map { _ in Self.normalised((0..<columns).map { _ in g.next() }) }
        let noise = Float(0.35) / Float(columns).squareRoot()
        var out: [Float] = []
        out.reserveCapacity(rows * columns)
        for r in 0..<rows {
            let centre = centres[(r &* 7919) % clusters]
            out += Self.normalised(centre.map { $0 + noise * g.next() })
        }
        return out
    }

    func buildGraph(_ matrix: NpyMatrix, in folder: URL, m: Int = 16, efConstruction: Int = 100) throws -> HNSWGraph {
        let path = folder.appendingPathComponent(HNSWGraph.fileName).path
        try HNSWGraph.build(matrix: matrix, to: path, m: m, efConstruction: efConstruction, threads: 2)
        let graph = try HNSWGraph(contentsOf: path, matching: matrix)
        try graph.validate()
        return graph
    }

    /// Mean overlap of the ANN top k with the exact top k, and checks of order and scores on the way.
    func recall(_ matrix: NpyMatrix, _ graph: HNSWGraph, queries: [[Float]], k: Int, ef: Int,
                file: StaticString = #filePath, line: UInt = #line) -> Double {
        var found = 0, wanted = 0
        for query in queries {
            let exact = VectorSearch.topK(query, in: matrix, k: k)
            let approximate = ANNSearch.topK(query, in: matrix, graph: graph, k: k, ef: ef)
            XCTAssertEqual(approximate.count, min(k, matrix.rows), file: file, line: line)
            XCTAssertEqual(Set(approximate.map(\.row)).count, approximate.count, "duplicate rows", file: file, line: line)
            for (a, b) in zip(approximate, approximate.dropFirst()) {
                XCTAssertTrue(a.score > b.score || (a.score == b.score && a.row < b.row), "not sorted best first", file: file, line: line)
            }
            // Same dot product as the exact scan, bit for bit.
            let exactScores = Dictionary(uniqueKeysWithValues: exact.map { ($0.row, $0.score) })
            for hit in approximate {
                let reference = exactScores[hit.row] ?? VectorSearch.topK(query, in: matrix, rows: [hit.row], k: 1)[0].score
                XCTAssertEqual(hit.score, reference, file: file, line: line)
            }
            found += Set(approximate.map(\.row)).intersection(exact.map(\.row)).count
            wanted += exact.count
        }
        return Double(found) / Double(max(1, wanted))
    }

    /// Uniformly random directions: the hardest case for a graph index (no structure to exploit), hence the wide
    /// beam. (The C++ target is unoptimised in debug builds, so the sizes are kept small.)
    func testRecallOnRandomUnitVectors() throws {
        let folder = TestSupport.temporaryDirectory(self)
        let (rows, columns) = (10_000, 64)
        let matrix = try write(randomUnitRows(rows, columns, seed: 1), columns: columns, in: folder)
        let graph = try buildGraph(matrix, in: folder)
        XCTAssertEqual(graph.rows, rows)
        XCTAssertEqual(graph.dimension, columns)
        XCTAssertEqual(graph.m, 16)
        XCTAssertEqual(graph.m0, 32)
        let queryValues = randomUnitRows(50, columns, seed: 2)
        let queries = (0..<50).map { Array(queryValues[($0 * columns)..<(($0 + 1) * columns)]) }
        let r10 = recall(matrix, graph, queries: queries, k: 10, ef: 200)
        XCTAssertGreaterThanOrEqual(r10, 0.95, "recall@10 on random unit vectors")
        print("ANN recall@10 (10k x 64 random, M 16, efC 100, ef 200): \(r10)")
    }

    func testRecallOnClusteredData() throws {
        let folder = TestSupport.temporaryDirectory(self)
        let (rows, columns) = (20_000, 64)
        let values = clusteredRows(rows, columns, clusters: 40, seed: 3)
        let matrix = try write(values, columns: columns, in: folder)
        let graph = try buildGraph(matrix, in: folder)
        // Queries near stored rows (perturbed copies), as a question is near the chunks that answer it.
        var g = Gaussian(state: 4)
        let queries = (0..<50).map { i -> [Float] in
            let r = (i * 397) % rows
            return Self.normalised(values[(r * columns)..<((r + 1) * columns)].map { $0 + 0.05 * g.next() })
        }
        let r10 = recall(matrix, graph, queries: queries, k: 10, ef: 64)
        XCTAssertGreaterThanOrEqual(r10, 0.95, "recall@10 on clustered data")
        let r50 = recall(matrix, graph, queries: Array(queries.prefix(10)), k: 50, ef: 100)
        XCTAssertGreaterThanOrEqual(r50, 0.95, "recall@50 on clustered data")
        print("ANN recall (20k x 64 clustered): @10 ef 64 \(r10), @50 ef 100 \(r50)")
    }

    func testRefusesAGraphOfAnotherMatrix() throws {
        let folder = TestSupport.temporaryDirectory(self)
        let matrix = try write(randomUnitRows(500, 16, seed: 5), columns: 16, in: folder, name: "a.npy")
        let path = folder.appendingPathComponent(HNSWGraph.fileName).path
        try HNSWGraph.build(matrix: matrix, to: path, threads: 1)
        let moreRows = try write(randomUnitRows(501, 16, seed: 5), columns: 16, in: folder, name: "b.npy")
        let otherDim = try write(randomUnitRows(500, 8, seed: 5), columns: 8, in: folder, name: "c.npy")
        let sameShape = try write(randomUnitRows(500, 16, seed: 6), columns: 16, in: folder, name: "d.npy")
        for (other, expected) in [(moreRows, "does not match the matrix of 501 x 16"), (otherDim, "does not match the matrix of 500 x 8"),
                                  (sameShape, "fingerprint differs")] {
            XCTAssertThrowsError(try HNSWGraph(contentsOf: path, matching: other)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(path + ": "), message)
                XCTAssertTrue(message.contains(expected), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        XCTAssertNoThrow(try HNSWGraph(contentsOf: path, matching: matrix))
    }

    func testRefusesTruncatedOrDamagedFiles() throws {
        let folder = TestSupport.temporaryDirectory(self)
        let matrix = try write(randomUnitRows(2_000, 16, seed: 7), columns: 16, in: folder)
        let path = folder.appendingPathComponent(HNSWGraph.fileName).path
        try HNSWGraph.build(matrix: matrix, to: path, m: 8, efConstruction: 50, threads: 2)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let damaged = folder.appendingPathComponent("damaged.bin").path

        func assertRefused(_ bytes: Data, _ expected: String, line: UInt = #line) {
            _ = FileManager.default.createFile(atPath: damaged, contents: bytes)
            XCTAssertThrowsError(try HNSWGraph(contentsOf: damaged), line: line) { error in
                XCTAssertTrue(error is HNSWGraph.Problem, line: line)
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(damaged + ": "), message, line: line)
                XCTAssertTrue(message.contains(expected), message, line: line)
                XCTAssertFalse(message.contains("\n"), message, line: line)
            }
        }
        func patched(_ offset: Int, _ value: UInt32) -> Data {
            var copy = good
            withUnsafeBytes(of: value.littleEndian) { copy.replaceSubrange(offset..<(offset + 4), with: $0) }
            return copy
        }
        assertRefused(good.prefix(good.count - 1), "truncated")
        assertRefused(good.prefix(good.count / 2), "truncated")
        assertRefused(good.prefix(40), "too short")
        assertRefused(Data(), "too short")
        assertRefused(good + Data([0, 0, 0, 0]), "unexpected bytes")
        assertRefused(Data("NOTAGRAPH".utf8) + good.dropFirst(9), "bad magic")
        assertRefused(patched(8, 2), "version 2")
        assertRefused(patched(16, 1_000_000), "truncated")      // rows
        assertRefused(patched(16, 0), "row count 0")
        assertRefused(patched(28, 9), "M0 = 2 * M")             // M without M0
        assertRefused(patched(36, 2_000), "entry point 2000")
        assertRefused(patched(48, 0), "unexpected bytes")       // upper table size

        // Lying links: out-of-range ids and counts in every level-0 slot. Opening only checks the header, so
        // it succeeds; search must skip the bad links, and validate() must report them.
        var lying = good
        let slotWords = 1 + 16
        for row in stride(from: 0, to: 2_000, by: 3) {
            let offset = 64 + row * slotWords * 4
            withUnsafeBytes(of: UInt32(row % 2 == 0 ? 1_000_000 : 5_000).littleEndian) {
                lying.replaceSubrange(offset..<(offset + 4), with: $0)  // count larger than the slots
            }
            withUnsafeBytes(of: UInt32.max.littleEndian) { lying.replaceSubrange((offset + 4)..<(offset + 8), with: $0) }
        }
        _ = FileManager.default.createFile(atPath: damaged, contents: lying)
        let graph = try HNSWGraph(contentsOf: damaged, matching: matrix)
        XCTAssertThrowsError(try graph.validate()) { error in
            XCTAssertTrue("\(error)".contains("claims"), "\(error)")
        }
        let query = Array(randomUnitRows(1, 16, seed: 8))
        let hits = ANNSearch.topK(query, in: matrix, graph: graph, k: 10, ef: 32)
        XCTAssertFalse(hits.isEmpty)
        XCTAssertTrue(hits.allSatisfy { $0.row < 2_000 })
    }

    func testKLargerThanRowsAndTinyMatrices() throws {
        let folder = TestSupport.temporaryDirectory(self)
        let values = randomUnitRows(300, 24, seed: 9)
        let matrix = try write(values, columns: 24, in: folder)
        let graph = try buildGraph(matrix, in: folder)
        let query = Array(values[0..<24])
        let all = ANNSearch.topK(query, in: matrix, graph: graph, k: 1_000, ef: 10)
        XCTAssertEqual(all, VectorSearch.topK(query, in: matrix, k: 1_000))
        XCTAssertEqual(all.count, 300)
        XCTAssertEqual(all.first?.row, 0)
        // Through the graph (ef below the row count): the query row itself comes first.
        let some = ANNSearch.topK(query, in: matrix, graph: graph, k: 5, ef: 40)
        XCTAssertEqual(some.first?.row, 0)
        XCTAssertEqual(some.count, 5)
        XCTAssertEqual(ANNSearch.topK(query, in: matrix, graph: graph, k: 0, ef: 40), [])

        let oneFolder = folder.appendingPathComponent("one")
        try FileManager.default.createDirectory(at: oneFolder, withIntermediateDirectories: true)
        let one = try write([0.6, 0.8], columns: 2, in: oneFolder)
        let oneGraph = try buildGraph(one, in: oneFolder)
        XCTAssertEqual(oneGraph.rows, 1)
        let hits = ANNSearch.topK([1, 0], in: one, graph: oneGraph, k: 10, ef: 1)
        XCTAssertEqual(hits, [ScoredRow(row: 0, score: 0.6)])
        XCTAssertEqual(ANNSearch.topK([1, 0], in: one, graph: oneGraph, k: .max, ef: .max), hits)
    }

    func testBuildWritesAtomicallyAndReportsFailures() throws {
        let folder = TestSupport.temporaryDirectory(self)
        let matrix = try write(randomUnitRows(100, 8, seed: 10), columns: 8, in: folder)
        let path = folder.appendingPathComponent(HNSWGraph.fileName).path
        try HNSWGraph.build(matrix: matrix, to: path, threads: 4)
        // Rebuilding replaces the file in place; no temporary file is left behind.
        try HNSWGraph.build(matrix: matrix, to: path, m: 4, threads: 1)
        XCTAssertEqual(try HNSWGraph(contentsOf: path, matching: matrix).m, 4)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(names, ["m.npy", HNSWGraph.fileName])

        // One thread: the same graph, byte for byte (more threads insert in a scheduling-dependent order).
        let again = folder.appendingPathComponent("again.bin").path
        try HNSWGraph.build(matrix: matrix, to: path, m: 4, threads: 1)
        try HNSWGraph.build(matrix: matrix, to: again, m: 4, threads: 1)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), try Data(contentsOf: URL(fileURLWithPath: again)))
        try FileManager.default.removeItem(atPath: again)

        let missing = folder.appendingPathComponent("no/such/dir/graph.bin").path
        XCTAssertThrowsError(try HNSWGraph.build(matrix: matrix, to: missing)) { error in
            XCTAssertTrue("\(error)".hasPrefix(missing + ": cannot build the HNSW graph: cannot write"), "\(error)")
        }
        XCTAssertThrowsError(try HNSWGraph.build(matrix: matrix, to: path, m: 1)) { error in
            XCTAssertTrue("\(error)".contains("invalid parameters"), "\(error)")
        }
        XCTAssertThrowsError(try HNSWGraph(contentsOf: missing)) { error in
            XCTAssertTrue("\(error)".contains("cannot open"), "\(error)")
        }
    }
}
