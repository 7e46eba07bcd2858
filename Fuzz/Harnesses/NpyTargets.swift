import Foundation
@testable import PackKit

/// A pack's `.npy` vector files: the header parser on its own (also what `pack info` reads from inside the zip), and
/// the memory-mapped matrix the retriever reads rows from.
enum NpyTargets {
    static let header = FuzzTarget(
        name: "npy-header",
        summary: "NpyHeader.parse; a parsed header has a non-negative shape and its data starts inside the input",
        maxLength: 1 << 10,
        dictionary: "npy"
    ) { input in
        guard let header = try? NpyHeader.parse(input) else { return }
        require(header.rows >= 0 && header.columns >= 0, "negative shape (\(header.rows), \(header.columns))")
        require(header.dataOffset >= 10 && header.dataOffset <= input.count, "data offset \(header.dataOffset) outside \(input.count) bytes")
    }

    static let matrix = FuzzTarget(
        name: "npy-matrix",
        summary: "NpyMatrix(contentsOf:) and reading every row; an opened matrix is exactly as large as its header says",
        maxLength: 4 << 10,
        dictionary: "npy"
    ) { input in
        let path = ScratchFolder.write(input, as: "matrix.npy")
        guard let matrix = try? NpyMatrix(contentsOf: path) else { return }
        let (cells, overflow) = matrix.rows.multipliedReportingOverflow(by: matrix.columns)
        require(!overflow && cells == matrix.elements.count, "\(matrix.elements.count) elements for shape (\(matrix.rows), \(matrix.columns))")
        require(cells * 4 <= input.count, "shape (\(matrix.rows), \(matrix.columns)) needs more than the file's \(input.count) bytes")
        var sum: Float = 0
        for row in 0..<matrix.rows {
            for value in matrix.row(row) { sum += value }
        }
        _ = sum
    }

}
