import Foundation

/// The members of a grown pack made from the old pack's bytes without reading them whole: vector matrices and
/// `bm25_docs.json` as parts (old byte ranges, new rows), the bucket index from its kept pages, and the row
/// bookkeeping (which rows a changed video held, how the kept ones are renumbered).
extension PackUpdater {
    /// The bytes of a member placed by `place`, as a region to map.
    static func region(_ placed: (path: String, offset: Int64, member: ZipDirectory.Member)) throws -> FileRegion {
        let file = try OpenFile(path: placed.path)
        guard placed.offset >= 0, placed.offset <= file.size, placed.member.uncompressedSize <= file.size - placed.offset else {
            throw Problem(description: "\(placed.path): \(placed.member.name) lies past the end of the file")
        }
        return FileRegion(file: file, offset: placed.offset, length: placed.member.uncompressedSize, name: "\(placed.path):\(placed.member.name)")
    }

    /// Writes the bucket index of the updated chunk matrix: the old rows except `removing`, then `adding`. The pages
    /// of `old` before the page of the first row that moved are copied as they are; the rows from there on are
    /// indexed again (after a pure addition: the last, partial page and the new rows). `addingRows`: the added rows
    /// in bucket form, when their embedder gave them.
    static func writeBuckets(keeping old: BucketIndex?, oldMatrix: NpyMatrix, removing: [Range<Int>], adding: [Float],
                             addingRows: BucketRows? = nil, rows: Int, to path: String) throws {
        let columns = oldMatrix.columns
        let firstMoved = removing.first?.lowerBound ?? oldMatrix.rows
        let keptPages = old.map { min($0.pages, firstMoved / BucketIndex.pageRows) } ?? 0
        // New row r: an old row (kept rows keep their order) or one of the added rows.
        var keptOldRows: [Range<Int>] = []
        var row = 0
        for range in removing + [oldMatrix.rows..<oldMatrix.rows] {
            if range.lowerBound > row { keptOldRows.append(row..<range.lowerBound) }
            row = range.upperBound
        }
        let keptCount = keptOldRows.reduce(0) { $0 + $1.count }
        func newRow(_ r: Int) -> [Float] {
            if r >= keptCount { return Array(adding[((r - keptCount) * columns)..<((r - keptCount + 1) * columns)]) }
            var before = 0
            for range in keptOldRows {
                if r < before + range.count { return Array(oldMatrix.row(range.lowerBound + r - before)) }
                before += range.count
            }
            return []
        }
        let writer = try BucketIndexWriter(path: path, columns: max(1, columns))
        if let old { try writer.keep(pages: keptPages, of: old) }
        // Old rows from the first page written again, in runs, then the added rows.
        var next = keptPages * BucketIndex.pageRows
        var before = 0
        for range in keptOldRows {
            let start = max(range.lowerBound, range.lowerBound + next - before)
            if start < range.upperBound {
                try writer.add(UnsafeBufferPointer(rebasing: oldMatrix.elements[(start * columns)..<(range.upperBound * columns)]))
                next += range.upperBound - start
            }
            before += range.count
        }
        if let addingRows, addingRows.count * columns == adding.count {
            try writer.add(addingRows)
        } else {
            try adding.withUnsafeBufferPointer { try writer.add($0) }
        }
        guard writer.rows == rows else { throw Problem(description: "the bucket index holds \(writer.rows) rows, the vectors \(rows)") }
        try writer.finish(fingerprint: HNSWGraph.fingerprint(rows: rows, columns: columns, row: newRow))
    }

    /// Row ranges (positions in id order) of the given videos' rows, from the spans: every row of a ytce pack belongs
    /// to one video's span, and spans do not overlap.
    static func rowRanges(_ spans: [String: VideoSpan], first: KeyPath<VideoSpan, Int64>, count: KeyPath<VideoSpan, Int>,
                          of videos: Set<String>) -> [Range<Int>] {
        var row = 0
        var ranges: [Range<Int>] = []
        for (id, span) in spans.sorted(by: { $0.value[keyPath: first] < $1.value[keyPath: first] }) {
            let n = span[keyPath: count]
            if videos.contains(id) && n > 0 { ranges.append(row..<(row + n)) }
            row += n
        }
        return ranges
    }

    /// Old row → new row (-1 removed), nil when no row is removed.
    static func renumbering(_ rows: Int, removing ranges: [Range<Int>]) -> [Int32]? {
        guard !ranges.isEmpty else { return nil }
        var map = [Int32](repeating: 0, count: rows)
        var next: Int32 = 0
        var removed = ranges.makeIterator()
        var current = removed.next()
        for row in 0..<rows {
            while let range = current, range.upperBound <= row { current = removed.next() }
            if let range = current, range.contains(row) { map[row] = -1 } else { map[row] = next; next += 1 }
        }
        return map
    }

