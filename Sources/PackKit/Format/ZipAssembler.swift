import CZlib
import Foundation

/// Writes a zip of stored (uncompressed) files that are already on disk, the fast way: CRC-32s are computed
/// over memory-mapped files on all cores, and the bytes move file-to-file inside the kernel,
/// never through user space (`KernelCopy`). libzip (used for reading and for `--compress`) copies every byte through an
/// 8 KiB user-space buffer, which made packing a 300 MB pack take most of a second.
/// Zip64 records are written when an entry or an offset passes 4 GiB, as the format requires. Every member's
/// bytes start at a multiple of `alignment` (padding in the local header's extra field, as Android's zipalign
/// does), so readers map members straight from the archive; zip readers skip the padding.
enum ZipAssembler {
    struct Entry {
        var name: String
        /// The member's bytes, in order: whole files, ranges of files (an older pack's unchanged bytes), bytes in memory.
        var parts: [Part]
        /// The member's CRC-32 when the caller computed it already (in parallel with other work, or from the
        /// checksums of the parts).
        var crc32: UInt32?

        /// A whole file.
        init(name: String, path: String, crc32: UInt32? = nil) {
            self.name = name
            self.parts = [.file(path: path, offset: 0, length: nil)]
            self.crc32 = crc32
        }

        init(name: String, parts: [Part], crc32: UInt32? = nil) {
            self.name = name
            self.parts = parts
            self.crc32 = crc32
        }
    }

    enum Part {
        /// `length` bytes of `path` from `offset` (nil: to the end of the file).
        case file(path: String, offset: Int64, length: Int64?)
        case bytes([UInt8])
    }

    /// The parts with every length known.
    private static func resolved(_ parts: [Part]) throws -> [Part] {
        try parts.map { part in
            guard case .file(let path, let offset, nil) = part else { return part }
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            return .file(path: path, offset: offset, length: max(0, size - offset))
        }
    }

    private static func length(_ part: Part) -> Int64 {
        switch part {
        case .file(_, _, let length): length ?? 0
        case .bytes(let bytes): Int64(bytes.count)
        }
    }

    /// Writes a member's bytes to a file of its own.
    static func materialize(_ entry: Entry, to path: String) throws {
        let file = try OutputFile(path: path)
        for part in try resolved(entry.parts) {
            switch part {
            case .file(let source, let offset, let length):
                try KernelCopy.copy(from: source, offset: offset, count: length ?? 0, to: file.descriptor, output: path)
            case .bytes(let bytes): try file.write(bytes)
            }
        }
        try file.close()
    }

    /// Writes a member given as parts into `member` (parked) and closes it, with the entry's CRC-32 when it has one.
    static func fill(_ member: StreamedMember, with entry: Entry) throws {
        for part in try resolved(entry.parts) {
            switch part {
            case .file(let path, let offset, let length): try member.append(copying: path, offset: offset, count: length ?? 0)
            case .bytes(let bytes): try member.write(bytes)
            }
        }
        if let crc = entry.crc32 { try member.close(checksum: crc) } else { try member.close() }
    }

