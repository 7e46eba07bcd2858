import CZlib
import Foundation

/// Writes a zip of stored (uncompressed) files that are already on disk, the fast way: CRC-32s are computed
/// over memory-mapped files on all cores, and the bytes move file-to-file inside the kernel (`sendfile`),
/// never through user space. libzip (used for reading and for `--compress`) copies every byte through an
/// 8 KiB user-space buffer, which made packing a 300 MB pack take most of a second.
/// Zip64 records are written when an entry or an offset passes 4 GiB, as the format requires.
enum ZipAssembler {
    struct Entry {
        var name: String
        var path: String
        /// The file's CRC-32 when the caller computed it already (in parallel with other work).
        var crc32: UInt32?
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func write(_ entries: [Entry], to output: String, modificationDate: Date) throws {
        let sizes = try entries.map { entry -> Int64 in
            let attributes = try FileManager.default.attributesOfItem(atPath: entry.path)
            return (attributes[.size] as? NSNumber)?.int64Value ?? 0
        }
        let missing = entries.indices.filter { entries[$0].crc32 == nil }
        var crcs = entries.map { $0.crc32 ?? 0 }
        for (i, crc) in zip(missing, try checksums(missing.map { entries[$0].path })) { crcs[i] = crc }
        let (dosTime, dosDate) = dosDateTime(modificationDate)

        let file = try OutputFile(path: output)
        let fd = file.descriptor
        var offset: Int64 = 0
        var central: [UInt8] = []
        for (i, entry) in entries.enumerated() {
            let name = Array(entry.name.utf8)
            let size = sizes[i]
            let big = size >= 0xFFFF_FFFF
            var local = ZipBytes()
            local.u32(0x0403_4B50)
            local.u16(big ? 45 : 20)           // version needed: 4.5 for zip64
            local.u16(0x0800)                  // names are UTF-8
            local.u16(0)                       // stored
            local.u16(dosTime); local.u16(dosDate)
            local.u32(crcs[i])
            local.u32(big ? 0xFFFF_FFFF : UInt32(size))
            local.u32(big ? 0xFFFF_FFFF : UInt32(size))
            local.u16(UInt16(name.count))
            local.u16(big ? 20 : 0)
            local.bytes(name)
            if big { local.u16(1); local.u16(16); local.u64(UInt64(size)); local.u64(UInt64(size)) }
            try file.write(local.data)
            try copy(from: entry.path, count: size, to: fd, output: output)

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
            header.u32(crcs[i])
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
            offset += Int64(local.data.count) + size
        }
        let centralOffset = offset
        let count = entries.count
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
        try file.close()
    }

    /// CRC-32 of each file, computed in parallel.
    static func checksums(_ paths: [String]) throws -> [UInt32] {
        let results = ResultSlots<Result<UInt32, any Error>>(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            results.set(i, Result { try crc32(of: paths[i]) })
        }
        return try results.values().map { try $0.get() }
    }

    /// CRC-32 of a file, read in 4 MiB pieces: mapping it instead would count the whole file as resident
    /// memory of the build.
    static func crc32(of path: String) throws -> UInt32 {
        var crc = CZlib.crc32(0, nil, 0)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let capacity = 4 << 20
        let buffer = UnsafeMutablePointer<Bytef>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, capacity)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            crc = CZlib.crc32(crc, buffer, uInt(n))
        }
        return UInt32(crc)
    }

    /// Moves `count` bytes of `path` to the end of `fd` inside the kernel.
    private static func copy(from path: String, count: Int64, to fd: Int32, output: String) throws {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var remaining = count
        while remaining > 0 {
            let n = sendfile(fd, input, nil, Int(min(remaining, 1 << 30)))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw Problem(description: "cannot write \(output): \(n < 0 ? String(cString: strerror(errno)) : "\(path) ended early")")
            }
            remaining -= Int64(n)
        }
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
