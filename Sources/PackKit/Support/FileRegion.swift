import Foundation

/// An open file, closed when the last user lets go. Everything read from one pack (mapped members, the database
/// through `RegionVFS`) shares one descriptor, so a pack renamed away or replaced while it is open keeps being read
/// whole from the file that was opened: the old inode lives as long as this descriptor or a mapping of it.
public final class OpenFile: @unchecked Sendable {
    // Immutable after init.
    public let descriptor: Int32
    public let path: String
    public let size: Int64
    public let device: UInt64
    public let inode: UInt64

    /// Opens a regular file for reading (a FIFO or device is refused before a read could block).
    init(path: String) throws(InputFile.Problem) {
        let (fd, size) = try InputFile.openRegular(path)
        var info = stat()
        fstat(fd, &info)
        self.descriptor = fd
        self.path = path
        self.size = Int64(size)
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
    }

    deinit { close(descriptor) }

    /// The whole file as a region.
    var whole: FileRegion { FileRegion(file: self, offset: 0, length: size, name: path) }
}

/// A byte range of an open file: a whole file, or one stored member of a `.pack` read in place.
public struct FileRegion: @unchecked Sendable {
    public let file: OpenFile
    public let offset: Int64
    public let length: Int64
    /// What messages call it: a path, or `PACK:member`.
    public let name: String

    /// `offset` and `length` must lie inside the file (callers check values that come from bytes).
    init(file: OpenFile, offset: Int64, length: Int64, name: String) {
        precondition(offset >= 0 && length >= 0 && offset <= file.size && length <= file.size - offset,
                     "region \(offset)+\(length) outside \(file.path) (\(file.size) bytes)")
        self.file = file
        self.offset = offset
        self.length = length
        self.name = name
    }

    /// A regular file, whole.
    static func file(atPath path: String) throws(InputFile.Problem) -> FileRegion {
        try OpenFile(path: path).whole
    }

    /// Maps the range read-only. The mapping starts at the page holding `offset`; `bytes` starts at `offset`.
    func map() throws(MappedRegion.Problem) -> MappedRegion {
        try MappedRegion(self)
    }

    /// Reads the whole range into memory (small members: a manifest), refusing more than `limit` bytes.
    func read(limit: Int) throws(InputFile.Problem) -> Data {
        guard length <= Int64(limit) else {
            throw InputFile.Problem(reason: "is \(length) bytes, more than the \(InputFile.byteCount(limit)) ytce reads")
        }
        var data = Data(count: Int(length))
        var filled = 0
        while filled < data.count {
            let n = data.withUnsafeMutableBytes { raw in
                pread(file.descriptor, raw.baseAddress! + filled, raw.count - filled, off_t(offset) + off_t(filled))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw InputFile.Problem(reason: n < 0 ? String(cString: strerror(errno)) : "ends \(data.count - filled) bytes early")
            }
            filled += n
        }
        return data
    }
}

/// A read-only mapping of a `FileRegion`, unmapped when released.
public final class MappedRegion: @unchecked Sendable {
    // Immutable after init: a read-only mapping that lives as long as the object.
    private let mapping: UnsafeMutableRawPointer?
    private let mappingLength: Int
    /// The region's bytes (empty for an empty region). Valid while `self` is alive.
    public let bytes: UnsafeRawBufferPointer
    /// Keeps the file open (and its inode alive) for as long as it is mapped; not strictly needed on Linux.
    private let file: OpenFile

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    static let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))

    init(_ region: FileRegion) throws(Problem) {
        file = region.file
        guard region.length > 0 else {
            mapping = nil
            mappingLength = 0
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let start = region.offset / Self.pageSize * Self.pageSize
        let lead = Int(region.offset - start)
        guard let total = Int(exactly: region.length).flatMap({ $0.addingReportingOverflow(lead).overflow ? nil : $0 + lead }) else {
            throw Problem(description: "\(region.name): \(region.length) bytes cannot be mapped")
        }
        guard let base = mmap(nil, total, PROT_READ, MAP_SHARED, region.file.descriptor, off_t(start)), base != MAP_FAILED else {
            throw Problem(description: "\(region.name): cannot map: \(String(cString: strerror(errno)))")
        }
        mapping = base
        mappingLength = total
        bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(base) + lead, count: Int(region.length))
    }

    deinit { if let mapping { munmap(mapping, mappingLength) } }

    /// Asks the kernel to map every page of the region now, in one call, as a full scan is about to read them all:
    /// a warm scan otherwise takes one page fault per 64 KiB (the kernel's fault-around), about 800 for the section
    /// vectors of a 5,000-hour pack. Advice only: where the kernel refuses (MADV_POPULATE_READ came with Linux
    /// 5.14), the scan faults the pages in as before. Pages not in the page cache are read here, not in the scan.
    /// `range`: the bytes (of `bytes`) about to be read; the pages holding them are mapped.
    func populate(_ range: Range<Int>) {
        guard let mapping, !range.isEmpty else { return }
        let lead = bytes.baseAddress.map { $0 - UnsafeRawPointer(mapping) } ?? 0
        let page = Int(Self.pageSize)
        let first = (lead + max(0, range.lowerBound)) / page * page
        let end = min(mappingLength, lead + min(bytes.count, range.upperBound))
        guard end > first else { return }
        _ = madvise(mapping + first, end - first, Self.populateRead)
    }

    /// Lets go of the pages wholly inside `range` (of `bytes`) that a front-to-back pass has read: they leave the
    /// process's resident set, not the page cache, and a later read maps them again. A 564 MB lexical index merged
    /// on a 5,000-hour `--update` otherwise stayed resident to the end (peak 725 MB, of which 125 MB its own).
    func release(_ range: Range<Int>) {
        guard let mapping, !range.isEmpty else { return }
        let lead = bytes.baseAddress.map { $0 - UnsafeRawPointer(mapping) } ?? 0
        let page = Int(Self.pageSize)
        let first = (lead + max(0, range.lowerBound) + page - 1) / page * page
        let end = min(mappingLength, lead + min(bytes.count, range.upperBound)) / page * page
        guard end > first else { return }
        _ = madvise(mapping + first, end - first, MADV_DONTNEED)
    }

    /// MADV_POPULATE_READ (Linux 5.14; not in every libc's headers).
    private static let populateRead: Int32 = 22

    var count: Int { bytes.count }
    /// The first byte (only for a non-empty region).
    var base: UnsafeRawPointer { bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 8)! }

    func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    func u64(_ offset: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
}
