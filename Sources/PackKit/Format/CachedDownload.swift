import Crypto
import Foundation

/// Packs fetched from elsewhere (S3) kept in the pack cache: one entry per source (`s3-KEY`, holding `pack.pack`,
/// `remote.json` with the version's ETag and size, and the entry's description), so an unchanged pack is opened
/// from the cache and a changed one replaces its old copy.
///
/// A download is written into a hidden partial folder (`.part-s3-KEY`) that remembers which version it holds,
/// so a killed download resumes where it stopped, and only a complete, checked copy is published, by renaming the
/// folder into place: an entry is never half written. One process downloads a source at a time (a lock in the
/// partial folder); the others wait and then find it published.
extension PackCache {
    /// A complete copy of a remote pack in the cache.
    public struct CachedCopy: Sendable, Equatable {
        /// The `.pack` file, read in place like any other.
        public let path: String
        /// The version it is (S3's ETag, without quotes).
        public let etag: String
        public let size: Int64
    }

    static let downloadFile = "pack.pack"
    static let remoteFile = "remote.json"

    /// The entry's folder name for `source` (an `s3://` location as the user wrote it).
    static func downloadName(_ source: String) -> String {
        "s3-" + SHA256.hash(data: Data(source.utf8)).map { String(format: "%02x", $0) }.joined().prefix(32)
    }

    /// The copy of `source` in the cache, when there is a complete one (any version).
    public func cachedCopy(of source: String) -> CachedCopy? {
        let folder = directory.appendingPathComponent(Self.downloadName(source))
        guard let version = RemoteVersion.read(in: folder) else { return nil }
        let path = folder.appendingPathComponent(Self.downloadFile).path
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value,
              size == version.size else { return nil }
        return CachedCopy(path: path, etag: version.etag, size: size)
    }

    /// Marks the copy as just used, so LRU eviction takes others first.
    public func touch(_ copy: CachedCopy) {
        touch(URL(fileURLWithPath: copy.path).deletingLastPathComponent())
    }

    /// Starts (or resumes) downloading version `etag` (`size` bytes) of `source`: the partial file to append to.
    /// Waits while another process downloads the same source; returns nil when that process published this very
    /// version meanwhile (use `cachedCopy(of:)`).
    public func beginDownload(of source: String, etag: String, size: Int64) throws(PackError) -> PartialDownload? {
        guard size >= 0 else { throw PackError(.io, pack: source, "the remote pack's size \(size) is negative") }
        let name = Self.downloadName(source)
        let folder = directory.appendingPathComponent(".part-" + name)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw PackError(.io, pack: source, "cannot create the download folder \(folder.path): \(error.localizedDescription)")
        }
        let file = folder.appendingPathComponent(Self.downloadFile).path
        let lock: PackFileLock
        // The lock lives beside the partial folder (which moves when published).
        do { lock = try PackFileLock(packPath: folder.path) } catch { throw PackError(.io, pack: source, error.description) }
        if let copy = cachedCopy(of: source), copy.etag == etag, copy.size == size { return nil }
        // Resume only the same version; anything else starts over.
        var have: Int64 = 0
        if RemoteVersion.read(in: folder) == RemoteVersion(etag: etag, size: size),
           let existing = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value,
           existing <= size {
            have = existing
        } else {
            try? FileManager.default.removeItem(atPath: file)
            try RemoteVersion(etag: etag, size: size).write(in: folder, source: source)
        }
        if let free = Self.freeBytes(at: directory.path), free < size - have + freeSpaceMargin {
            throw PackError(.io, pack: source, "not enough disk space in \(directory.path) to download the pack: "
                            + "\(Self.mebibytes(size - have)) still to fetch and ytce leaves \(Self.mebibytes(freeSpaceMargin)) free "
                            + "besides, \(Self.mebibytes(free)) free")
        }
        let fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PackError(.io, pack: source, "cannot write \(file): \(String(cString: strerror(errno)))")
        }
        // Whatever a killed process wrote past its last whole range is dropped by starting at `have`.
        guard ftruncate(fd, off_t(have)) == 0, lseek(fd, off_t(have), SEEK_SET) == off_t(have) else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw PackError(.io, pack: source, "cannot write \(file): \(reason)")
        }
        return PartialDownload(cache: self, source: source, name: name, folder: folder, descriptor: fd, lock: lock,
                               etag: etag, size: size, written: have)
    }

    /// Removes partial downloads no process is working on (they would otherwise be resumed later).
    @discardableResult
    public func removePartialDownloads() -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".part-") && !name.hasSuffix(".lock") {
            let folder = directory.appendingPathComponent(name)
            // A downloader holds a lock file beside the folder (removed when it lets go): try it without waiting.
            let fd = open(PackFileLock.lockPath(for: folder.path), O_RDWR | O_CLOEXEC)
            if fd >= 0 {
                defer { close(fd) }
                guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            }
            if (try? FileManager.default.removeItem(at: folder)) != nil { removed += 1 }
        }
        return removed
    }
}

