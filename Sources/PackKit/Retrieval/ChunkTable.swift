import Foundation

// The chunks of a pack in matrix-row order (row i = i-th chunk by id), for ranking: their videos, sections and
// spans (texts stay in the database). Memory-mapped from `vectors/ytce_chunk_table.v1.bin`, which ytce's builds
// carry and which is derived once into the cache for other packs: reading 600k chunk rows out of SQLite took
// most of a warm question's time on a 5,000-hour pack.
//
// Layout, little-endian; every section starts at a multiple of 8 bytes:
//
//   offset  size  field
//        0     8  magic "YTCECHT1"
//        8     8  rows R (< 2^32)
//       16     8  videos V (≤ R)
//       24     8  bytes B of the video ids
//       32    32  zero
//       64        V + 1 uint32: where each video id starts in the id bytes, the last one = B; then the B bytes
//                 of the ids (UTF-8); then R uint32: each row's video (< V); then R int64 section ids (-1: none);
//                 then R int64 start times and R int64 end times in milliseconds (0 ... 2^53 - 1)
//
// The file is exactly that long. Opening checks every video number and time, so lookups need no checks.

/// The chunk table of an opened pack (see the format above).
final class ChunkTable: @unchecked Sendable {
    // Immutable after init: a read-only mapping that lives as long as the object.
    static let fileName = "ytce_chunk_table.v1.bin"
    static let magic = Array("YTCECHT1".utf8)
    static let headerBytes = 64

    struct Problem: Error, Sendable, CustomStringConvertible {
        let description: String
    }

    let count: Int
    let videos: [String]
    let videoIndex: Column<UInt32>
    let sectionIDs: Column<Int64>
    let startMs: Times
    let endMs: Times
    private let mapping: MappedRegion

    /// A column of the table. Valid while the table is alive.
    struct Column<Element: FixedWidthInteger> {
        let base: UnsafePointer<Element>
        subscript(row: Int) -> Element { Element(littleEndian: base[row]) }
    }

    /// Times, checked at open: any arithmetic on them is safe.
    struct Times {
        let column: Column<Int64>
        subscript(row: Int) -> Int { Int(column[row]) }
    }

    convenience init(contentsOf path: String) throws(Problem) {
        let region: FileRegion
        do { region = try FileRegion.file(atPath: path) } catch { throw Problem(description: "\(path): cannot open: \(error.reason)") }
        try self.init(region: region)
    }

    init(region: FileRegion) throws(Problem) {
        func problem(_ reason: String) -> Problem { Problem(description: "\(region.name): \(reason)") }
        guard region.length >= Int64(Self.headerBytes) else { throw problem("too short for a chunk table") }
        let mapped: MappedRegion
        do { mapped = try region.map() } catch { throw problem(error.description) }
        guard Int(bitPattern: mapped.base) % 8 == 0 else { throw problem("does not start at a multiple of 8 bytes, so it cannot be read in place") }
        guard UnsafeRawBufferPointer(rebasing: mapped.bytes.prefix(8)).elementsEqual(Self.magic) else {
            throw problem("not an ytce chunk table (bad magic)")
        }
        let rows64 = mapped.u64(8), videos64 = mapped.u64(16), names64 = mapped.u64(24)
        guard rows64 < UInt64(UInt32.max), videos64 <= rows64, names64 <= UInt64(mapped.count) else {
            throw problem("its header (\(rows64) rows, \(videos64) videos, \(names64) bytes of ids) is impossible")
        }
        let rows = Int(rows64), videoCount = Int(videos64), nameBytes = Int(names64)
        func padded(_ n: Int) -> Int { (n + 7) / 8 * 8 }
        // Every size is below 2^32 (or the file's size): the sums cannot overflow.
        let offsetsAt = Self.headerBytes
        let namesAt = offsetsAt + padded((videoCount + 1) * 4)
        let videoIndexAt = namesAt + padded(nameBytes)
        let sectionsAt = videoIndexAt + padded(rows * 4)
        let startsAt = sectionsAt + rows * 8
        let endsAt = startsAt + rows * 8
        guard endsAt + rows * 8 == mapped.count else {
            throw problem("holds \(mapped.count) bytes, its header describes \(endsAt + rows * 8)")
        }
        var videos: [String] = []
        videos.reserveCapacity(videoCount)
        var previous = 0
        for v in 0..<videoCount {
            let end = Int(mapped.u32(offsetsAt + 4 * (v + 1)))
            guard Int(mapped.u32(offsetsAt + 4 * v)) == previous, end >= previous, end <= nameBytes else {
                throw problem("video id \(v) lies outside the id bytes")
            }
            videos.append(String(decoding: UnsafeRawBufferPointer(rebasing: mapped.bytes[(namesAt + previous)..<(namesAt + end)]), as: UTF8.self))
            previous = end
        }
        let videoIndex = Column(base: (mapped.base + videoIndexAt).assumingMemoryBound(to: UInt32.self))
        let starts = Column(base: (mapped.base + startsAt).assumingMemoryBound(to: Int64.self))
        let ends = Column(base: (mapped.base + endsAt).assumingMemoryBound(to: Int64.self))
        let limit = Int64(PackTime.maxMs)
        // The checks below read these columns whole: mapped in one call each (`MappedRegion.populate`).
        mapped.populate(videoIndexAt..<(videoIndexAt + rows * 4))
        mapped.populate(startsAt..<(endsAt + rows * 8))
        for row in 0..<rows {
            guard Int(videoIndex[row]) < videoCount else { throw problem("row \(row) names video \(videoIndex[row]) of \(videoCount)") }
            let start = starts[row], end = ends[row]
            guard start >= 0, start <= limit, end >= 0, end <= limit else {
                throw problem("row \(row) has the times \(start)-\(end) ms; times must be whole milliseconds from 0 to \(limit)")
            }
        }
        self.count = rows
        self.videos = videos
        self.videoIndex = videoIndex
        self.sectionIDs = Column(base: (mapped.base + sectionsAt).assumingMemoryBound(to: Int64.self))
        self.startMs = Times(column: starts)
        self.endMs = Times(column: ends)
        self.mapping = mapped
    }

