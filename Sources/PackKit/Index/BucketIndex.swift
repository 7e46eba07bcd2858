import Foundation

// The bucket index of a hash-embedded chunk matrix: `vectors/ytce_chunk_buckets.v1.bin`, written by ytce's builds
// (or derived once into the cache for other packs) and memory-mapped by readers.
//
// A hash embedding (`HashEmbedder`) is a vector of small whole counts (how often the text's words fall in each
// bucket, with a sign) divided by the vector's length. A question has one non-zero bucket per word, so its dot
// product with every chunk needs only those buckets: the index lists, for each bucket, the chunks with a count
// there and the count, and each chunk's divisor. A 15-word question reads 15 of 384 lists (about 1/25 of the
// index) instead of the whole matrix, and the index is about a fifth of the matrix's size.
//
// Layout, little-endian; every section starts at a multiple of 8 bytes:
//
//   offset  size  field
//        0     8  magic "YTCEBKT1"
//        8     8  rows R: the matrix's rows (< 2^32)
//       16     4  columns C: the matrix's columns (buckets), 1...65536
//       20     4  rows per page, 65536
//       24     8  fingerprint of the matrix (`HNSWGraph.fingerprint(of:)`)
//       32     8  exception count E
//       40     8  page count P = ceil(R / 65536)
//       48     8  offset of the divisors: R float32; > 0 a row's divisor, 0 an all-zero row, -1 an exception
//       56     8  offset of the exceptions: E uint32 rows (ascending) that are not whole counts over a divisor;
//                 they are scored from the matrix itself
//       64     8  offset of the page table: P + 1 uint64, where each page starts, the last one where the last ends
//       72    56  zero
//      128        pages. Page p (rows 65536p ..< 65536(p+1)): C + 1 uint32 cumulative entry counts (bucket c's
//                 entries are [count[c], count[c + 1])), then N = count[C] uint16 rows within the page, then N int8
//                 counts, then zero bytes up to a multiple of 8
//
// Opening checks the header, every section's bounds, every page's entry counts and every divisor, so a search
// needs no checks: a row number is at most 65535 within its page, and the scores are kept for a whole number of
// pages.

/// A memory-mapped bucket index over the rows of a hash-embedded `NpyMatrix` (see the format above).
public final class BucketIndex: @unchecked Sendable {
    // Immutable after init: a read-only mapping that lives as long as the object.
    public static let fileName = "ytce_chunk_buckets.v1.bin"
    static let magic = Array("YTCEBKT1".utf8)
    static let headerBytes = 128
    static let pageRows = 65_536
    /// Packs with at least this many chunks get the index. Measured on the 500-hour benchmark pack (60k chunks):
    /// the full scan takes 2.7 ms, half the search budget; below this the scan is cheap.
    public static let minimumRows = 50_000

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let rows: Int
    public let columns: Int
    public let fingerprint: UInt64
    let pages: Int
    private let mapping: MappedRegion
    private let divisors: UnsafePointer<Float>
    let exceptions: [Int]
    /// Where each page starts in the mapping.
    private let pageStarts: [Int]

    /// Maps the index at `path`.
    public convenience init(contentsOf path: String) throws(Problem) {
        let region: FileRegion
        do { region = try FileRegion.file(atPath: path) } catch { throw Problem(description: "\(path): cannot open: \(error.reason)") }
        try self.init(region: region)
    }

