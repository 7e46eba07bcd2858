import Foundation

/// A column-major (transposed) copy of a chunk matrix, memory-mapped, for queries with few non-zero entries
/// (hash-embedded questions: one per word). The exact dot products with every row need only the query's
/// non-zero columns: a 15-word question reads 15 of 384 columns, so an exact search of 600k chunks reads about
/// 36 MB instead of 920 MB. Exact, unlike a graph, whose recall on near-random hash vectors is poor.
///
/// File (little-endian): `YTCECOL1`, rows (UInt64), columns (UInt64), the source matrix's fingerprint (UInt64,
/// `HNSWGraph.fingerprint`), zero padding to 64 bytes, then column after column of float32.
public final class ColumnMatrix: @unchecked Sendable {
    // Immutable after init: a read-only mapping that lives as long as the object.
    public let rows: Int
    public let columns: Int
    private let base: UnsafeRawPointer
    private let length: Int
    static let magic = Array("YTCECOL1".utf8)
    static let headerSize = 64

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Maps the copy at `path`, refusing one that was not made from `matrix`.
    public init(contentsOf path: String, matching matrix: NpyMatrix) throws(Problem) {
        let fd: Int32, size: Int
        do { (fd, size) = try InputFile.openRegular(path) } catch { throw Problem(description: "cannot open \(path): \(error.reason)") }
        defer { close(fd) }
        guard size >= Self.headerSize, let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw Problem(description: "\(path) is not a column matrix")
        }
        let p = UnsafeRawPointer(mapped)
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        let magicOK = (0..<8).allSatisfy { p.load(fromByteOffset: $0, as: UInt8.self) == Self.magic[$0] }
        guard magicOK, u64(8) == UInt64(matrix.rows), u64(16) == UInt64(matrix.columns), u64(24) == HNSWGraph.fingerprint(of: matrix),
              size == Self.headerSize + matrix.rows * matrix.columns * 4 else {
            munmap(mapped, size)
            throw Problem(description: "\(path) was not made from this pack's chunk vectors")
        }
        rows = matrix.rows
        columns = matrix.columns
        base = p
        length = size
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    /// Column after column of float32. Valid while `self` is alive.
    private var columnData: UnsafePointer<Float> { (base + Self.headerSize).assumingMemoryBound(to: Float.self) }

    /// Writes the transposed copy of `matrix` to `path` (temporary file, then rename), a block of rows at a time.
    public static func build(from matrix: NpyMatrix, to path: String) throws(Problem) {
        let size = headerSize + matrix.rows * matrix.columns * 4
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Problem(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(size)) == 0, let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            unlink(temporary)
            throw Problem(description: "cannot size \(temporary): \(String(cString: strerror(errno)))")
        }
        var header = ZipBytes()
        header.bytes(magic)
        header.u64(UInt64(matrix.rows)); header.u64(UInt64(matrix.columns)); header.u64(HNSWGraph.fingerprint(of: matrix))
        while header.data.count < headerSize { header.u64(0) }
        header.data.withUnsafeBytes { mapped.copyMemory(from: $0.baseAddress!, byteCount: headerSize) }
        let out = (mapped + headerSize).assumingMemoryBound(to: Float.self)
        let rows = matrix.rows, columns = matrix.columns
        if let source = matrix.elements.baseAddress {
            // Blocks of rows small enough to stay in cache while their values are spread over every column.
            let block = 2048
            var start = 0
            while start < rows {
                let end = min(rows, start + block)
                for c in 0..<columns {
                    let column = out + c * rows
                    for r in start..<end { column[r] = source[r * columns + c] }
                }
                start = end
            }
        }
        let synced = msync(mapped, size, MS_SYNC) == 0
        munmap(mapped, size)
        guard synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Problem(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The `k` rows with the highest dot product with `query`, exactly, reading only its non-zero columns.
    public func topK(_ query: [Float], k: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [ScoredRow] {
        precondition(query.count == columns, "query has \(query.count) dimensions, the matrix \(columns)")
        let nonzero = query.indices.filter { query[$0] != 0 }
        guard rows > 0, k > 0 else { return [] }
        let lanes = rows >= 65_536 ? max(1, min(threads, 8)) : 1
        let partial = ResultSlots<TopK>(count: lanes)
        let rows = self.rows
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let data = self.columnData
            let lower = rows * lane / lanes, upper = rows * (lane + 1) / lanes
            let count = upper - lower
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: count)
            defer { scores.deallocate() }
            scores.initialize(repeating: 0, count: count)
            for c in nonzero {
                Self.accumulate(query[c], data + c * rows + lower, into: scores, count: count)
            }
            var top = TopK(k)
            for i in 0..<count where scores[i] > top.threshold || top.heap.count < k { top.offer(lower + i, scores[i]) }
            partial.set(lane, top)
        }
        var merged = TopK(k)
        for result in partial.values() { merged.merge(result) }
        return merged.sorted()
    }

    /// `scores[i] += weight * column[i]`, 16 lanes at a time.
    @inline(__always)
    static func accumulate(_ weight: Float, _ column: UnsafePointer<Float>, into scores: UnsafeMutablePointer<Float>, count: Int) {
        let w = SIMD16<Float>(repeating: weight)
        let source = UnsafeRawPointer(column), target = UnsafeMutableRawPointer(scores)
        let stride = MemoryLayout<Float>.stride
        var i = 0
        while i + 16 <= count {
            let sum = target.loadUnaligned(fromByteOffset: i * stride, as: SIMD16<Float>.self)
                + w * source.loadUnaligned(fromByteOffset: i * stride, as: SIMD16<Float>.self)
            target.storeBytes(of: sum, toByteOffset: i * stride, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            scores[i] += weight * column[i]
            i += 1
        }
    }
}

extension ColumnMatrix {
    public static let fileName = "chunk_columns.v1.f32"
    /// Packs with at least this many chunks get the copy. Measured on the 500-hour benchmark pack (60k chunks):
    /// the full scan takes 2.7 ms, half the search budget, the copy's search 0.3 ms (hybrid search p50 4.6-5.2 →
    /// 1.7-1.9 ms); the copy costs about 0.2 s once and as much disk as the vectors. Below this the scan is cheap.
    public static let minimumRows = 50_000

    /// The pack's column-major chunk copy, made once (0.2 s for 60k chunks here) and kept in the cache.
    static func cached(for pack: ChannelPack, matrix: NpyMatrix, cache: PackCache) throws -> ColumnMatrix {
        try DerivedFiles.obtain(fileName, for: pack, cache: cache,
                                open: { try ColumnMatrix(contentsOf: $0, matching: matrix) },
                                make: { try ColumnMatrix.build(from: matrix, to: $0) })
    }
}
