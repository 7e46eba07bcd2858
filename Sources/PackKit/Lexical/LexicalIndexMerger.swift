import Foundation

/// The lexical index of a grown pack, written from the old index and the new documents without analyzing the old
/// chunks again: the old postings of each term (rows renumbered, those of removed chunks dropped), then the new
/// documents' postings, whose rows come after every old one, so each term's rows stay ascending. The file is the
/// one `LexicalIndexBuilder.write` makes for the same documents.
enum LexicalIndexMerger {
    /// `renumber[oldRow]` is the row's new number, or -1 when it is removed (nil: every old row keeps its number).
    /// `additions` holds the new documents, numbered from the first row after the kept old ones. Written in order into
    /// `file` (a file, or a member parked in the new zip), which is closed; returns the CRC-32 (for the zip), computed
    /// while writing.
    static func merge(_ old: LexicalIndex, renumber: [Int32]?, additions: LexicalIndexBuilder, to file: any ByteSink) throws -> UInt32 {
        let kept = renumber.map { $0.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } } ?? old.documentCount
        let new = try additions.postingsByTerm(firstRow: kept)
        guard old.documentCount + new.lengths.count <= Int(Int32.max) else {
            throw LexicalIndex.Problem(description: "the grown pack has more chunks than a lexical index can hold")
        }
        let base = old.base
        func u32(_ o: Int) -> Int { Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt32.self))) }
        func u64(_ o: Int) -> Int { Int(truncatingIfNeeded: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt64.self))) }
        func oldPostings(_ t: Int) -> (offset: Int, count: Int) {
            let record = old.termsOffset + t * LexicalIndex.termRecordSize
            return (old.postingsOffset + u64(record + 16), u32(record + 8))
        }
        func keptCount(_ t: Int) -> Int {
            guard let renumber else { return oldPostings(t).count }
            let (offset, count) = oldPostings(t)
            var n = 0
            for i in 0..<count {
                let row = u32(offset + i * 8)
                if row < renumber.count && renumber[row] >= 0 { n += 1 }
            }
            return n
        }

        // Old postings are read front to back (terms are in byte order in both indexes), here to count what is kept
        // when rows are removed and below to copy them: what was read is let go of in steps of 4 MiB, so the old
        // index does not stay resident whole.
        var releasedUpTo = old.postingsOffset
        func released(upTo end: Int) {
            guard end - releasedUpTo >= 4 << 20 else { return }
            old.release(releasedUpTo..<end)
            releasedUpTo = end
        }

        // The merged term list, in byte order: (old term index?, new term index?, document frequency).
        var merged: [(old: Int?, new: Int?, df: Int)] = []
        merged.reserveCapacity(old.termCount + new.terms.count)
        var a = 0, b = 0
        while a < old.termCount || b < new.terms.count {
            let order: Int
            if a == old.termCount { order = 1 } else if b == new.terms.count { order = -1 } else {
                order = new.terms[b].bytes.withUnsafeBytes { LexicalIndex.compare(old.termBytes(a), $0) }
            }
            if a < old.termCount, renumber != nil { released(upTo: oldPostings(a).offset) }  // what the terms before read
            if order < 0 {
                let df = keptCount(a)
                if df > 0 { merged.append((a, nil, df)) }
                a += 1
            } else if order > 0 {
                merged.append((nil, b, new.terms[b].postings.count))
                b += 1
            } else {
                let df = keptCount(a) + new.terms[b].postings.count
                if df > 0 { merged.append((a, b, df)) }
                a += 1
                b += 1
            }
        }
        var strings: [UInt8] = []
        var table = ZipBytes()
        var postingsAt = 0
        for term in merged {
            let bytes: [UInt8] = term.old.map { Array(old.termBytes($0).bindMemory(to: UInt8.self)) } ?? new.terms[term.new ?? 0].bytes
            guard strings.count + bytes.count < Int(UInt32.max) - 8 else {
                throw LexicalIndex.Problem(description: "the grown pack's words take more bytes than a lexical index can hold")
            }
            table.u32(UInt32(strings.count))
            table.u32(UInt32(bytes.count))
            table.u32(UInt32(term.df))
            table.u32(0)
            table.u64(UInt64(postingsAt * 8))
            strings += bytes
            postingsAt += term.df
        }
        while strings.count % 8 != 0 { strings.append(0) }

        var lengths: [UInt16] = []
        lengths.reserveCapacity(kept + new.lengths.count)
        var total = new.totalLength
        for row in 0..<old.documentCount where renumber.map({ $0[row] >= 0 }) ?? true {
            let length = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: old.lengthsOffset + row * 2, as: UInt16.self))
            lengths.append(length)
            total += Double(length)
        }
        lengths += new.lengths

        let stringsOffset = LexicalIndex.headerSize
        let termsOffset = stringsOffset + strings.count
        let postingsOffset = termsOffset + table.data.count
        let lengthsOffset = postingsOffset + postingsAt * 8
        var header = ZipBytes()
        header.bytes(LexicalIndex.magic)
        header.u32(UInt32(lengths.count))
        header.u32(UInt32(merged.count))
        header.u64(total.bitPattern)
        header.u64(UInt64(stringsOffset)); header.u64(UInt64(strings.count))
        header.u64(UInt64(termsOffset))
        header.u64(UInt64(postingsOffset)); header.u64(UInt64(postingsAt * 8))
        header.u64(UInt64(lengthsOffset))
        while header.data.count < LexicalIndex.headerSize { header.u32(0) }

        var crc: UInt32 = 0
        func write(_ bytes: UnsafeRawBufferPointer) throws {
            crc = CRC32.of(bytes, continuing: crc)
            try file.write(bytes)
        }
        try header.data.withUnsafeBytes { try write($0) }
        try strings.withUnsafeBytes { try write($0) }
        try table.data.withUnsafeBytes { try write($0) }
        // Postings through a 4 MiB buffer: a term's old postings are copied as they are when no row is renumbered.
        var buffer: [UInt8] = []
        buffer.reserveCapacity(5 << 20)
        func flush() throws {
            try buffer.withUnsafeBytes { try write($0) }
            buffer.removeAll(keepingCapacity: true)
        }
        func append(_ posting: UInt64) {
            withUnsafeBytes(of: posting.littleEndian) { buffer.append(contentsOf: $0) }
        }
        releasedUpTo = old.postingsOffset
        for term in merged {
            if let t = term.old {
                let (offset, count) = oldPostings(t)
                if let renumber {
                    for i in 0..<count {
                        let posting = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + i * 8, as: UInt64.self))
                        let oldRow = Int(posting & 0xFFFF_FFFF)
                        guard oldRow < renumber.count, renumber[oldRow] >= 0 else { continue }
                        append(UInt64(UInt32(renumber[oldRow])) | posting & 0xFFFF_0000_0000)
                    }
                } else {
                    buffer.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: count * 8))
                }
            }
            if let n = term.new { for posting in new.terms[n].postings { append(posting) } }
            if buffer.count >= 4 << 20 {
                try flush()
                if let t = term.old { let (offset, count) = oldPostings(t); released(upTo: offset + count * 8) }
            }
        }
        try flush()
        old.release(0..<old.lengthsOffset)
        try lengths.withUnsafeBytes { try write($0) }
        try file.close()
        return crc
    }
}
