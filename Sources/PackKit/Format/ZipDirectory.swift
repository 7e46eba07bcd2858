import Foundation

/// A zip file's central directory, read with ytce's own parser because libzip does not say where a member's data
/// starts: each member's name, method, sizes, CRC-32 and the offset of its data, for reading stored members in
/// place. Zip64 records are understood. Every size and offset comes from the file and is checked against the file
/// (and the central directory's place in it) before it is used.
struct ZipDirectory {
    struct Member: Sendable, Equatable {
        let name: String
        /// 0 stored, 8 deflated, …
        let method: UInt16
        let flags: UInt16
        let crc32: UInt32
        let compressedSize: Int64
        let uncompressedSize: Int64
        let localHeaderOffset: Int64
        /// Where the member's bytes start (after its local header, name and extra field).
        let dataOffset: Int64

        var isStored: Bool { method == 0 && flags & 1 == 0 && compressedSize == uncompressedSize }
    }

    let members: [Member]
    /// Where the central directory starts: every member's data ends before it.
    let centralDirectoryOffset: Int64

    /// At most this much central directory is read (a pack has a handful of members).
    static let maxDirectoryBytes = 16 << 20

    static func read(_ file: OpenFile) throws(ZipProblem) -> ZipDirectory {
        let size = file.size
        guard size >= 22 else { throw try notAZip(file) }
        // The end record: the last 22 bytes, or earlier when the archive has a comment (at most 65,535 bytes).
        let tailLength = Int(min(size, 22 + 65_535))
        let tail = try bytes(file, at: size - Int64(tailLength), count: tailLength)
        var end: Int?
        var i = tailLength - 22
        while i >= 0 {
            if tail.u32(i) == 0x0605_4B50 && i + 22 + Int(tail.u16(i + 20)) <= tailLength { end = i; break }
            i -= 1
        }
        guard let endAt = end else { throw try notAZip(file) }
        let endOffset = size - Int64(tailLength) + Int64(endAt)
        var count = Int64(tail.u16(endAt + 10))
        var directorySize = Int64(tail.u32(endAt + 12))
        var directoryOffset = Int64(tail.u32(endAt + 16))
        guard tail.u16(endAt + 4) == 0, tail.u16(endAt + 6) == 0 else {
            throw ZipProblem(kind: .corrupt, reason: "multi-disk zip archives are not supported")
        }
        var directoryLimit = endOffset
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // Zip64: a locator just before the end record points at the zip64 end record.
            guard endOffset >= 20 else { throw ZipProblem(kind: .corrupt, reason: "the zip64 locator is missing") }
            let locator = try bytes(file, at: endOffset - 20, count: 20)
            guard locator.u32(0) == 0x0706_4B50 else { throw ZipProblem(kind: .corrupt, reason: "the zip64 locator is missing") }
            let recordOffset = locator.u64(8)
            guard recordOffset <= UInt64(endOffset - 20), UInt64(endOffset - 20) - recordOffset >= 56 else {
                throw ZipProblem(kind: .corrupt, reason: "the zip64 end record lies outside the archive")
            }
            let record = try bytes(file, at: Int64(recordOffset), count: 56)
            guard record.u32(0) == 0x0606_4B50 else { throw ZipProblem(kind: .corrupt, reason: "the zip64 end record is damaged") }
            guard let n = Int64(exactly: record.u64(32)), let s = Int64(exactly: record.u64(40)), let o = Int64(exactly: record.u64(48)) else {
                throw ZipProblem(kind: .corrupt, reason: "the zip64 end record declares impossible sizes")
            }
            (count, directorySize, directoryOffset) = (n, s, o)
            directoryLimit = Int64(recordOffset)
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset <= directoryLimit,
              directorySize <= directoryLimit - directoryOffset else {
            throw ZipProblem(kind: .truncated, reason: "the central directory (\(directorySize) bytes at \(directoryOffset)) lies outside the archive")
        }
        guard directorySize <= Int64(maxDirectoryBytes) else {
            throw ZipProblem(kind: .corrupt, reason: "the central directory is \(directorySize) bytes, more than ytce reads")
        }
        guard count <= directorySize / 46 else {
            throw ZipProblem(kind: .corrupt, reason: "the central directory cannot hold \(count) entries in \(directorySize) bytes")
        }
        let directory = try bytes(file, at: directoryOffset, count: Int(directorySize))
        var members: [Member] = []
        var at = 0
        for index in 0..<Int(count) {
            func damaged(_ what: String) -> ZipProblem { ZipProblem(kind: .corrupt, reason: "central directory entry \(index): \(what)") }
            guard at + 46 <= directory.count, directory.u32(at) == 0x0201_4B50 else { throw damaged("bad signature") }
            let nameLength = Int(directory.u16(at + 28)), extraLength = Int(directory.u16(at + 30)), commentLength = Int(directory.u16(at + 32))
            let next = at + 46 + nameLength + extraLength + commentLength
            guard next <= directory.count else { throw damaged("runs past the directory's end") }
            let name = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            var uncompressed = Int64(directory.u32(at + 24)), compressed = Int64(directory.u32(at + 20))
            var local = Int64(directory.u32(at + 42))
            // The zip64 extra field holds, in this order, the fields whose 32-bit values are all ones.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = directory.u16(extra), length = Int(directory.u16(extra + 2))
                guard extra + 4 + length <= extraEnd else { throw damaged("an extra field runs past its entry") }
                if id == 1 {
                    var field = extra + 4
                    func take() throws(ZipProblem) -> Int64 {
                        guard field + 8 <= extra + 4 + length, let value = Int64(exactly: directory.u64(field)) else {
                            throw damaged("its zip64 field is short or declares an impossible value")
                        }
                        field += 8
                        return value
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try take() }
                    if compressed == 0xFFFF_FFFF { compressed = try take() }
                    if local == 0xFFFF_FFFF { local = try take() }
                }
                extra += 4 + length
            }
            guard local <= directoryOffset - 30 else { throw damaged("its local header lies outside the archive's members") }
            let head = try bytes(file, at: local, count: 30)
            guard head.u32(0) == 0x0403_4B50 else { throw damaged("its local header is missing") }
            let localName = Int64(head.u16(26)), localExtra = Int64(head.u16(28))
            let dataOffset = local + 30 + localName + localExtra
            guard dataOffset <= directoryOffset, compressed <= directoryOffset - dataOffset else {
                throw damaged("its data (\(compressed) bytes) runs into the central directory")
            }
            guard localName == Int64(nameLength),
                  try bytes(file, at: local + 30, count: nameLength).elementsEqual(directory[(at + 46)..<(at + 46 + nameLength)]) else {
                throw damaged("its local header names another file")
            }
            members.append(Member(name: name, method: directory.u16(at + 10), flags: directory.u16(at + 8), crc32: directory.u32(at + 16),
                                  compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: local,
                                  dataOffset: dataOffset))
            at = next
        }
        return ZipDirectory(members: members, centralDirectoryOffset: directoryOffset)
    }

    /// Not a zip at all, or a zip whose end was cut off (it starts like one).
    private static func notAZip(_ file: OpenFile) throws(ZipProblem) -> ZipProblem {
        if file.size >= 4, try bytes(file, at: 0, count: 4).elementsEqual([0x50, 0x4B, 0x03, 0x04]) {
            return ZipProblem(kind: .truncated, reason: "the zip archive is truncated (its end-of-archive record is missing)")
        }
        return ZipProblem(kind: .notAZip, reason: "not a zip archive")
    }

    /// Exactly `count` bytes at `offset`, which the caller has checked lie inside the file.
    private static func bytes(_ file: OpenFile, at offset: Int64, count: Int) throws(ZipProblem) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = out.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw n < 0 ? ZipProblem(kind: .io, reason: "cannot read the archive: \(String(cString: strerror(errno)))")
                    : ZipProblem(kind: .truncated, reason: "the zip archive is truncated")
            }
            filled += n
        }
        return out
    }
}

fileprivate extension Array where Element == UInt8 {
    /// Little-endian fields at byte offsets the caller has checked.
    func u16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }
}
