import CDeflate
import CZlib
import Foundation

/// Zip's CRC-32 (libdeflate's, carry-less multiplication where the CPU has it), with the algebra that lets a pack update reuse the checksums of bytes it does not read: the
/// CRC of `A‖B` from those of `A` and `B` (zlib's combine), of `B` from those of `A‖B` and `A`, and of `A` from
/// that of `A‖T` and the bytes of a short `T` (running the register backwards over `T`).
enum CRC32 {
    static func of(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return libdeflate_crc32(crc, base, bytes.count)
    }

    static func of(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { of($0, continuing: crc) }
    }

    /// CRC of `A‖B` from `crc(A)`, `crc(B)` and the length of `B`.
    static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int64) -> UInt32 {
        UInt32(truncatingIfNeeded: crc32_combine(UInt(first), UInt(second), Int(secondLength)))
    }

    /// CRC of `B` from `crc(A‖B)`, `crc(A)` and the length of `B`: combining is linear, `crc(A‖B) = shift(crc(A)) ⊕ crc(B)`.
    static func removingPrefix(_ whole: UInt32, prefix: UInt32, remainderLength: Int64) -> UInt32 {
        whole ^ combine(prefix, 0, secondLength: remainderLength)
    }

    /// CRC of `A` from `crc(A‖T)` and the bytes of `T`: the register is run backwards over `T`, last byte first.
    static func removingSuffix(_ whole: UInt32, suffix: [UInt8]) -> UInt32 {
        let polynomial: UInt32 = 0xEDB8_8320
        var register = whole ^ 0xFFFF_FFFF
        for byte in suffix.reversed() {
            for _ in 0..<8 {
                // A forward step shifts right and, when the bit shifted out was 1, adds the polynomial (whose top bit
                // is set): the top bit of the result says which happened.
                register = register & 0x8000_0000 != 0 ? ((register ^ polynomial) << 1) | 1 : register << 1
            }
            register ^= UInt32(byte)
        }
        return register ^ 0xFFFF_FFFF
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// CRC of the byte ranges of a file, in order, read in pieces on `threads` threads (each range split among them,
    /// the pieces combined).
    static func of(file path: String, ranges: [(offset: Int64, length: Int64)], threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> UInt32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var total: UInt32 = 0
        for range in ranges where range.length > 0 {
            let pieces = max(1, min(threads, Int(range.length / (8 << 20))))
            let size = (range.length + Int64(pieces) - 1) / Int64(pieces)
            let results = ResultSlots<Result<UInt32, any Error>>(count: pieces)
            DispatchQueue.concurrentPerform(iterations: pieces) { p in
                let start = range.offset + Int64(p) * size
                let length = max(0, min(size, range.offset + range.length - start))
                results.set(p, Result { try crc(fd: fd, offset: start, length: length, path: path) })
            }
            for (p, result) in results.values().enumerated() {
                let length = max(0, min(size, range.length - Int64(p) * size))
                total = combine(total, try result.get(), secondLength: length)
            }
        }
        return total
    }

    /// CRC of a whole file (read in pieces: mapping it instead would count the whole file as resident memory).
    static func of(file path: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> UInt32 {
        var status = stat()
        guard stat(path, &status) == 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        return try of(file: path, ranges: [(0, Int64(status.st_size))], threads: threads)
    }

    private static func crc(fd: Int32, offset: Int64, length: Int64, path: String) throws -> UInt32 {
        let capacity = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var crc: UInt32 = 0
        var done: Int64 = 0
        while done < length {
            let n = pread(fd, buffer, Int(min(Int64(capacity), length - done)), off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Problem(description: "cannot read \(path): \(n < 0 ? String(cString: strerror(errno)) : "it ended early")") }
            crc = of(UnsafeRawBufferPointer(start: buffer, count: n), continuing: crc)
            done += Int64(n)
        }
        return crc
    }
}