    /// The index in `region` (a file, or a stored member of a pack read in place), mapped and checked.
    public init(region: FileRegion) throws(Problem) {
        func problem(_ reason: String) -> Problem { Problem(description: "\(region.name): \(reason)") }
        guard region.length >= Int64(Self.headerBytes) else { throw problem("too short for a bucket index") }
        let mapped: MappedRegion
        do { mapped = try region.map() } catch { throw problem(error.description) }
        let size = mapped.count
        guard Int(bitPattern: mapped.base) % 8 == 0 else { throw problem("does not start at a multiple of 8 bytes, so it cannot be read in place") }
        guard UnsafeRawBufferPointer(rebasing: mapped.bytes.prefix(8)).elementsEqual(Self.magic) else {
            throw problem("not an ytce bucket index (bad magic)")
        }
        let rows64 = mapped.u64(8), columns = Int(mapped.u32(16)), pageRows = Int(mapped.u32(20))
        let exceptions64 = mapped.u64(32), pages64 = mapped.u64(40)
        let divisorsAt = mapped.u64(48), exceptionsAt = mapped.u64(56), tableAt = mapped.u64(64)
        guard rows64 < UInt64(UInt32.max) else { throw problem("row count \(rows64) out of range") }
        let rows = Int(rows64)
        guard (1...65_536).contains(columns) else { throw problem("bucket count \(columns) out of range 1...65536") }
        guard pageRows == Self.pageRows else { throw problem("\(pageRows) rows per page, this ytce reads \(Self.pageRows)") }
        let pages = (rows + Self.pageRows - 1) / Self.pageRows
        guard pages64 == UInt64(pages) else { throw problem("\(pages64) pages for \(rows) rows, expected \(pages)") }
        guard exceptions64 <= rows64 else { throw problem("\(exceptions64) exceptions for \(rows) rows") }
        let exceptionCount = Int(exceptions64)
        // Sections: every offset and length is bounded by the file's size before it is used.
        func section(_ offset: UInt64, _ length: Int, _ what: String) throws(Problem) -> Int {
            guard offset % 8 == 0, offset <= UInt64(size), UInt64(length) <= UInt64(size) - offset else {
                throw problem("\(what) at \(offset) (\(length) bytes) lies outside the file (\(size) bytes)")
            }
            return Int(offset)
        }
        let divisorsOffset = try section(divisorsAt, rows * 4, "the divisors")
        let exceptionsOffset = try section(exceptionsAt, exceptionCount * 4, "the exceptions")
        let tableOffset = try section(tableAt, (pages + 1) * 8, "the page table")
        var starts: [Int] = []
        starts.reserveCapacity(pages + 1)
        for p in 0...pages {
            let start = mapped.u64(tableOffset + 8 * p)
            guard start % 8 == 0, start >= UInt64(Self.headerBytes), start <= UInt64(size), starts.last.map({ UInt64($0) <= start }) ?? true else {
                throw problem("page \(p) starts at \(start), outside the file or before the page before it")
            }
            starts.append(Int(start))
        }
        for p in 0..<pages {
            let start = starts[p], length = starts[p + 1] - start
            guard (columns + 1) * 4 <= length else { throw problem("page \(p) is too short for its entry counts") }
            var previous: UInt32 = 0
            for c in 0...columns {
                let count = mapped.u32(start + 4 * c)
                guard count >= previous else { throw problem("page \(p): entry counts go down at bucket \(c)") }
                previous = count
            }
            guard (columns + 1) * 4 + Int(previous) * 3 <= length else {
                throw problem("page \(p) lists \(previous) entries, more than its \(length) bytes hold")
            }
        }
        let divisors = (mapped.base + divisorsOffset).assumingMemoryBound(to: Float.self)
        mapped.populate(divisorsOffset..<(divisorsOffset + rows * 4))  // read whole just below
        for r in 0..<rows {
            let d = divisors[r]
            guard d.isFinite, d > 0 || d == 0 || d == -1 else { throw problem("row \(r) has the divisor \(d)") }
        }
        var exceptions: [Int] = []
        exceptions.reserveCapacity(exceptionCount)
        for i in 0..<exceptionCount {
            let row = Int(mapped.u32(exceptionsOffset + 4 * i))
            guard row < rows, divisors[row] == -1, exceptions.last.map({ $0 < row }) ?? true else {
                throw problem("exception \(i) (row \(row)) is out of range, out of order or has a divisor")
            }
            exceptions.append(row)
        }
        self.rows = rows
        self.columns = columns
        self.pages = pages
        self.fingerprint = mapped.u64(24)
        self.mapping = mapped
        self.divisors = divisors
        self.exceptions = exceptions
        self.pageStarts = starts
    }

    /// Where page `p` starts in the file.
    func pageStart(_ p: Int) -> Int { pageStarts[p] }

