import CZip
import Foundation

/// One entry of a zip archive as its central directory describes it.
public struct ZipEntry: Sendable, Equatable {
    public let index: Int
    public let name: String
    public let uncompressedSize: Int64
    public let compressedSize: Int64
    public let crc32: UInt32
    public var isDirectory: Bool { name.hasSuffix("/") }
}

public struct ZipProblem: Error, Sendable, CustomStringConvertible {
    /// `changed`: the file was replaced by another while it was being read.
    public enum Kind: Sendable { case notAZip, truncated, corrupt, io, changed }
    public let kind: Kind
    public let reason: String
    public var description: String { reason }
}

/// A zip archive opened for reading through libzip.
///
/// The file is opened once and libzip reads that open file (its size and its bytes from the same inode): a pack
/// renamed over the path while it is read (a rebuild) never mixes the old file's directory with the new file's
/// bytes. `sameFile` gives further readers of the very same file, for parallel reads.
public final class ZipArchiveReader {
    private let archive: OpaquePointer
    /// Our own descriptor of the file (libzip holds another): for `sameFile` and the truncation check.
    private let descriptor: Int32
    public let entries: [ZipEntry]
    public let path: String
    /// The archive's size in bytes, of the file opened.
    public let byteCount: Int64
    private let identity: FileIdentity

    /// Which file an open descriptor is (device and inode).
    struct FileIdentity: Sendable, Equatable {
        let device: UInt64
        let inode: UInt64
    }

    /// How to open the same file again from another thread: by the descriptor's `/proc` link, else by path,
    /// checking that the path still names that file.
    public struct SameFile: Sendable {
        let procPath: String
        let path: String
        let identity: FileIdentity
    }

    public convenience init(path: String) throws(ZipProblem) {
        try self.init(path: path, expecting: nil)
    }

    /// Another reader of the file `same` describes (which may no longer be at its path).
    public convenience init(_ same: SameFile) throws(ZipProblem) {
        do {
            try self.init(path: same.procPath, expecting: same.identity, shownPath: same.path)
        } catch where error.kind == .io {
            // No /proc: the path, as long as it still names the file.
            try self.init(path: same.path, expecting: same.identity, shownPath: same.path)
        }
    }

    private init(path openPath: String, expecting expected: FileIdentity?, shownPath: String? = nil) throws(ZipProblem) {
        let path = shownPath ?? openPath
        let fd = open(openPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ZipProblem(kind: .io, reason: "cannot open the archive: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ZipProblem(kind: .io, reason: "cannot read the archive: \(reason)")
        }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        if let expected, expected != identity {
            close(fd)
            throw ZipProblem(kind: .changed, reason: "the archive was replaced while it was being read")
        }
        // libzip takes its own duplicate of the descriptor it is given and closes the given one on success.
        let given = dup(fd)
        var code: Int32 = 0
        guard given >= 0, let archive = zip_fdopen(given, ZIP_RDONLY | ZIP_CHECKCONS, &code) else {
            let problem = given < 0 ? ZipProblem(kind: .io, reason: "cannot read the archive: \(String(cString: strerror(errno)))")
                : Self.openProblem(code: code, descriptor: fd)
            if given >= 0 { close(given) }
            close(fd)
            throw problem
        }
        self.archive = archive
        self.descriptor = fd
        self.path = path
        self.identity = identity
        self.byteCount = Int64(info.st_size)
        let count = zip_get_num_entries(archive, 0)
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(max(0, count)))
        for i in 0..<max(0, count) {
            var st = zip_stat_t()
            zip_stat_init(&st)
            guard zip_stat_index(archive, zip_uint64_t(i), 0, &st) == 0, let namePointer = st.name else {
                zip_discard(archive)
                close(fd)
                throw ZipProblem(kind: .corrupt, reason: "entry \(i) of the central directory is unreadable")
            }
            // Zip64 sizes are 64-bit unsigned: one past Int64.max would trap when converted.
            guard let size = Int64(exactly: st.size), let compressed = Int64(exactly: st.comp_size) else {
                zip_discard(archive)
                throw ZipProblem(kind: .corrupt, reason: "entry \(i) of the central directory declares an impossible size (\(st.size) bytes)")
            }
            entries.append(ZipEntry(
                index: Int(i),
                name: String(cString: namePointer),
                uncompressedSize: size,
                compressedSize: compressed,
                crc32: st.crc
            ))
        }
        self.entries = entries
    }