    func video(_ row: Int) -> String { videos[Int(videoIndex[row])] }

    /// The table of `pack`: the one a `.pack` carries, else one derived once from its database into the cache. An
    /// unpacked folder's own table is not trusted: its database may have been changed since (its derived files are
    /// keyed by the database's size and time).
    static func of(_ pack: ChannelPack, cache: PackCache) throws -> ChunkTable {
        let table: ChunkTable
        if pack.files.contentKey != nil, let region = try pack.files.region(PackLayout.chunkTable) {
            table = try ChunkTable(region: region)
        } else {
            table = try DerivedFiles.obtain(fileName, for: pack, cache: cache,
                                            open: { try ChunkTable(contentsOf: $0) },
                                            make: { try ChunkTableWriter.write(from: pack.database, source: pack.source, to: $0) })
        }
        guard table.count == pack.counts.chunks else {
            throw PackError(.badVectors, pack: pack.source, "the chunk table lists \(table.count) chunks but pack.sqlite holds \(pack.counts.chunks)")
        }
        return table
    }
}

/// Collects chunk rows in order and writes a `ChunkTable` file.
final class ChunkTableWriter {
    private var videos: [String] = []
    private var videoLookup: [String: UInt32] = [:]
    private var videoIndex: [UInt32] = []
    private var sectionIDs: [Int64] = []
    private var starts: [Int64] = []
    private var ends: [Int64] = []

    var rows: Int { videoIndex.count }

    func add(video: String, sectionID: Int64?, startMs: Int, endMs: Int) {
        let index: UInt32
        if let known = videoLookup[video] { index = known } else {
            index = UInt32(videos.count)
            videoLookup[video] = index
            videos.append(video)
        }
        videoIndex.append(index)
        sectionIDs.append(sectionID ?? -1)
        starts.append(Int64(startMs))
        ends.append(Int64(endMs))
    }

    /// The rows of `table` (the pack before an update) except `removing` (ascending row ranges), in order.
    func add(_ table: ChunkTable, removing: [Range<Int>]) {
        var removed = removing.makeIterator()
        var next = removed.next()
        var row = 0
        while row < table.count {
            if let range = next, range.lowerBound <= row {
                row = max(row, range.upperBound)
                next = removed.next()
                continue
            }
            let end = min(table.count, next?.lowerBound ?? table.count)
            for r in row..<end {
                let section = table.sectionIDs[r]
                add(video: table.video(r), sectionID: section < 0 ? nil : section, startMs: table.startMs[r], endMs: table.endMs[r])
            }
            row = end
        }
    }

    /// The rows of `other`, after these.
    func add(_ other: ChunkTableWriter) {
        for r in 0..<other.rows {
            add(video: other.videos[Int(other.videoIndex[r])], sectionID: other.sectionIDs[r] < 0 ? nil : other.sectionIDs[r],
                startMs: Int(other.starts[r]), endMs: Int(other.ends[r]))
        }
    }

    /// Writes the table (to a temporary name beside `path`, then renamed).
    func write(to path: String) throws {
        var offsets: [UInt32] = [0]
        var names: [UInt8] = []
        for video in videos {
            names += Array(video.utf8)
            guard names.count < Int(UInt32.max) else { throw ChunkTable.Problem(description: "\(path): video ids too long") }
            offsets.append(UInt32(names.count))
        }
        var header = ZipBytes()
        header.bytes(ChunkTable.magic)
        header.u64(UInt64(rows)); header.u64(UInt64(videos.count)); header.u64(UInt64(names.count))
        while header.data.count < ChunkTable.headerBytes { header.u64(0) }
        func pad(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: (8 - n % 8) % 8) }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            let file = try OutputFile(path: temporary)
            try file.write(header.data)
            try file.write(offsets.map(\.littleEndian)); try file.write(pad(offsets.count * 4))
            try file.write(names); try file.write(pad(names.count))
            try file.write(videoIndex.map(\.littleEndian)); try file.write(pad(videoIndex.count * 4))
            try file.write(sectionIDs.map(\.littleEndian))
            try file.write(starts.map(\.littleEndian))
            try file.write(ends.map(\.littleEndian))
            try file.close()
            guard rename(temporary, path) == 0 else {
                throw ChunkTable.Problem(description: "cannot move \(temporary) to \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// The table of a pack's chunks read from its database (packs that do not carry one), times checked.
    static func write(from database: SQLiteDatabase, source: String, to path: String) throws {
        let writer = ChunkTableWriter()
        let statement = try database.prepare("SELECT chunk_id, video_id, section_id, start_ms, end_ms FROM micro_chunk ORDER BY chunk_id")
        while try statement.step() {
            let id = statement.int64(0)
            writer.add(video: statement.string(1) ?? "", sectionID: statement.isNull(2) ? nil : statement.int64(2),
                       startMs: try PackTime.read(statement, 3, name: "start_ms", table: "micro_chunk", rowID: id, pack: source),
                       endMs: try PackTime.read(statement, 4, name: "end_ms", table: "micro_chunk", rowID: id, pack: source))
        }
        guard writer.rows < Int(UInt32.max) else { throw PackError(.corruptDatabase, pack: source, "pack.sqlite holds too many chunks") }
        try writer.write(to: path)
    }
}
