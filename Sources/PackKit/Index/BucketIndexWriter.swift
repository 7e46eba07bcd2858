import Foundation

/// Writes a `BucketIndex` (format in BucketIndex.swift) from rows given in order, a page at a time: memory stays
/// at one page's entries (about 20 MB for 65,536 rows of 384 buckets, twice that while a page is written) whatever
/// the number of rows.
///
/// A page's entries are kept in row order in flat arrays and sorted into buckets by one counting pass when the page
/// is written (stable, so each bucket's rows stay ascending). Appending to one array per bucket instead cost a
/// uniqueness and an exclusivity check per entry: a fifth of a 500-hour build's CPU time went to this index.
final class BucketIndexWriter {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    let path: String
    let columns: Int
    private let file: OutputFile
    private var offset = BucketIndex.headerBytes
    private var pageStarts: [Int] = []
    private var divisors: [Float] = []
    private var exceptions: [UInt32] = []
    private var rowsInPage = 0
    /// The page's entries in row order: each one's bucket and count; row r's are `rowEnds[r - 1] ..< rowEnds[r]`.
    private var entryColumns: [UInt16] = []
    private var entryCounts: [Int8] = []
    private var rowEnds: [Int32] = []
    /// The page's entries sorted by bucket (scratch of `flushPage`).
    private var sortedRows: [UInt16] = []
    private var sortedCounts: [Int8] = []

    init(path: String, columns: Int) throws {
        guard (1...65_536).contains(columns) else { throw Problem(description: "\(path): \(columns) buckets, at most 65536") }
        self.path = path
        self.columns = columns
        file = try OutputFile(path: path)
        try file.write([UInt8](repeating: 0, count: BucketIndex.headerBytes))
    }

    var rows: Int { divisors.count }

    /// Appends whole rows (`vectors.count` a multiple of `columns`).
    func add(_ vectors: UnsafeBufferPointer<Float>) throws {
        precondition(vectors.count % columns == 0, "\(vectors.count) values are not whole rows of \(columns)")
        try add(BucketRows(vectors: vectors, columns: columns))
    }

    /// Appends rows already in bucket form, a page at a time.
    func add(_ rows: BucketRows) throws {
        guard divisors.count + rows.count < Int(UInt32.max) else {
            throw Problem(description: "\(path): more than \(UInt32.max - 1) rows")
        }
        var start = 0
        while start < rows.count {
            let count = min(rows.count - start, BucketIndex.pageRows - rowsInPage)
            try appendToPage(rows, start..<(start + count))
            if rowsInPage == BucketIndex.pageRows { try flushPage() }
            start += count
        }
    }

    /// Adds rows that fit in the current page.
    private func appendToPage(_ rows: BucketRows, _ range: Range<Int>) throws {
        let from = range.lowerBound == 0 ? 0 : Int(rows.ends[range.lowerBound - 1])
        let to = Int(rows.ends[range.upperBound - 1])
        guard entryColumns.count + (to - from) <= Int(Int32.max) else {
            throw Problem(description: "\(path): more than \(Int32.max) non-zero values in a page of \(BucketIndex.pageRows) rows")
        }
        let shift = Int32(entryColumns.count) - Int32(from)
        entryColumns.append(contentsOf: rows.columns[from..<to])
        entryCounts.append(contentsOf: rows.counts[from..<to])
        rowEnds.append(contentsOf: rows.ends[range].lazy.map { $0 + shift })
        for r in range where rows.divisors[r] < 0 { exceptions.append(UInt32(divisors.count + r - range.lowerBound)) }
        divisors.append(contentsOf: rows.divisors[range])
        rowsInPage += range.count
    }

    /// Starts the index with the first `count` pages of `old` as they are (their bytes, divisors and exceptions):
    /// `pack build --update` keeps the pages whose rows did not change and adds the rest. Pages start right after
    /// the header in both files, so the kept pages' offsets stay the same.
    func keep(pages count: Int, of old: BucketIndex) throws {
        precondition(rows == 0 && count <= old.pages, "pages are kept before any row is added")
        guard count > 0 else { return }
        // Written in slices, each let go of once written: the kept pages (177 MB on a 5,000-hour pack) do not all
        // stay resident while the update goes on.
        let bytes = old.pageBytes(0..<count)
        let slice = 8 << 20
        for start in stride(from: 0, to: bytes.count, by: slice) {
            let part = UnsafeRawBufferPointer(rebasing: bytes[start..<min(bytes.count, start + slice)])
            try file.write(part)
            old.release(part)
        }
        for p in 0..<count { pageStarts.append(old.pageStart(p)) }
        offset += bytes.count
        pagesEnd = offset
        let keptRows = count * BucketIndex.pageRows
        divisors += old.divisorValues(0..<keptRows)
        exceptions += old.exceptions.prefix { $0 < keptRows }.map { UInt32($0) }
    }

