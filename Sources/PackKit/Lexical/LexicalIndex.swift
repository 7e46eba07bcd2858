import Foundation

/// A BM25 inverted index over a pack's chunks, stored as one memory-mapped file (`vectors/lexical_index.bin`)
/// so a warm search touches only the postings of the query's terms.
///
/// Layout (little-endian): an 80-byte header (`YTCELEX1`, document and term counts, total document length,
/// offsets and lengths of the sections), the term strings, a table of terms sorted by their UTF-8 bytes
/// (string offset and length, document frequency, postings offset: 24 bytes each), the postings (row and
/// term frequency, 8 bytes each, rows ascending) and the document lengths (UInt16 each).
public final class LexicalIndex: @unchecked Sendable {
    // Immutable after init: a read-only mapping that lives as long as the object.
    public let documentCount: Int
    public let termCount: Int
    public let averageLength: Double
    private let mapping: MappedRegion
    let base: UnsafeRawPointer
    private let length: Int
    let stringsOffset: Int
    let termsOffset: Int
    let postingsOffset: Int
    private let postingsLength: Int
    let lengthsOffset: Int
    /// The sum of every document's length (BM25's average comes from it).
    let totalLength: Double

    static let magic = Array("YTCELEX1".utf8)
    static let headerSize = 80
    static let termRecordSize = 24

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public convenience init(contentsOf path: String) throws(Problem) {
        let region: FileRegion
        do { region = try FileRegion.file(atPath: path) } catch { throw Problem(description: "cannot open \(path): \(error.reason)") }
        try self.init(region: region)
    }

    /// Lets go of the mapped pages of `range` (byte offsets in the index) that a pass over it has read
    /// (`MappedRegion.release`).
    func release(_ range: Range<Int>) { mapping.release(range) }