    /// The bytes of whole pages, as they lie in the file.
    /// Lets go of the mapped pages of `bytes` (a range `pageBytes` gave) once they were read (`MappedRegion.release`).
    func release(_ bytes: UnsafeRawBufferPointer) {
        guard let start = bytes.baseAddress, let base = mapping.bytes.baseAddress else { return }
        let lower = start - base
        mapping.release(lower..<(lower + bytes.count))
    }

    func pageBytes(_ pages: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapping.bytes[pageStarts[pages.lowerBound]..<pageStarts[pages.upperBound]])
    }

    /// The divisors of `rows`.
    func divisorValues(_ rows: Range<Int>) -> [Float] { Array(UnsafeBufferPointer(start: divisors + rows.lowerBound, count: rows.count)) }

    /// Whether searching through the index pays: the vectors are hash counts, but for a few rows at most (a pack
    /// whose vectors are something else lists most rows as exceptions).
    public var isUseful: Bool { exceptions.count * 100 <= rows }

    /// Throws unless the index was made from `matrix`: same shape and fingerprint.
    public func check(against matrix: NpyMatrix) throws(Problem) {
        guard matrix.rows == rows, matrix.columns == columns, HNSWGraph.fingerprint(of: matrix) == fingerprint else {
            throw Problem(description: "the bucket index was not made from this pack's chunk vectors (\(rows)×\(columns), the vectors \(matrix.rows)×\(matrix.columns))")
        }
    }

    /// The `k` rows with the highest dot product with `query`, reading only the buckets where it is not zero; the
    /// exceptions are scored from `matrix` (the matrix the index was made from).
    public func topK(_ query: [Float], k: Int, matrix: NpyMatrix,
                     threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [ScoredRow] {
        precondition(query.count == columns, "query has \(query.count) dimensions, the index \(columns)")
        guard rows > 0, k > 0 else { return [] }
        let nonzero = query.indices.filter { query[$0] != 0 }
        let lanes = max(1, min(threads, pages, 8))
        let partial = ResultSlots<TopK>(count: lanes)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            var top = TopK(k)
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: Self.pageRows)
            defer { sums.deallocate() }
            for page in stride(from: lane, to: pages, by: lanes) {
                sums.initialize(repeating: 0, count: Self.pageRows)
                let start = pageStarts[page]
                let counts = (mapping.base + start).assumingMemoryBound(to: UInt32.self)
                let total = Int(counts[columns])
                let rowsInPage = (mapping.base + start + 4 * (columns + 1)).assumingMemoryBound(to: UInt16.self)
                let weights = (mapping.base + start + 4 * (columns + 1) + 2 * total).assumingMemoryBound(to: Int8.self)
                for c in nonzero {
                    let w = query[c]
                    for e in Int(counts[c])..<Int(counts[c + 1]) {
                        sums[Int(rowsInPage[e])] += w * Float(weights[e])
                    }
                }
                let first = page * Self.pageRows
                for i in 0..<min(Self.pageRows, rows - first) {
                    let d = divisors[first + i]
                    guard d >= 0 else { continue }  // an exception: scored below
                    let score = d > 0 ? sums[i] / d : 0
                    if score > top.threshold || top.heap.count < k { top.offer(first + i, score) }
                }
            }
            partial.set(lane, top)
        }
        var merged = TopK(k)
        for result in partial.values() { merged.merge(result) }
        for row in exceptions {
            var dot: Float = 0
            let values = matrix.row(row)
            for c in nonzero { dot += query[c] * values[c] }
            merged.offer(row, dot)
        }
        return merged.sorted()
    }
}

extension BucketIndex {
    /// The index of a pack without one (built by the reference, or by an older ytce): made once from the vectors
    /// and kept in the cache.
    static func derived(for pack: ChannelPack, matrix: NpyMatrix, cache: PackCache) throws -> BucketIndex {
        try DerivedFiles.obtain(fileName, for: pack, cache: cache,
                                open: { path throws -> BucketIndex in
                                    let index = try BucketIndex(contentsOf: path)
                                    try index.check(against: matrix)
                                    return index
                                },
                                make: { path in try BucketIndexWriter.write(matrix: matrix, to: path) })
    }
}