    deinit {
        zip_discard(archive)
        close(descriptor)
    }

    /// For opening this very file again (valid while this reader lives).
    public var sameFile: SameFile { SameFile(procPath: "/proc/self/fd/\(descriptor)", path: path, identity: identity) }

    private static func openProblem(code: Int32, descriptor: Int32) -> ZipProblem {
        var error = zip_error_t()
        zip_error_init_with_code(&error, code)
        defer { zip_error_fini(&error) }
        let text = String(cString: zip_error_strerror(&error))
        switch code {
        case ZIP_ER_NOZIP:
            // A truncated archive loses its end record and looks like no zip at all; the local header tells them apart.
            var head = [UInt8](repeating: 0, count: 4)
            if pread(descriptor, &head, 4, 0) == 4, head == [0x50, 0x4B, 0x03, 0x04] {
                return ZipProblem(kind: .truncated, reason: "the zip archive is truncated (its end-of-archive record is missing)")
            }
            return ZipProblem(kind: .notAZip, reason: "not a zip archive")
        case ZIP_ER_INCONS, ZIP_ER_EOF:
            return ZipProblem(kind: .truncated, reason: "the zip archive is truncated or inconsistent (\(text))")
        case ZIP_ER_NOENT, ZIP_ER_OPEN, ZIP_ER_READ:
            return ZipProblem(kind: .io, reason: "cannot read the archive: \(text)")
        default:
            return ZipProblem(kind: .corrupt, reason: "broken zip archive: \(text)")
        }
    }

    /// Streams an entry into a new file, writing at most its declared size; libzip checks the CRC at the end.
    public func extract(_ entry: ZipEntry, to destination: String) throws(ZipProblem) {
        guard let file = zip_fopen_index(archive, zip_uint64_t(entry.index), 0) else {
            throw ZipProblem(kind: .corrupt, reason: "cannot open entry \(entry.name): \(String(cString: zip_strerror(archive)))")
        }
        defer { zip_fclose(file) }
        let fd = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ZipProblem(kind: .io, reason: "cannot create \(destination): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bufferSize = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var written: Int64 = 0
        while true {
            let n = zip_fread(file, buffer, zip_uint64_t(bufferSize))
            if n < 0 {
                let reason = String(cString: zip_file_strerror(file))
                throw ZipProblem(kind: .corrupt, reason: "entry \(entry.name) is damaged: \(reason)")
            }
            if n == 0 { break }
            written += Int64(n)
            guard written <= entry.uncompressedSize else {
                throw ZipProblem(kind: .corrupt, reason: "entry \(entry.name) inflates past its declared size of \(entry.uncompressedSize) bytes")
            }
            var offset = 0
            while offset < Int(n) {
                let w = write(fd, buffer + offset, Int(n) - offset)
                guard w > 0 else {
                    throw ZipProblem(kind: .io, reason: "cannot write \(destination): \(String(cString: strerror(errno)))")
                }
                offset += w
            }
        }
        guard written == entry.uncompressedSize else {
            throw ZipProblem(kind: .truncated, reason: "entry \(entry.name) holds \(written) bytes, its header says \(entry.uncompressedSize)")
        }
    }

    /// The first `count` bytes of an entry (fewer when it is shorter), e.g. an `.npy` header.
    public func prefix(of entry: ZipEntry, count: Int) throws(ZipProblem) -> Data {
        guard let file = zip_fopen_index(archive, zip_uint64_t(entry.index), 0) else {
            throw ZipProblem(kind: .corrupt, reason: "cannot open entry \(entry.name): \(String(cString: zip_strerror(archive)))")
        }
        defer { zip_fclose(file) }
        var data = Data(count: Int(min(Int64(count), entry.uncompressedSize)))
        let n = data.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress, zip_uint64_t($0.count)) }
        guard n == data.count else {
            throw ZipProblem(kind: .corrupt, reason: "entry \(entry.name) is damaged: \(String(cString: zip_file_strerror(file)))")
        }
        return data
    }

    /// Reads a (small) entry into memory.
    public func data(of entry: ZipEntry, limit: Int64 = 16 << 20) throws(ZipProblem) -> Data {
        guard entry.uncompressedSize <= limit else {
            throw ZipProblem(kind: .corrupt, reason: "entry \(entry.name) is \(entry.uncompressedSize) bytes, more than the \(limit) expected")
        }
        guard let file = zip_fopen_index(archive, zip_uint64_t(entry.index), 0) else {
            throw ZipProblem(kind: .corrupt, reason: "cannot open entry \(entry.name): \(String(cString: zip_strerror(archive)))")
        }
        defer { zip_fclose(file) }
        var data = Data(count: Int(entry.uncompressedSize))
        let n = data.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress, zip_uint64_t($0.count)) }
        guard n == entry.uncompressedSize else {
            throw ZipProblem(kind: .corrupt, reason: "entry \(entry.name) is damaged: \(String(cString: zip_file_strerror(file)))")
        }
        return data
    }
}