    /// The index in `region` (a file, or a stored member of a pack read in place), mapped and checked.
    public init(region: FileRegion) throws(Problem) {
        let path = region.name
        guard region.length >= Int64(Self.headerSize) else { throw Problem(description: "\(path) is too short for a lexical index") }
        let mapped: MappedRegion
        do { mapped = try region.map() } catch { throw Problem(description: "cannot map \(path): \(error.description)") }
        let size = mapped.count
        let p = mapped.base
        func u32(_ o: Int) -> Int { Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self))) }
        func u64(_ o: Int) -> Int { Int(truncatingIfNeeded: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self))) }
        let magicOK = (0..<8).allSatisfy { p.load(fromByteOffset: $0, as: UInt8.self) == Self.magic[$0] }
        let documents = u32(8), terms = u32(12)
        let total = Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        let strings = u64(24), stringsLength = u64(32), termTable = u64(40), postings = u64(48), postingsLength = u64(56)
        let lengths = u64(64)
        func within(_ offset: Int, _ count: Int) -> Bool { offset >= 0 && count >= 0 && offset <= size && count <= size - offset }
        // Counts are 32-bit, so the products below cannot overflow; rows are held as Int32 while ranking.
        guard magicOK, documents <= Int(Int32.max), within(strings, stringsLength), within(termTable, terms * Self.termRecordSize),
              within(postings, postingsLength), postingsLength % 8 == 0, within(lengths, documents * 2), total >= 0 else {
            throw Problem(description: "\(path) is not a valid ytce lexical index")
        }
        self.mapping = mapped
        self.base = p
        self.length = size
        self.documentCount = documents
        self.termCount = terms
        self.averageLength = documents > 0 ? max(1, total / Double(documents)) : 1
        self.totalLength = total
        self.stringsOffset = strings
        self.termsOffset = termTable
        self.postingsOffset = postings
        self.postingsLength = postingsLength
        self.lengthsOffset = lengths
        // Every term record must point inside the file: checked once here so lookups need no checks. The postings
        // offset is a 64-bit value from the file: checked against the postings section before any sum is formed.
        for t in 0..<terms {
            let record = termTable + t * Self.termRecordSize
            let (start, count, df, post) = (u32(record), u32(record + 4), u32(record + 8), u64(record + 16))
            guard start + count <= stringsLength, post % 8 == 0, post >= 0, post <= postingsLength,
                  df * 8 <= postingsLength - post else {
                throw Problem(description: "\(path): term \(t) points outside the index")
            }
        }
    }

    // MARK: Lookup

    private func u32(_ o: Int) -> Int { Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt32.self))) }

    func termBytes(_ t: Int) -> UnsafeRawBufferPointer {
        let record = termsOffset + t * Self.termRecordSize
        return UnsafeRawBufferPointer(start: base + stringsOffset + u32(record), count: u32(record + 4))
    }

    /// Index of `term` in the sorted term table.
    func find(_ term: String) -> Int? {
        var key = term
        return key.withUTF8 { k -> Int? in
            var lo = 0, hi = termCount - 1
            while lo <= hi {
                let mid = (lo + hi) / 2
                let c = Self.compare(termBytes(mid), UnsafeRawBufferPointer(k))
                if c == 0 { return mid }
                if c < 0 { lo = mid + 1 } else { hi = mid - 1 }
            }
            return nil
        }
    }

    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let c = memcmp(pa, pb, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }

    /// Up to `limit` terms of the index that begin with `prefix` and are longer than it, in byte order.
    public func terms(extending prefix: String, limit: Int) -> [String] {
        var key = prefix
        return key.withUTF8 { k -> [String] in
            let p = UnsafeRawBufferPointer(k)
            // The first term not below the prefix.
            var lo = 0, hi = termCount
            while lo < hi {
                let mid = (lo + hi) / 2
                if Self.compare(termBytes(mid), p) < 0 { lo = mid + 1 } else { hi = mid }
            }
            var found: [String] = []
            var t = lo
            while t < termCount, found.count < limit {
                let bytes = termBytes(t)
                guard bytes.count >= p.count, Self.compare(UnsafeRawBufferPointer(rebasing: bytes.prefix(p.count)), p) == 0 else { break }
                if bytes.count > p.count { found.append(String(decoding: bytes, as: UTF8.self)) }
                t += 1
            }
            return found
        }
    }

    /// Number of chunks holding the term (0 when unknown).
    public func documentFrequency(_ term: String) -> Int {
        find(term).map { u32(termsOffset + $0 * Self.termRecordSize + 8) } ?? 0
    }

    // MARK: Search

    /// BM25 (k1, b) over the given query terms (already analyzed; repeats count once), best first.
    public func search(terms query: [String], k: Int, k1: Double = 1.2, b: Double = 0.75) -> [ScoredRow] {
        search(LexicalQuery(terms: query.map { LexicalQuery.Term(text: $0, weight: 1) }), k: k, k1: k1, b: b)
    }

    /// BM25 (k1, b) where each term's part of a score is multiplied by its weight, best first.
    public func search(_ query: LexicalQuery, k: Int, k1: Double = 1.2, b: Double = 0.75) -> [ScoredRow] {
        var scores = [Float](repeating: 0, count: documentCount)
        // The rows touched are at most the postings read (and the rows): one allocation, not a doubling series of
        // copies, each into fresh pages the kernel faults in (a common word lists most of a 5,000-hour pack's rows).
        let found = query.terms.compactMap { term in postings(of: term.text).map { (term, $0) } }
        var touched: [Int32] = []
        touched.reserveCapacity(min(documentCount, found.reduce(0) { $0 + $1.1.count }))
        for (term, postings) in found {
            // Read whole, front to back: mapped in one call (`MappedRegion.populate`).
            mapping.populate(postings.offset..<(postings.offset + postings.count * 8))
            let idf = term.weight * postings.idf
            for i in 0..<postings.count {
                let (row, tf) = posting(postings.offset, i)
                guard row < documentCount else { continue }
                if scores[row] == 0 { touched.append(Int32(row)) }
                scores[row] += Float(bm25(idf: idf, tf: tf, row: row, k1: k1, b: b))
            }
        }
        var top = TopK(k)
        for row in touched { top.offer(Int(row), scores[Int(row)]) }
        return top.sorted()
    }

    /// Each query term's weighted BM25 part of the score of each given row: `result[i][t]` for `rows[i]` and
    /// `query.terms[t]` (0 where the row lacks the term or is not in the index). `rows` must be ascending: one
    /// galloping walk through each term's postings finds them all, a few probes per row.
    public func termScores(_ query: LexicalQuery, rows: [Int], k1: Double = 1.2, b: Double = 0.75) -> [[Float]] {
        assert(zip(rows, rows.dropFirst()).allSatisfy { $0 < $1 }, "rows must be ascending")
        var result = [[Float]](repeating: [Float](repeating: 0, count: query.terms.count), count: rows.count)
        for (t, term) in query.terms.enumerated() {
            guard let postings = postings(of: term.text) else { continue }
            let idf = term.weight * postings.idf
            var at = 0
            for (i, row) in rows.enumerated() {
                // Gallop to the first posting whose row is at least `row`, then bisect.
                var step = 1, hi = at
                while hi < postings.count && posting(postings.offset, hi).row < row { at = hi + 1; hi += step; step *= 2 }
                hi = min(hi, postings.count)
                while at < hi {
                    let mid = (at + hi) / 2
                    if posting(postings.offset, mid).row < row { at = mid + 1 } else { hi = mid }
                }
                guard at < postings.count else { break }
                let (found, tf) = posting(postings.offset, at)
                if found == row, row < documentCount { result[i][t] = Float(bm25(idf: idf, tf: tf, row: row, k1: k1, b: b)) }
            }
        }
        return result
    }

    /// The rows holding `term` (an analyzed term), ascending; empty when the index does not know it.
    public func rows(containing term: String) -> [Int] {
        guard let postings = postings(of: term) else { return [] }
        var rows: [Int] = []
        rows.reserveCapacity(postings.count)
        for i in 0..<postings.count {
            let row = posting(postings.offset, i).row
            if row < documentCount { rows.append(row) }
        }
        return rows
    }

    private func postings(of term: String) -> (offset: Int, count: Int, idf: Double)? {
        guard let t = find(term) else { return nil }
        let record = termsOffset + t * Self.termRecordSize
        let df = u32(record + 8)
        let offset = postingsOffset + Int(truncatingIfNeeded: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: record + 16, as: UInt64.self)))
        return (offset, df, Self.idf(documentFrequency: df, documentCount: documentCount))
    }

    /// BM25 inverse document frequency of a term held by `documentFrequency` of `documentCount` documents.
    public static func idf(documentFrequency df: Int, documentCount n: Int) -> Double {
        log(1 + (Double(n) - Double(df) + 0.5) / (Double(df) + 0.5))
    }

    /// BM25 inverse document frequency of an analyzed term in this index (the highest for a term it lacks).
    public func idf(_ term: String) -> Double {
        Self.idf(documentFrequency: documentFrequency(term), documentCount: documentCount)
    }

    @inline(__always)
    private func posting(_ offset: Int, _ i: Int) -> (row: Int, tf: Double) {
        let entry = offset + i * 8
        return (u32(entry), Double(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: entry + 4, as: UInt16.self))))
    }

    @inline(__always)
    private func bm25(idf: Double, tf: Double, row: Int, k1: Double, b: Double) -> Double {
        let dl = Double(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: lengthsOffset + row * 2, as: UInt16.self)))
        return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / averageLength))
    }
}