    /// A `.npy` member: a new header, the old rows except `removing`, then the rows added. Its checksum comes from the
    /// old one when no row is removed.
    static func matrixEntry(_ name: String, old: (path: String, offset: Int64, member: ZipDirectory.Member), removing: [Range<Int>],
                            adding rows: [Float], columns: Int) throws -> (entry: ZipAssembler.Entry, rows: Int, keptRows: Int) {
        let prefix = try readBytes(old.path, offset: old.offset, count: Int(min(4096, old.member.uncompressedSize)))
        let header: NpyHeader
        do { header = try prefix.withUnsafeBytes { buffer throws(NpyHeader.Problem) in try NpyHeader.parse(buffer) } } catch {
            throw Problem(description: "\(name): \((error as? NpyHeader.Problem)?.reason ?? "\(error)")")
        }
        guard header.columns == columns else {
            throw Problem(description: "\(name) has \(header.columns) columns, the embedder makes \(columns)")
        }
        let rowBytes = Int64(columns * 4)
        let dataStart = old.offset + Int64(header.dataOffset)
        guard Int64(header.dataOffset) + Int64(header.rows) * rowBytes == old.member.uncompressedSize else {
            throw Problem(description: "\(name): its header says \(header.rows) rows, its size disagrees")
        }
        let removed = removing.reduce(0) { $0 + $1.count }
        let kept = header.rows - removed
        let added = rows.count / columns
        let newHeader = NpyHeader.encode(rows: kept + added, columns: columns)
        var parts: [ZipAssembler.Part] = [.bytes(newHeader)]
        var row = 0
        for range in removing + [header.rows..<header.rows] {
            if range.lowerBound > row {
                parts.append(.file(path: old.path, offset: dataStart + Int64(row) * rowBytes, length: Int64(range.lowerBound - row) * rowBytes))
            }
            row = range.upperBound
        }
        let newBytes: [UInt8] = rows.withUnsafeBytes { Array($0) }
        if !newBytes.isEmpty { parts.append(.bytes(newBytes)) }
        var crc: UInt32?
        if removing.isEmpty {
            let oldRows = CRC32.removingPrefix(old.member.crc32, prefix: CRC32.of(Array(prefix.prefix(header.dataOffset))),
                                               remainderLength: Int64(header.rows) * rowBytes)
            crc = CRC32.of(newBytes, continuing: CRC32.combine(CRC32.of(newHeader), oldRows, secondLength: Int64(header.rows) * rowBytes))
        }
        return (ZipAssembler.Entry(name: name, parts: parts, crc32: crc), kept + added, kept)
    }

    /// `bm25_docs.json`: the old array's strings except `removing`, then the new ones.
    static func documentsEntry(old: (path: String, offset: Int64, member: ZipDirectory.Member), rows: Int, removing: [Range<Int>],
                               adding: JSONArrayWriter.EncodedStrings) throws -> ZipAssembler.Entry {
        let size = old.member.uncompressedSize
        let last = try readBytes(old.path, offset: old.offset + size - 1, count: 1)
        guard size >= 2, last == [UInt8(ascii: "]")] else { throw Problem(description: "\(PackLayout.bm25Docs) does not end its array where ytce does") }
        if removing.isEmpty {
            // The old array without its "]", then the new strings and a "]": the checksum follows from the old one.
            var tail: [UInt8] = []
            if adding.count > 0 { tail += (rows > 0 ? Array(", ".utf8) : []) + adding.bytes }
            tail.append(UInt8(ascii: "]"))
            let crc = CRC32.of(tail, continuing: CRC32.removingSuffix(old.member.crc32, suffix: last))
            return ZipAssembler.Entry(name: PackLayout.bm25Docs, parts: [.file(path: old.path, offset: old.offset, length: size - 1), .bytes(tail)],
                                      crc32: crc)
        }
        // Runs of kept strings, found by one pass over the old array.
        var runs: [Range<Int>] = []
        var row = 0
        for range in removing + [rows..<rows] {
            if range.lowerBound > row { runs.append(row..<range.lowerBound) }
            row = range.upperBound
        }
        let offsets = try JSONArrayOffsets.find(in: old.path, offset: old.offset, length: size,
                                                wanted: Set(runs.flatMap { [$0.lowerBound, $0.upperBound - 1] }))
        var parts: [ZipAssembler.Part] = [.bytes(Array("[".utf8))]
        for (i, run) in runs.enumerated() {
            guard let first = offsets[run.lowerBound], let lastString = offsets[run.upperBound - 1] else {
                throw Problem(description: "\(PackLayout.bm25Docs): strings \(run) not found")
            }
            if i > 0 { parts.append(.bytes(Array(", ".utf8))) }
            parts.append(.file(path: old.path, offset: old.offset + first.start, length: lastString.end - first.start))
        }
        if adding.count > 0 { parts.append(.bytes((runs.isEmpty ? [] : Array(", ".utf8)) + adding.bytes)) }
        parts.append(.bytes(Array("]".utf8)))
        return ZipAssembler.Entry(name: PackLayout.bm25Docs, parts: parts)
    }

    static func readBytes(_ path: String, offset: Int64, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Problem(description: "cannot read \(path): \(n < 0 ? String(cString: strerror(errno)) : "it ended early")") }
            done += n
        }
        return bytes
    }
}
