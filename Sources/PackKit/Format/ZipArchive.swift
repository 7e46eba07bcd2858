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
    public enum Kind: Sendable { case notAZip, truncated, corrupt, io }
    public let kind: Kind
    public let reason: String
    public var description: String { reason }
}

/// A zip archive opened for reading through libzip.
public final class ZipArchiveReader {
    private let archive: OpaquePointer
    public let entries: [ZipEntry]
    public let path: String

    public init(path: String) throws(ZipProblem) {
        var code: Int32 = 0
        guard let archive = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code) else {
            throw Self.openProblem(code: code, path: path)
        }
        self.archive = archive
        self.path = path
        let count = zip_get_num_entries(archive, 0)
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(max(0, count)))
        for i in 0..<max(0, count) {
            var st = zip_stat_t()
            zip_stat_init(&st)
            guard zip_stat_index(archive, zip_uint64_t(i), 0, &st) == 0, let namePointer = st.name else {
                zip_discard(archive)
                throw ZipProblem(kind: .corrupt, reason: "entry \(i) of the central directory is unreadable")
            }
            entries.append(ZipEntry(
                index: Int(i),
                name: String(cString: namePointer),
                uncompressedSize: Int64(st.size),
                compressedSize: Int64(st.comp_size),
                crc32: st.crc
            ))
        }
        self.entries = entries
    }

    deinit { zip_discard(archive) }

    private static func openProblem(code: Int32, path: String) -> ZipProblem {
        var error = zip_error_t()
        zip_error_init_with_code(&error, code)
        defer { zip_error_fini(&error) }
        let text = String(cString: zip_error_strerror(&error))
        switch code {
        case ZIP_ER_NOZIP:
            // A truncated archive loses its end record and looks like no zip at all; the local header tells them apart.
            if let handle = FileHandle(forReadingAtPath: path),
               let head = try? handle.read(upToCount: 4), head == Data([0x50, 0x4B, 0x03, 0x04]) {
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