/// Collects documents in row order and writes a `LexicalIndex` file. A document's terms accumulate as 32-bit
/// entries (term id << 8 | tf, tf capped at 255, where BM25 has long saturated) after those of the documents
/// before it; when written, a counting sort groups them by term. Few appends per document and little memory.
public final class LexicalIndexBuilder {
    private var ids: [String: Int] = [:]
    private var terms: [String] = []
    /// Documents holding each term (by id), counted as they are added: `write` needs them before dealing postings.
    private var documentFrequency: [Int] = []
    private var entries: LexicalEntries
    /// Postings written at a time (8 bytes each): the memory `write` holds for them.
    private let postingBlock: Int
    /// Set by `write`, which leaves the entries sorted for the file rather than as added.
    private var written = false
    private var documentStarts: [UInt32] = [0]
    private var lengths: [UInt16] = []
    private var totalLength = 0.0
    private var laneMaps: [[Int]] = []
    /// Term ids share a 32-bit entry with an 8-bit frequency.
    static let maxTerms = 1 << 24
    /// Set when the documents exceed what the file format holds; `write` then fails with it (adding never traps:
    /// the documents come from transcripts and packs made by others).
    private var capacityProblem: String?
    private let termLimit: Int

    public convenience init() { self.init(termLimit: Self.maxTerms) }

    /// A builder that takes fewer distinct terms than the format allows (to test what happens past the limit), or
    /// keeps its entries and writes its postings in smaller blocks (to test blocks' edges).
    init(termLimit: Int = LexicalIndexBuilder.maxTerms, entryBlock: Int = LexicalEntries.defaultBlockSize, postingBlock: Int = 1 << 20) {
        self.termLimit = min(termLimit, Self.maxTerms)
        entries = LexicalEntries(blockSize: entryBlock)
        self.postingBlock = max(1, postingBlock)
    }

