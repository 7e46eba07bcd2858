import CHNSW
import Foundation

// The HNSW graph of a pack's chunk matrix: `vectors/ytce_chunk_hnsw.v1.bin`, built by hnswlib (through the
// CHNSW shim) at pack-build time and memory-mapped by readers. Only the graph is stored: the vectors are read
// from `vectors/chunk_embeddings.npy`, whose rows are the graph's nodes (node r = row r). Readers that do not
// know the file ignore it; the reference never reads it.
//
// Layout, all little-endian, every section starting at a multiple of 4 bytes (the file is mapped, not parsed):
//
//   offset  size  field
//        0     8  magic "YTCEHNSW"
//        8     4  version, 1
//       12     4  header size in bytes, 64
//       16     8  rows: nodes in the graph, equal to the matrix's rows (1 ..< 2^32 - 1)
//       24     4  dim: the matrix's columns
//       28     4  M: link slots per node on levels 1 and up
//       32     4  M0: link slots per node on level 0, 2 * M
//       36     4  entry point: the node the search starts from, at the top level
//       40     4  max level: the top level (0...255), the entry point's level
//       44     4  metric: 1 = inner product (rows are unit length, score = dot product)
//       48     8  U: words (uint32) in the upper-level table
//       56     8  fingerprint of the matrix the graph was built on (see `HNSWGraph.fingerprint(of:)`)
//       64        level 0: rows slots of 1 + M0 uint32, slot r = [count, neighbour ids of row r ..., 0 padding]
//                 levels: rows uint8, the top level of each row, then 0 bytes up to a multiple of 4
//                 upper offsets: rows uint32, where row r's upper lists start in the upper table, in words
//                 upper table: U uint32; row r with level L > 0 owns L lists of 1 + M words for levels 1...L,
//                 each [count, neighbour ids ..., 0 padding]
//
// The file is exactly that long. Opening checks the header and the length (a truncated or padded file is
// refused); search treats out-of-range ids, counts and offsets as absent links, so a lying file can give poor
// results but never a crash; `validate()` checks every list when wanted.

/// A memory-mapped HNSW graph over the rows of an `NpyMatrix` (see the format above).
public final class HNSWGraph: @unchecked Sendable {
    // Immutable after init except `pool`, which `lock` guards.
    public static let fileName = "ytce_chunk_hnsw.v1.bin"
    public static let version: UInt32 = 1
    // Measured with `ytce-bench --ann` on 600k x 384 hash embeddings of synthetic talks with topics (whose
    // neighbourhoods match the real hash-384 packs'; topic-free text is far worse), 2 cores: M 16 with
    // efConstruction 200 builds in ~9.5 min (875 s CPU, 80 MiB graph) and gives question-like queries recall@10
    // 0.93 at ef 512 (p50 3.0 ms) and 0.956 at ef 1024 (p50 5.9 ms, p99 8.3 ms); the exact scan takes 24-32 ms.
    // M 32 reaches 0.953 at ef 512 in about the same time per query but costs 1.5x the build and 2x the graph.
    // Hash vectors are nearly random (the 10th best scores little more than the 200th), the hard case for a
    // graph; dense (neural) embeddings, which the graph is for, should need a much smaller ef (not measured at
    // scale: no such pack here).
    public static let defaultM = 16
    public static let defaultEfConstruction = 200
    /// A search beam for k ≤ 10 on dense embeddings (hash-like vectors need ~1024 for recall@10 0.95, see above;
    /// larger k need ef ≥ k, and more for the same recall).
    public static let defaultEf = 128

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public let path: String
    public let rows: Int
    public let dimension: Int
    public let m: Int
    public let m0: Int
    public let entryPoint: Int
    public let maxLevel: Int
    public let fingerprint: UInt64