/// Which version of a remote pack a cache folder holds (`remote.json`).
struct RemoteVersion: Equatable {
    var etag: String
    var size: Int64

    static func read(in folder: URL) -> RemoteVersion? {
        guard let data = try? InputFile.read(folder.appendingPathComponent(PackCache.remoteFile).path, limit: 1 << 16),
              let value = try? JSONValue.parse(data), let etag = value["etag"]?.stringValue,
              let size = value["size"]?.doubleValue, size >= 0, size < 9e15 else { return nil }
        return RemoteVersion(etag: etag, size: Int64(size))
    }

    func write(in folder: URL, source: String) throws(PackError) {
        let text = JSONValue.serialize(.object(["etag": .string(etag), "size": .number(Double(size)), "source": .string(source)]))
        do { try AtomicFile.write(Array(text.utf8), to: folder.appendingPathComponent(PackCache.remoteFile).path) } catch {
            throw PackError(.io, pack: source, "cannot write in the cache folder \(folder.path): \(error)")
        }
    }
}

/// A download under way into the cache (see `PackCache.beginDownload`): append the bytes in order, then `publish`.
public final class PartialDownload: @unchecked Sendable {
    public let source: String
    public let etag: String
    public let size: Int64
    /// Bytes already in the partial file (a resumed download starts past zero).
    public private(set) var written: Int64
    private let cache: PackCache
    private let name: String
    private let folder: URL
    private var descriptor: Int32
    private let lock: PackFileLock

    init(cache: PackCache, source: String, name: String, folder: URL, descriptor: Int32, lock: PackFileLock,
         etag: String, size: Int64, written: Int64) {
        self.cache = cache
        self.source = source
        self.name = name
        self.folder = folder
        self.descriptor = descriptor
        self.lock = lock
        self.etag = etag
        self.size = size
        self.written = written
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        lock.release()
    }

    /// Appends the next bytes of the pack.
    public func append(_ bytes: [UInt8]) throws(PackError) {
        guard Int64(bytes.count) <= size - written else {
            throw PackError(.io, pack: source, "the download is longer than the \(size) bytes S3 announced")
        }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { raw in write(descriptor, raw.baseAddress! + offset, bytes.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw PackError(.io, pack: source, "cannot write the download into \(folder.path): \(String(cString: strerror(errno)))")
            }
            offset += count
        }
        written += Int64(bytes.count)
    }

    /// Checks the copy is whole, then puts it in place of any older copy of the source; returns it.
    public func publish() throws(PackError) -> PackCache.CachedCopy {
        guard written == size else {
            throw PackError(.truncated, pack: source, "the download stopped at \(written) of \(size) bytes")
        }
        guard fsync(descriptor) == 0 else {
            throw PackError(.io, pack: source, "cannot write the download into \(folder.path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        descriptor = -1
        try PackCache.Info(kind: .download, pack: source).write(in: folder)
        let entry = cache.directory.appendingPathComponent(name)
        let old = cache.directory.appendingPathComponent(".evict-\(name)-\(getpid())-x")
        // The old version steps aside first (a process reading it keeps its open file), then the new one moves in.
        if rename(entry.path, old.path) == 0 { try? FileManager.default.removeItem(at: old) }
        guard rename(folder.path, entry.path) == 0 else {
            throw PackError(.io, pack: source, "cannot publish the download as \(entry.path): \(String(cString: strerror(errno)))")
        }
        lock.release()
        cache.evict(keeping: name)
        return PackCache.CachedCopy(path: entry.appendingPathComponent(PackCache.downloadFile).path, etag: etag, size: size)
    }
}