    public var documentCount: Int { lengths.count }

    private func globalID(_ term: String) -> Int {
        if let known = ids[term] { return known }
        ids[term] = terms.count
        terms.append(term)
        documentFrequency.append(0)
        return terms.count - 1
    }

    /// A term id and frequency as one entry. Ids are below `terms.count`, which `write` checks against the
    /// limit: past it entries are wrong, and the index is never written.
    @inline(__always)
    private static func entry(_ id: Int, _ tf: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: id) << 8 | UInt32(min(tf, 255))
    }

    /// Ends a document: its entries are those added since the previous end.
    private func endDocument(length: Int) {
        guard let end = UInt32(exactly: entries.count) else {
            capacityProblem = capacityProblem ?? "the chunks hold more than \(UInt32.max) (chunk, word) pairs, more than a lexical index can hold"
            entries.removeAll()  // the index is lost anyway: keep memory bounded
            documentStarts.append(0)
            lengths.append(0)
            return
        }
        documentStarts.append(end)
        entries.endDocument()
        lengths.append(UInt16(min(length, Int(UInt16.max))))
        totalLength += Double(length)
    }

    /// Adds the next document (row = number of documents added before) by its analyzed terms.
    public func add(terms documentTerms: [String]) {
        var counts: [Int: Int] = [:]
        for term in documentTerms { counts[globalID(term), default: 0] += 1 }
        for (id, tf) in counts.sorted(by: { $0.key < $1.key }) {
            entries.append(Self.entry(id, tf))
            documentFrequency[id] += 1
        }
        endDocument(length: documentTerms.count)
    }

    /// Maps a session's newly seen terms (local ids from `firstID` on) to global ids. Each session (a build
    /// worker's lane, or lane 0 for a single session) reports its terms in the order it assigned them.
    private func learn(lane: Int, firstID: Int, terms newTerms: [String]) {
        while laneMaps.count <= lane { laneMaps.append([]) }
        precondition(laneMaps[lane].count == firstID, "lexical results out of order for session \(lane)")
        for term in newTerms { laneMaps[lane].append(globalID(term)) }
    }

    private var scratch: [Int32] = []

    /// Adds the next document by term ids local to `session`; `newTerms` are the session's terms first seen
    /// since the previous document (`LexicalSession.drainNewTerms()`), in id order.
    func add(termIDs: [Int32], newTerms: (firstID: Int, terms: [String])) {
        learn(lane: 0, firstID: newTerms.firstID, terms: newTerms.terms)
        // Term frequencies by sorting the document's global ids and counting runs (no per-document dictionary).
        scratch.removeAll(keepingCapacity: true)
        for id in termIDs { scratch.append(Int32(laneMaps[0][Int(id)])) }
        scratch.sort()
        var i = 0
        while i < scratch.count {
            var j = i + 1
            while j < scratch.count && scratch[j] == scratch[i] { j += 1 }
            entries.append(Self.entry(Int(scratch[i]), j - i))
            documentFrequency[Int(scratch[i])] += 1
            i = j
        }
        endDocument(length: termIDs.count)
    }

    /// Adds the chunks of one video analyzed by a build worker, mapping the worker's term ids to global ones.
    /// Must be called in row order; each worker's results in the order that worker produced them.
    func add(_ chunks: LexicalChunks) {
        learn(lane: chunks.lane, firstID: chunks.firstNewTermID, terms: chunks.newTerms)
        laneMaps[chunks.lane].withUnsafeBufferPointer { map in
            for c in 0..<chunks.lengths.count {
                for i in Int(chunks.starts[c])..<Int(chunks.starts[c + 1]) {
                    entries.append(Self.entry(map[Int(chunks.ids[i])], Int(chunks.counts[i])))
                }
                endDocument(length: Int(chunks.lengths[c]))
            }
            // A chunk lists each of its terms once: a term's documents are its ids' occurrences. Counted in a loop of
            // its own, through a buffer (a class's array checks exclusive access on every write).
            documentFrequency.withUnsafeMutableBufferPointer { frequency in
                for id in chunks.ids { frequency[map[Int(id)]] += 1 }
            }
        }
    }

    /// The documents added so far as a merge needs them: terms sorted by their UTF-8 bytes, each with its postings
    /// (row | tf << 32, rows from `firstRow` on, ascending), and the documents' lengths and their sum.
    func postingsByTerm(firstRow: Int) throws -> (terms: [(bytes: [UInt8], postings: [UInt64])], lengths: [UInt16], totalLength: Double) {
        if let capacityProblem { throw LexicalIndex.Problem(description: capacityProblem) }
        if written { throw LexicalIndex.Problem(description: "the lexical index builder was written already") }
        var postings = [[UInt64]](repeating: [], count: terms.count)
        entries.forEachDocument(starts: documentStarts) { row, document in
            for e in document { postings[Int(e >> 8)].append(UInt64(firstRow + row) | UInt64(e & 0xFF) << 32) }
        }
        let order = terms.indices.sorted { terms[$0].utf8.lexicographicallyPrecedes(terms[$1].utf8) }
        return (order.map { (Array(terms[$0].utf8), postings[$0]) }, lengths, totalLength)
    }

    public func write(to path: String) throws {
        if terms.count > termLimit {
            throw LexicalIndex.Problem(description: "the chunks hold more than \(termLimit) distinct words, more than a lexical index can hold")
        }
        if let capacityProblem { throw LexicalIndex.Problem(description: capacityProblem) }
        if written { throw LexicalIndex.Problem(description: "the lexical index builder was written already") }
        // Terms sorted by their UTF-8 bytes (a term's rank is its place in the file); postings grouped by term with
        // rows ascending (documents are visited in row order).
        let order = terms.indices.sorted { terms[$0].utf8.lexicographicallyPrecedes(terms[$1].utf8) }
        var rank = [Int](repeating: 0, count: terms.count)
        for (r, id) in order.enumerated() { rank[id] = r }
        written = true
        // Entries keep their term ids (no pass over them to rank them): dealing looks each id's block and tag up.
        var df = [Int](repeating: 0, count: terms.count)
        for id in terms.indices { df[rank[id]] = documentFrequency[id] }
        var start = [Int](repeating: 0, count: terms.count)
        var running = 0
        for r in 0..<terms.count {
            start[r] = running
            running += df[r]
        }
        // String offsets and the document count are 32-bit in the file (rows are Int32 when ranked).
        let stringBytes = terms.reduce(0) { $0 + $1.utf8.count }
        guard stringBytes < Int(UInt32.max) - 8, lengths.count <= Int(Int32.max) else {
            throw LexicalIndex.Problem(description: "the chunks' words take \(stringBytes) bytes in \(lengths.count) chunks, more than a lexical index can hold")
        }
        var strings: [UInt8] = []
        var table = ZipBytes()
        for (r, id) in order.enumerated() {
            let bytes = Array(terms[id].utf8)
            table.u32(UInt32(strings.count))
            table.u32(UInt32(bytes.count))
            table.u32(UInt32(df[r]))
            table.u32(0)
            table.u64(UInt64(start[r] * 8))
            strings += bytes
        }
        while strings.count % 8 != 0 { strings.append(0) }
        let stringsOffset = LexicalIndex.headerSize
        let termsOffset = stringsOffset + strings.count
        let postingsOffset = termsOffset + table.data.count
        let lengthsOffset = postingsOffset + entries.count * 8
        var header = ZipBytes()
        header.bytes(LexicalIndex.magic)
        header.u32(UInt32(lengths.count))
        header.u32(UInt32(terms.count))
        header.u64(totalLength.bitPattern)
        header.u64(UInt64(stringsOffset)); header.u64(UInt64(strings.count))
        header.u64(UInt64(termsOffset))
        header.u64(UInt64(postingsOffset)); header.u64(UInt64(entries.count * 8))
        header.u64(UInt64(lengthsOffset))
        while header.data.count < LexicalIndex.headerSize { header.u32(0) }
        let file = try OutputFile(path: path)
        try file.write(header.data)
        try file.write(strings)
        try file.write(table.data)
        // On disk a posting is (UInt32 row, UInt16 tf, UInt16 0): one little-endian UInt64 of row | tf << 32.
        // The postings are cut into blocks of whole terms of about `postingBlock` postings. One pass over the
        // documents, in row order, deals each posting to its block's part of the file (through a small buffer per
        // block); then each block is read back and put in term order by a stable counting sort, rows staying
        // ascending within a term. The build holds a block and the buffers, never all the postings (560 MB on a
        // 5,000-hour channel), and looks at each entry once: the passes over every document for each block it
        // replaces took 4.5 s of a 5,000-hour build's critical path.
        // The hot loops below read and write through buffers of their own: arrays captured by the nested `flush`
        // cost a 5,000-hour channel 1.1 s more, fresh sort buffers per block a page fault every 4 KiB.
        let blockOfRank = Scratch<Int32>(count: terms.count)
        var blocks: [(firstRank: Int, start: Int, end: Int)] = []
        var rankEnd = 0
        while rankEnd < terms.count {
            let first = rankEnd, blockStart = start[first]
            var blockEnd = blockStart
            while rankEnd < terms.count && (rankEnd == first || blockEnd + df[rankEnd] <= blockStart + postingBlock) {
                blockEnd += df[rankEnd]
                blockOfRank[rankEnd] = Int32(blocks.count)
                rankEnd += 1
            }
            blocks.append((first, blockStart, blockEnd))
        }
        // While dealt, a posting carries its rank within its block in its top 24 bits (zero in the file; a block
        // holds fewer than 2^24 ranks, as the index does).
        let blockOfID = Scratch<Int32>(count: terms.count), tagOfID = Scratch<UInt64>(count: terms.count)
        for id in terms.indices {
            let r = rank[id], b = blockOfRank[r]
            blockOfID[id] = b
            tagOfID[id] = UInt64(r - blocks[Int(b)].firstRank) << 40
        }
        // A buffer of up to 64 KiB per block, 32 MB for all of them at most (a channel of ~4,000 blocks).
        let capacity = max(256, min(8192, (4 << 20) / max(1, blocks.count)))
        let staged = Scratch<UInt64>(count: blocks.count * capacity)
        let filled = Scratch<Int>(count: blocks.count)
        let dealt = Scratch<Int>(count: blocks.count)  // postings of each block in the file so far
        for (b, block) in blocks.enumerated() { dealt[b] = block.start }
        func flush(_ b: Int) throws {
            let buffer = UnsafeRawBufferPointer(rebasing: staged.bytes[(b * capacity * 8)..<((b * capacity + filled[b]) * 8)])
            try file.write(buffer, at: postingsOffset + dealt[b] * 8)
            dealt[b] += filled[b]
            filled[b] = 0
        }
        var failure: (any Error)?
        // Each block of entries is freed once dealt: the sort below then fits in memory they held.
        entries.drainEachDocument(starts: documentStarts) { row, document in
            guard failure == nil else { return }
            for e in document {
                let id = Int(e >> 8)
                let b = Int(blockOfID[id])
                staged[b * capacity + filled[b]] = UInt64(row) | UInt64(e & 0xFF) << 32 | tagOfID[id]
                filled[b] += 1
                if filled[b] == capacity {
                    do { try flush(b) } catch { failure = error; return }
                }
            }
        }
        if let failure { throw failure }
        for b in blocks.indices where filled[b] > 0 { try flush(b) }
        // Each block in term order: its postings, dealt in row order, counted into place rank by rank.
        let next = Scratch<Int>(count: terms.count)  // each rank's next place in the postings
        for r in 0..<terms.count { next[r] = start[r] }
        let largest = blocks.map { $0.end - $0.start }.max() ?? 0
        let input = Scratch<UInt64>(count: largest), sorted = Scratch<UInt64>(count: largest)
        for block in blocks where block.end > block.start {
            let count = block.end - block.start
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: input.bytes[..<(count * 8)]), at: postingsOffset + block.start * 8)
            for i in 0..<count {
                let posting = input[i]
                let r = block.firstRank + Int(posting >> 40)
                sorted[next[r] - block.start] = posting & 0xFF_FFFF_FFFF
                next[r] += 1
            }
            try file.write(UnsafeRawBufferPointer(rebasing: sorted.bytes[..<(count * 8)]), at: postingsOffset + block.start * 8)
        }
        try lengths.withUnsafeBytes { try file.write($0, at: lengthsOffset) }
        try file.close()
    }
}

/// A zero-filled buffer for a hot loop, freed with the object: indexed without the uniqueness and exclusivity
/// checks that arrays captured by nested functions and closures pay on every access.
private final class Scratch<Element: BitwiseCopyable> {
    private let storage: UnsafeMutableBufferPointer<Element>

    init(count: Int) {
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: count * MemoryLayout<Element>.stride,
                                                         alignment: MemoryLayout<Element>.alignment)
        raw.initializeMemory(as: UInt8.self, repeating: 0)
        storage = raw.bindMemory(to: Element.self)
    }

    deinit { storage.deallocate() }

    subscript(i: Int) -> Element {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(storage) }
}