    /// CRC-32 of a member's parts.
    static func checksum(_ parts: [Part]) throws -> UInt32 {
        var crc: UInt32 = 0
        for part in try resolved(parts) {
            switch part {
            case .file(let path, let offset, let length):
                let count = length ?? 0
                crc = CRC32.combine(crc, try CRC32.of(file: path, ranges: [(offset, count)]), secondLength: count)
            case .bytes(let bytes):
                crc = CRC32.of(bytes, continuing: crc)
            }
        }
        return crc
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// The extra field record that pads a local header (the ID zipalign uses): ID, size, the alignment, zeros.
    static let alignmentExtraID: UInt16 = 0xD935

    static func write(_ entries: [Entry], to output: String, modificationDate: Date,
                      alignment: Int = PackLayout.memberAlignment) throws {
        let writer = try Writer(path: output, modificationDate: modificationDate, alignment: alignment)
        try writer.append(entries)
        try writer.finish()
    }

    /// The path of an entry that is one whole file, nil for any other.
    private static func wholeFile(_ entry: Entry) -> String? {
        guard entry.parts.count == 1, case .file(let path, 0, _) = entry.parts[0] else { return nil }
        return path
    }

    /// Appends stored members one at a time and ends with the central directory: a build hands each member over as
    /// soon as it is complete, so copying it (and the disk writing it) overlaps the work still going on.
    final class Writer {
        private let file: OutputFile
        private let alignment: Int
        private let dosTime: UInt16
        private let dosDate: UInt16
        private var offset: Int64 = 0
        private var central: [UInt8] = []
        private var count = 0
        var path: String { file.path }

        /// Where members may be parked (`parkMember`).
        enum Parking {
            /// Where the file system removes ranges in place and keeps room sparse (ext4, XFS).
            case whereRangesCollapse
            case never
            /// Always, and moved into place by copying (what happens where a collapse fails; for tests).
            case copying
        }

        init(path: String, modificationDate: Date, alignment: Int = PackLayout.memberAlignment,
             parking: Parking = .whereRangesCollapse) throws {
            file = try OutputFile(path: path)
            self.alignment = alignment
            (dosTime, dosDate) = dosDateTime(modificationDate)
            switch parking {
            case .whereRangesCollapse: parks = FileRangeCollapse.isSupported(file.descriptor)
            case .never: parks = false
            case .copying: parks = true; collapses = false
            }
        }

        /// Whether `parkMember` parks members in this file.
        let parks: Bool

        /// The member being streamed into the zip, until the next append or `finish` completes it.
        private var streaming: StreamedMember?
        /// Members being written far out in the file (`parkMember`), not yet moved into place.
        private var parked: [StreamedMember] = []
        private var parkedCount = 0
        /// Sparse room each parked member gets, and room kept free before one for the header it gets when adopted.
        static let parkingRoom: Int64 = 1 << 38
        static let headerRoom: Int64 = 1 << 16
        /// Whether the file system removes a file range in place; false after a collapse failed.
        private var collapses = true

        /// Where the next member may end at the latest: before the first parked member's header room.
        private var limit: Int64 {
            (parked.map(\.dataOffset).min() ?? Int64.max) - Self.headerRoom
        }

        private func checkRoom(_ name: String, size: Int64, headerLength: Int) throws {
            guard size <= limit - offset - Int64(headerLength) else {
                throw Problem(description: "\(file.path): \(name) does not fit before the members parked after it (\(Self.parkingRoom) bytes of room)")
            }
        }

        /// A member's local header at `offset`. `reservingZip64`: its length does not depend on whether the size
        /// needs a zip64 record (a streamed member's header is written before its size is known): without one,
        /// the record's 20 bytes pad the alignment record instead.
        private func localHeader(name: [UInt8], crc: UInt32, size: Int64, at offset: Int64, reservingZip64: Bool = false) -> [UInt8] {
            let big = size >= 0xFFFF_FFFF
            var local = ZipBytes()
            local.u32(0x0403_4B50)
            local.u16(big ? 45 : 20)           // version needed: 4.5 for zip64
            local.u16(0x0800)                  // names are UTF-8
            local.u16(0)                       // stored
            local.u16(dosTime); local.u16(dosDate)
            local.u32(crc)
            local.u32(big ? 0xFFFF_FFFF : UInt32(size))
            local.u32(big ? 0xFFFF_FFFF : UInt32(size))
            var extraField = ZipBytes()
            if big { extraField.u16(1); extraField.u16(16); extraField.u64(UInt64(size)); extraField.u64(UInt64(size)) }
            let reserved = reservingZip64 && !big ? 20 : 0
            if alignment > 1 || reserved > 0 {
                // The record takes 6 bytes at least; the padding after it makes the data start on the boundary.
                let unpadded = Int(offset) + 30 + name.count + extraField.data.count + reserved + 6
                let padding = (alignment - unpadded % alignment) % alignment + reserved
                extraField.u16(alignmentExtraID); extraField.u16(UInt16(2 + padding)); extraField.u16(UInt16(min(alignment, 0xFFFF)))
                extraField.bytes([UInt8](repeating: 0, count: padding))
            }
            local.u16(UInt16(name.count))
            local.u16(UInt16(extraField.data.count))
            local.bytes(name)
            local.bytes(extraField.data)
            return local.data
        }

        /// Appends a member whose CRC-32 is known (`entry.crc32`; computed here when nil). With `writeBack`, the
        /// kernel starts writing the member to disk right away, so a final fsync finds little left to write.
        func append(_ given: Entry, writeBack: Bool = false) throws {
            try completeStreamedMember()
            var entry = given
            entry.parts = try resolved(entry.parts)
            let crc = try entry.crc32 ?? checksum(entry.parts)
            let size = entry.parts.reduce(Int64(0)) { $0 + length($1) }
            let name = Array(entry.name.utf8)
            let local = localHeader(name: name, crc: crc, size: size, at: offset)
            try checkRoom(entry.name, size: size, headerLength: local.count)
            try file.write(local)
            for part in entry.parts {
                switch part {
                case .file(let path, let offset, let length):
                    try KernelCopy.copy(from: path, offset: offset, count: length ?? 0, to: file.descriptor, output: file.path)
                case .bytes(let bytes): try file.write(bytes)
                }
            }
            if writeBack { WriteBack.start(file.descriptor, offset: offset, count: Int64(local.count) + size) }
            addToDirectory(name: name, crc: crc, size: size, headerLength: Int64(local.count))
        }

        /// Begins a member whose bytes the caller writes straight into the zip as it produces them (a build's
        /// chunk vectors, written over the whole build): they are neither copied into the zip at the end nor
        /// written to disk twice, and the kernel writes them out as they come. Nothing else may be appended until
        /// the member is closed; the next append (or `finish`) then checksums it and completes its header.
        func beginStreamedMember(name: String) throws -> StreamedMember {
            try completeStreamedMember()
            let bytes = Array(name.utf8)
            let header = localHeader(name: bytes, crc: 0, size: 0, at: offset, reservingZip64: true)
            try file.write(header)
            let dataOffset = offset + Int64(header.count)
            // Room up to the first member that could be parked: a stored pack is far smaller.
            let member = StreamedMember(name: name, file: file, dataOffset: dataOffset, capacity: Self.parkingRoom - Self.headerRoom - dataOffset)
            streaming = member
            return member
        }

        /// Begins a member written far out in the file, in sparse room of its own, while other members are still
        /// being written before it (a build writes several at once); `adopt` moves it into place. Where the file
        /// system removes file ranges in place (ext4, XFS) the move copies nothing, so such a member is written once.
        /// Nil where members are not parked (`parks`): the caller writes a file of its own and appends it.
        func parkMember(name: String) throws -> StreamedMember? {
            guard parks else { return nil }
            let start = Self.parkingRoom * Int64(parkedCount + 1)
            guard start / Self.parkingRoom == Int64(parkedCount + 1) else { throw Problem(description: "\(file.path): too many parked members") }
            // A file system whose files cannot be that large (ext4 without extents, on 1 KiB blocks) parks nothing.
            guard file.canGrow(to: start + Self.parkingRoom) else { return nil }
            parkedCount += 1
            let member = StreamedMember(name: name, file: file, dataOffset: start, capacity: Self.parkingRoom - Self.headerRoom)
            parked.append(member)
            return member
        }

        /// Moves closed parked members into the zip as its next members, in order: the file range between a
        /// member's header and its bytes is removed (members parked after it move down with it), or, where the file
        /// system cannot, its bytes are copied down and the room they leave is cut off by `finish`. All are
        /// checksummed first: removing a range drops the cached pages of everything after it.
        func adopt(_ members: [StreamedMember]) throws {
            try completeStreamedMember()
            for member in members {
                guard parked.contains(where: { $0 === member }) else {
                    throw Problem(description: "\(file.path): \(member.name) is not a member parked in this zip")
                }
                guard member.isClosed else { throw Problem(description: "\(file.path): \(member.name) was still being written when it was adopted") }
            }
            let crcs = try members.map { try $0.checksum ?? CRC32.of(file: file.path, ranges: [($0.dataOffset, $0.length)]) }
            for (member, crc) in zip(members, crcs) { try place(member, crc: crc) }
        }

        /// Makes `member` the zip's next member: its bytes moved to right after its header at `offset` (a streamed
        /// member's are there already, behind a header of fixed length), the header written, the member listed.
        private func place(_ member: StreamedMember, crc: UInt32, reservingZip64: Bool = false) throws {
            let name = Array(member.name.utf8)
            let header = localHeader(name: name, crc: crc, size: member.length, at: offset, reservingZip64: reservingZip64)
            let target = offset + Int64(header.count)
            let gap = member.dataOffset - target
            guard gap == 0 || gap >= member.length else {
                throw Problem(description: "\(file.path): \(member.name) does not fit before where it was written (\(Self.parkingRoom) bytes of room)")
            }
            if gap > 0 && member.length > 0 {
                if collapses && FileRangeCollapse.collapse(file.descriptor, offset: target, count: gap) {
                    for other in parked where other.dataOffset > member.dataOffset { other.moved(to: other.dataOffset - gap) }
                } else {
                    collapses = false
                    try file.seek(to: target)
                    try KernelCopy.copy(from: file.path, offset: member.dataOffset, count: member.length, to: file.descriptor, output: file.path)
                    WriteBack.start(file.descriptor, offset: target, count: member.length)
                }
            }
            member.moved(to: target)
            parked.removeAll { $0 === member }
            try file.write(header, at: Int(offset))
            addToDirectory(name: name, crc: crc, size: member.length, headerLength: Int64(header.count))
            try file.seek(to: offset)  // members' bytes are written at their offsets, not appended
        }

        /// Checksums the streamed member, rewrites its local header with its CRC-32 and size, and lists it.
        private func completeStreamedMember() throws {
            guard let member = streaming else { return }
            streaming = nil
            guard member.isClosed else { throw Problem(description: "\(file.path): \(member.name) was still being written when the next member began") }
            try place(member, crc: CRC32.of(file: file.path, ranges: [(member.dataOffset, member.length)]), reservingZip64: true)
        }

        /// Lists the member just written at `offset` in the central directory and moves past it.
        private func addToDirectory(name: [UInt8], crc: UInt32, size: Int64, headerLength: Int64) {
            let big = size >= 0xFFFF_FFFF
            let farOffset = offset >= 0xFFFF_FFFF
            var extra = ZipBytes()
            if big || farOffset {
                extra.u16(1)
                extra.u16(UInt16((big ? 16 : 0) + (farOffset ? 8 : 0)))
                if big { extra.u64(UInt64(size)); extra.u64(UInt64(size)) }
                if farOffset { extra.u64(UInt64(offset)) }
            }
            var header = ZipBytes()
            header.u32(0x0201_4B50)
            header.u16(0x0300 | 45)            // made by: Unix, 4.5
            header.u16(big || farOffset ? 45 : 20)
            header.u16(0x0800)
            header.u16(0)
            header.u16(dosTime); header.u16(dosDate)
            header.u32(crc)
            header.u32(big ? 0xFFFF_FFFF : UInt32(size))
            header.u32(big ? 0xFFFF_FFFF : UInt32(size))
            header.u16(UInt16(name.count))
            header.u16(UInt16(extra.data.count))
            header.u16(0)                      // comment
            header.u16(0)                      // disk
            header.u16(0)                      // internal attributes
            header.u32(0o100644 << 16)         // external attributes: regular file, rw-r--r--
            header.u32(farOffset ? 0xFFFF_FFFF : UInt32(offset))
            header.bytes(name)
            header.bytes(extra.data)
            central += header.data
            offset += headerLength + size
            count += 1
        }

        /// Appends members given as parts, checksummed first: whole files in parallel, other parts one member at a time
        /// (each range on every core).
        func append(_ given: [Entry], writeBack: Bool = false) throws {
            var entries = given
            for i in entries.indices { entries[i].parts = try resolved(entries[i].parts) }
            let missing = entries.indices.filter { entries[$0].crc32 == nil }
            let wholeFiles = missing.filter { wholeFile(entries[$0]) != nil }
            for (i, crc) in zip(wholeFiles, try checksums(wholeFiles.compactMap { wholeFile(entries[$0]) })) { entries[i].crc32 = crc }
            for i in missing where !wholeFiles.contains(i) { entries[i].crc32 = try checksum(entries[i].parts) }
            for entry in entries { try append(entry, writeBack: writeBack) }
        }

        /// Appends whole files as members, checksummed in parallel first; `copied` runs after each is in the zip.
        func append(files: [(name: String, path: String)], writeBack: Bool = false,
                    copied: (_ name: String, _ path: String) -> Void = { _, _ in }) throws {
            for (file, crc) in zip(files, try checksums(files.map(\.path))) {
                try append(.init(name: file.name, path: file.path, crc32: crc), writeBack: writeBack)
                copied(file.name, file.path)
            }
        }

        /// Writes the central directory and the end records, and closes the file.
        func finish() throws {
            try completeStreamedMember()
            if let left = parked.first { throw Problem(description: "\(file.path): \(left.name) was parked and never adopted") }
            let centralOffset = offset
            var tail = ZipBytes()
            tail.bytes(central)
            if centralOffset >= 0xFFFF_FFFF || count >= 0xFFFF {
                let zip64End = centralOffset + Int64(central.count)
                tail.u32(0x0606_4B50); tail.u64(44)
                tail.u16(0x0300 | 45); tail.u16(45)
                tail.u32(0); tail.u32(0)
                tail.u64(UInt64(count)); tail.u64(UInt64(count))
                tail.u64(UInt64(central.count)); tail.u64(UInt64(centralOffset))
                tail.u32(0x0706_4B50); tail.u32(0); tail.u64(UInt64(zip64End)); tail.u32(1)
            }
            tail.u32(0x0605_4B50)
            tail.u16(0); tail.u16(0)
            tail.u16(UInt16(min(count, 0xFFFF))); tail.u16(UInt16(min(count, 0xFFFF)))
            tail.u32(UInt32(central.count))
            tail.u32(centralOffset >= 0xFFFF_FFFF ? 0xFFFF_FFFF : UInt32(centralOffset))
            tail.u16(0)
            try file.write(tail.data)
            // Parked members' bytes copied down (not moved) leave their old room past the end.
            if parkedCount > 0 { try file.truncate(at: offset + Int64(tail.data.count)) }
            try file.close()
        }
    }

    /// CRC-32 of each file, computed in parallel.
    static func checksums(_ paths: [String]) throws -> [UInt32] {
        let results = ResultSlots<Result<UInt32, any Error>>(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            results.set(i, Result { try CRC32.of(file: paths[i], threads: 1) })
        }
        return try results.values().map { try $0.get() }
    }

    /// MS-DOS time and date fields, in UTC so a build's bytes do not depend on the builder's time zone.
    static func dosDateTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = max(1980, min(2107, c.year ?? 1980))
        let time = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        let day = UInt16((year - 1980) << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
        return (time, day)
    }
}

/// Little-endian field writer for zip records.
struct ZipBytes {
    var data: [UInt8] = []
    mutating func u16(_ v: UInt16) { data += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { data.append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { data.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) } }
    mutating func bytes(_ b: [UInt8]) { data += b }
}