/// Writes a zip archive through libzip. Files are read from disk when `close()` runs.
public final class ZipArchiveWriter {
    public enum Compression: Sendable { case store, deflate(level: UInt32) }

    private var archive: OpaquePointer?
    public let path: String

    public init(path: String) throws(ZipProblem) {
        var code: Int32 = 0
        guard let archive = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code) else {
            var error = zip_error_t()
            zip_error_init_with_code(&error, code)
            defer { zip_error_fini(&error) }
            throw ZipProblem(kind: .io, reason: "cannot create \(path): \(String(cString: zip_error_strerror(&error)))")
        }
        self.archive = archive
        self.path = path
    }

    deinit { if let archive { zip_discard(archive) } }

    public func addFile(at source: String, as name: String, compression: Compression,
                        modificationDate: Date? = nil) throws(ZipProblem) {
        guard let archive else { throw ZipProblem(kind: .io, reason: "archive already closed") }
        guard let zipSource = zip_source_file(archive, source, 0, -1) else {
            throw ZipProblem(kind: .io, reason: "cannot read \(source): \(String(cString: zip_strerror(archive)))")
        }
        let index = zip_file_add(archive, name, zipSource, zip_flags_t(ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE))
        guard index >= 0 else {
            zip_source_free(zipSource)
            throw ZipProblem(kind: .io, reason: "cannot add \(name): \(String(cString: zip_strerror(archive)))")
        }
        let method: Int32
        let level: UInt32
        switch compression {
        case .store: (method, level) = (ZIP_CM_STORE, 0)
        case .deflate(let l): (method, level) = (ZIP_CM_DEFLATE, l)
        }
        guard zip_set_file_compression(archive, zip_uint64_t(index), method, level) == 0 else {
            throw ZipProblem(kind: .io, reason: "cannot set compression of \(name): \(String(cString: zip_strerror(archive)))")
        }
        if let modificationDate {
            zip_file_set_mtime(archive, zip_uint64_t(index), time_t(modificationDate.timeIntervalSince1970), 0)
        }
    }

    /// Compresses and writes everything. libzip itself writes to a temp file and renames it over `path`.
    public func close() throws(ZipProblem) {
        guard let archive else { return }
        guard zip_close(archive) == 0 else {
            let reason = String(cString: zip_strerror(archive))
            zip_discard(archive)
            self.archive = nil
            throw ZipProblem(kind: .io, reason: "cannot write \(path): \(reason)")
        }
        self.archive = nil
    }
}