    let level0: UnsafePointer<UInt32>
    let levels: UnsafePointer<UInt8>
    let upperOffsets: UnsafePointer<UInt32>
    let upper: UnsafePointer<UInt32>
    let upperWords: Int
    private let mapping: MappedRegion
    private let lock = NSLock()
    private var pool: [VisitedSet] = []

    static let magic = Array("YTCEHNSW".utf8)
    static let headerBytes = 64
    static let metricInnerProduct: UInt32 = 1

    /// Maps the graph at `path` and checks its header and length.
    public convenience init(contentsOf path: String) throws(Problem) {
        let region: FileRegion
        do { region = try FileRegion.file(atPath: path) } catch { throw Problem(path: path, reason: "cannot open: \(error.reason)") }
        try self.init(region: region)
    }

    /// The graph in `region` (a file, or a stored member of a pack read in place), mapped and checked.
    public init(region: FileRegion) throws(Problem) {
        let path = region.name
        self.path = path
        func problem(_ reason: String) -> Problem { Problem(path: path, reason: reason) }
        guard region.length >= Int64(Self.headerBytes) else {
            throw problem("file of \(region.length) bytes is too short for an HNSW graph header (\(Self.headerBytes) bytes)")
        }
        let mapped: MappedRegion
        do { mapped = try region.map() } catch { throw problem(error.description) }
        let size = mapped.count
        let raw = mapped.base
        // The lists are read as UInt32 in place.
        guard Int(bitPattern: raw) % 4 == 0 else { throw problem("does not start at a multiple of 4 bytes, so it cannot be read in place") }
        func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        func u64(_ offset: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        func fail(_ reason: String) -> Problem { problem(reason) }
        guard UnsafeRawBufferPointer(start: raw, count: 8).elementsEqual(Self.magic) else {
            throw fail("not an ytce HNSW graph (bad magic)")
        }
        let version = u32(8)
        guard version == Self.version else { throw fail("HNSW graph version \(version); this ytce reads version \(Self.version)") }
        guard u32(12) == UInt32(Self.headerBytes) else { throw fail("header size \(u32(12)), expected \(Self.headerBytes)") }
        let rows64 = u64(16), dim = Int(u32(24)), m = Int(u32(28)), m0 = Int(u32(32))
        let entry = Int(u32(36)), maxLevel = Int(u32(40)), metric = u32(44), upperWords64 = u64(48)
        guard rows64 >= 1 && rows64 < UInt64(UInt32.max) else { throw fail("row count \(rows64) out of range") }
        let rows = Int(rows64)
        guard dim >= 1 else { throw fail("dimension 0") }
        guard m >= 2 && m <= 1024 && m0 == 2 * m else { throw fail("link counts M \(m), M0 \(m0) are invalid (M in 2...1024, M0 = 2 * M)") }
        guard entry < rows else { throw fail("entry point \(entry) out of range 0..<\(rows)") }
        guard maxLevel <= 255 else { throw fail("max level \(maxLevel) out of range 0...255") }
        guard metric == Self.metricInnerProduct else { throw fail("metric \(metric) is not inner product (1)") }
        guard upperWords64 <= UInt64(UInt32.max) else { throw fail("upper table of \(upperWords64) words is too large") }
        let upperWords = Int(upperWords64)
        // Section sizes cannot overflow: rows < 2^32, M0 + 1 ≤ 2049, U < 2^32.
        let level0Offset = Self.headerBytes
        let levelsOffset = level0Offset + rows * (m0 + 1) * 4
        let offsetsOffset = levelsOffset + (rows + 3) / 4 * 4
        let upperOffset = offsetsOffset + rows * 4
        let expected = upperOffset + upperWords * 4
        guard size == expected else {
            throw fail(size < expected
                ? "truncated: the header describes \(expected) bytes (\(rows) rows, M \(m)), the file holds \(size)"
                : "\(size - expected) unexpected bytes after the graph's \(expected)")
        }
        let levels = (raw + levelsOffset).assumingMemoryBound(to: UInt8.self)
        guard Int(levels[entry]) == maxLevel else {
            throw fail("entry point \(entry) has level \(levels[entry]), the header says \(maxLevel)")
        }
        self.rows = rows
        self.dimension = dim
        self.m = m
        self.m0 = m0
        self.entryPoint = entry
        self.maxLevel = maxLevel
        self.fingerprint = u64(56)
        self.upperWords = upperWords
        self.level0 = (raw + level0Offset).assumingMemoryBound(to: UInt32.self)
        self.levels = levels
        self.upperOffsets = (raw + offsetsOffset).assumingMemoryBound(to: UInt32.self)
        self.upper = (raw + upperOffset).assumingMemoryBound(to: UInt32.self)
        self.mapping = mapped
    }

    /// Maps the graph at `path` and checks that it was built for `matrix`.
    public convenience init(contentsOf path: String, matching matrix: NpyMatrix) throws(Problem) {
        try self.init(contentsOf: path)
        try check(against: matrix)
    }

    /// Throws unless the graph was built for `matrix`: same shape and same fingerprint.
    public func check(against matrix: NpyMatrix) throws(Problem) {
        guard matrix.rows == rows && matrix.columns == dimension else {
            throw Problem(path: path, reason: "graph of \(rows) x \(dimension) does not match the matrix of \(matrix.rows) x \(matrix.columns)")
        }
        guard Self.fingerprint(of: matrix) == fingerprint else {
            throw Problem(path: path, reason: "graph was built for other vectors of the same shape (\(rows) x \(dimension)): fingerprint differs")
        }
    }

    /// Checks every list: counts within their slots, ids in range, levels consistent, offsets contiguous.
    /// Reads the whole file (tens of MB for 600k rows); search does not need it to be safe.
    public func validate() throws(Problem) {
        func fail(_ reason: String) -> Problem { Problem(path: path, reason: reason) }
        var expectedOffset = 0
        for r in 0..<rows {
            let level = Int(levels[r])
            guard level <= maxLevel else { throw fail("row \(r) has level \(level) above the max level \(maxLevel)") }
            guard Int(UInt32(littleEndian: upperOffsets[r])) == expectedOffset else {
                throw fail("row \(r)'s upper lists start at word \(UInt32(littleEndian: upperOffsets[r])), expected \(expectedOffset)")
            }
            expectedOffset += level * (m + 1)
            guard expectedOffset <= upperWords else { throw fail("row \(r)'s upper lists run past the upper table (\(upperWords) words)") }
            for l in 0...level {
                let list = links(of: r, level: l)
                guard list.count <= (l == 0 ? m0 : m) else {
                    throw fail("row \(r) level \(l) claims \(list.count) links, more than its \(l == 0 ? m0 : m) slots")
                }
                for i in 0..<list.count {
                    let id = Int(UInt32(littleEndian: list.ids[i]))
                    guard id < rows else { throw fail("row \(r) level \(l) links to row \(id), out of range 0..<\(rows)") }
                    guard Int(levels[id]) >= l else { throw fail("row \(r) level \(l) links to row \(id), which has no level \(l)") }
                }
            }
        }
        guard expectedOffset == upperWords else { throw fail("upper table holds \(upperWords) words, the levels need \(expectedOffset)") }
    }

    /// The raw links of `row` at `level` (count as stored, possibly lying), or none when the level or its
    /// offset is out of range.
    @inline(__always)
    func links(of row: Int, level: Int) -> (ids: UnsafePointer<UInt32>, count: Int) {
        if level == 0 {
            let slot = level0 + row * (m0 + 1)
            return (slot + 1, Int(UInt32(littleEndian: slot[0])))
        }
        guard level <= Int(levels[row]) else { return (upper, 0) }
        let start = Int(UInt32(littleEndian: upperOffsets[row])) + (level - 1) * (m + 1)
        guard start + m + 1 <= upperWords else { return (upper, 0) }
        return (upper + start + 1, Int(UInt32(littleEndian: upper[start])))
    }

    // MARK: Visited sets, reused across searches

    /// Borrows a visited set sized for this graph (cleared), returns it to the pool afterwards.
    func withVisited<T>(_ body: (VisitedSet) -> T) -> T {
        lock.lock()
        let visited = pool.popLast() ?? VisitedSet(count: rows)
        lock.unlock()
        visited.clear()
        let result = body(visited)
        lock.lock()
        if pool.count < 16 { pool.append(visited) }
        lock.unlock()
        return result
    }

    // MARK: Building

    /// Builds the graph of `matrix` with hnswlib and writes it to `path` atomically (a temporary file in the
    /// same folder, then a rename). `m` links per node (2 * m on level 0), `efConstruction` the build beam.
    public static func build(matrix: NpyMatrix, to path: String, m: Int = defaultM, efConstruction: Int = defaultEfConstruction,
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount, seed: UInt64 = 100) throws(Problem) {
        guard matrix.rows > 0, matrix.columns > 0, let base = matrix.elements.baseAddress else {
            throw Problem(path: path, reason: "cannot index an empty matrix (\(matrix.rows) x \(matrix.columns))")
        }
        guard matrix.columns <= Int(UInt32.max), (2...1024).contains(m), efConstruction > 0 else {
            throw Problem(path: path, reason: "invalid parameters: M \(m) (2...1024), efConstruction \(efConstruction) (> 0)")
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var message = [CChar](repeating: 0, count: 512)
        let status = chnsw_build_graph(base, UInt64(matrix.rows), UInt32(matrix.columns), UInt32(m), UInt32(efConstruction),
                                       UInt32(clamping: max(1, threads)), seed, fingerprint(of: matrix), temporary,
                                       &message, message.count)
        guard status == 0 else {
            unlink(temporary)
            throw Problem(path: path, reason: "cannot build the HNSW graph: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Problem(path: path, reason: "cannot move the graph into place: \(reason)")
        }
    }

    /// FNV-1a over the shape and the bytes of the first, middle and last rows: catches a graph paired with
    /// other vectors of the same shape, at the cost of reading three rows.
    public static func fingerprint(of matrix: NpyMatrix) -> UInt64 {
        fingerprint(rows: matrix.rows, columns: matrix.columns) { Array(matrix.row($0)) }
    }

    /// The fingerprint of a matrix known by its shape and a way to read a row (one not yet written out).
    static func fingerprint(rows: Int, columns: Int, row: (Int) -> [Float]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: UnsafeRawBufferPointer) {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        withUnsafeBytes(of: UInt64(rows).littleEndian) { mix($0) }
        withUnsafeBytes(of: UInt64(columns).littleEndian) { mix($0) }
        guard rows > 0 else { return hash }
        for index in [0, rows / 2, rows - 1] {
            row(index).withUnsafeBytes { mix($0) }
        }
        return hash
    }
}

/// Marks of the rows seen by one search: a row is visited when its stamp equals the current generation, so
/// starting a search costs one increment (and a full clear once every 65535 searches).
final class VisitedSet {
    private let stamps: UnsafeMutablePointer<UInt16>
    private let count: Int
    private var generation: UInt16 = 0

    init(count: Int) {
        self.count = count
        stamps = .allocate(capacity: max(1, count))
        stamps.initialize(repeating: 0, count: max(1, count))
    }

    deinit { stamps.deallocate() }

    func clear() {
        generation &+= 1
        if generation == 0 {
            stamps.update(repeating: 0, count: max(1, count))
            generation = 1
        }
    }

    @inline(__always)
    func contains(_ row: Int) -> Bool { stamps[row] == generation }

    /// Marks `row`; false when it was already marked in this search.
    @inline(__always)
    func insert(_ row: Int) -> Bool {
        if stamps[row] == generation { return false }
        stamps[row] = generation
        return true
    }
}