    /// Completes the file: the last page, the divisors, the exceptions, the page table and the header.
    func finish(fingerprint: UInt64) throws {
        if rowsInPage > 0 { try flushPage() }
        let divisorsAt = offset
        try file.write(divisors)
        offset += divisors.count * 4
        try pad()
        let exceptionsAt = offset
        try file.write(exceptions)
        offset += exceptions.count * 4
        try pad()
        let tableAt = offset
        try file.write((pageStarts + [pagesEnd]).map { UInt64($0).littleEndian })
        var header = ZipBytes()
        header.bytes(BucketIndex.magic)
        header.u64(UInt64(divisors.count)); header.u32(UInt32(columns)); header.u32(UInt32(BucketIndex.pageRows))
        header.u64(fingerprint); header.u64(UInt64(exceptions.count)); header.u64(UInt64(pageStarts.count))
        header.u64(UInt64(divisorsAt)); header.u64(UInt64(exceptionsAt)); header.u64(UInt64(tableAt))
        try file.write(header.data, at: 0)
        try file.close()
    }

    /// The page table's last entry is where the last page ends: the divisors' offset.
    private var pagesEnd = BucketIndex.headerBytes

    private func flushPage() throws {
        pageStarts.append(offset)
        let total = entryColumns.count
        // Counting sort by bucket: counts[c] ..< counts[c + 1] are bucket c's entries.
        var counts = [UInt32](repeating: 0, count: columns + 1)
        for column in entryColumns { counts[Int(column) + 1] += 1 }
        for c in 0..<columns { counts[c + 1] += counts[c] }
        sortedRows.removeAll(keepingCapacity: true)
        sortedRows.append(contentsOf: repeatElement(0, count: total))
        sortedCounts.removeAll(keepingCapacity: true)
        sortedCounts.append(contentsOf: repeatElement(0, count: total))
        var next = counts
        entryColumns.withUnsafeBufferPointer { columnOf in
            entryCounts.withUnsafeBufferPointer { countOf in
                sortedRows.withUnsafeMutableBufferPointer { rowsOut in
                    sortedCounts.withUnsafeMutableBufferPointer { countsOut in
                        var entry = 0
                        for (row, end) in rowEnds.enumerated() {
                            while entry < Int(end) {
                                let c = Int(columnOf[entry])
                                let at = Int(next[c])
                                rowsOut[at] = UInt16(truncatingIfNeeded: row)  // < 65536 rows in a page
                                countsOut[at] = countOf[entry]
                                next[c] += 1
                                entry += 1
                            }
                        }
                    }
                }
            }
        }
        try file.write(counts.map { $0.littleEndian })
        try file.write(sortedRows.map { $0.littleEndian })
        try file.write(sortedCounts)
        offset += counts.count * 4 + total * 3
        try pad()
        pagesEnd = offset
        entryColumns.removeAll(keepingCapacity: true)
        entryCounts.removeAll(keepingCapacity: true)
        rowEnds.removeAll(keepingCapacity: true)
        rowsInPage = 0
    }

    private func pad() throws {
        let extra = (8 - offset % 8) % 8
        if extra > 0 { try file.write([UInt8](repeating: 0, count: extra)) }
        offset += extra
    }

    /// The index of a whole matrix, written to a temporary file beside `path` and renamed into place.
    static func write(matrix: NpyMatrix, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            let writer = try BucketIndexWriter(path: temporary, columns: max(1, matrix.columns))
            let block = 4096
            var start = 0
            while start < matrix.rows {
                let end = min(matrix.rows, start + block)
                try writer.add(UnsafeBufferPointer(rebasing: matrix.elements[(start * matrix.columns)..<(end * matrix.columns)]))
                start = end
            }
            try writer.finish(fingerprint: HNSWGraph.fingerprint(of: matrix))
            guard rename(temporary, path) == 0 else {
                throw Problem(description: "cannot move \(temporary) to \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
