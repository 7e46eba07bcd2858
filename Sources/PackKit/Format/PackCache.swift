import Crypto
import Foundation

/// What ytce keeps for the packs it opens, one folder (an entry) each: packs of other builders unpacked (a folder per
/// pack content), files derived from packs (`DerivedFiles`: a lexical index, a chunk table, a bucket index, for
/// packs that do not carry them), and packs fetched from S3 (`RemotePack`). ytce's own packs are read in place and
/// need no entry at all. Entries appear atomically (made beside, then renamed), so two processes making the same
/// entry at once both succeed and neither sees half a folder. Least recently used entries are evicted when the
/// cache grows past `maxBytes` (`YTCE_CACHE_MAX_MB`, config `cache.max_bytes`); `ytce cache list|prune` shows and
/// trims them.
public struct PackCache: Sendable {
    public let directory: URL
    public let maxBytes: Int64
    /// Refuse archives that would unpack to more than this, or whose entries inflate suspiciously (zip bombs).
    public let maxUnpackedBytes: Int64
    /// Space left free on the cache's disk when unpacking, for everything else that writes there.
    public let freeSpaceMargin: Int64

    public static let defaultMaxBytes: Int64 = 4 << 30
    /// Each entry's description (`Entry.Info`): what it holds and for which pack.
    static let infoFile = "ytce-entry.json"
    public static let defaultFreeSpaceMargin: Int64 = 64 << 20

    public init(directory: URL, maxBytes: Int64 = PackCache.defaultMaxBytes, maxUnpackedBytes: Int64 = 32 << 30,
                freeSpaceMargin: Int64 = PackCache.defaultFreeSpaceMargin) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.maxUnpackedBytes = maxUnpackedBytes
        self.freeSpaceMargin = freeSpaceMargin
    }

    /// The cache `AppPaths` names (`$YTCE_CACHE_DIR`, else `$XDG_CACHE_HOME/ytce/packs`, else `~/.cache/ytce/packs`),
    /// or `override`; `YTCE_CACHE_MAX_MB` bounds its size, else `configMaxBytes` (config `cache.max_bytes`), else 4 GiB.
    /// A `YTCE_CACHE_MAX_MB` that is not a size is an error: ignoring it would let the cache grow past what the user set.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment,
                                override: String? = nil, configMaxBytes: Int64? = nil) throws(SizeSettingError) -> PackCache {
        let directory = override.flatMap { $0.isEmpty ? nil : $0 } ?? AppPaths(environment: environment).packCache
        var fromEnvironment: Int64?
        if let text = environment[SizeSettingError.variable], !text.isEmpty {  // empty counts as unset, as in AppPaths
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let mebibytes = Int64(trimmed), (0...SizeSettingError.largestMiB).contains(mebibytes) else {
                throw SizeSettingError(value: text)
            }
            fromEnvironment = mebibytes << 20
        }
        let maxBytes = fromEnvironment ?? configMaxBytes ?? defaultMaxBytes
        return PackCache(directory: URL(fileURLWithPath: directory), maxBytes: maxBytes)
    }

    /// `YTCE_CACHE_MAX_MB` holds something other than a whole number of MiB in range.
    public struct SizeSettingError: Error, CustomStringConvertible, Sendable {
        static let variable = "YTCE_CACHE_MAX_MB"
        /// 2^30 MiB (1 PiB) keeps the byte count far inside Int64.
        static let largestMiB: Int64 = 1 << 30
        public let value: String
        public var description: String {
            "\(Self.variable)=\(value): the cache size must be a whole number of MiB from 0 to \(Self.largestMiB)"
        }
    }

    public struct Entry: Sendable {
        public let root: URL
        public let key: String
        public let extracted: Bool
    }

    /// The cache folder for `packFile`, unpacking it first when it is not there yet. `validate` runs on a fresh
    /// unpack (given its folder and content key) before it is published; when it throws, nothing enters the cache.
    public func materialize(packFile: String,
                            checkDatabase: @Sendable (String) throws(PackError) -> Void = { _ throws(PackError) in },
                            validate: (URL, String) throws(PackError) -> Void) throws(PackError) -> Entry {
        let archive: ZipArchiveReader
        do { archive = try ZipArchiveReader(path: packFile) } catch {
            throw PackError(error.kind == .notAZip ? .notAZip : error.kind == .truncated ? .truncated : .io,
                            pack: packFile, error.reason)
        }
        let entries = try checkedEntries(archive, pack: packFile)
        let key = Self.key(of: entries.map { ($0.name, $0.uncompressedSize, $0.crc32) })
        let root = directory.appendingPathComponent(key, isDirectory: true)
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(PackLayout.manifest).path) {
            touch(root)
            return Entry(root: root, key: key, extracted: false)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw PackError(.io, pack: packFile, "cannot create cache folder \(directory.path): \(error.localizedDescription)")
        }
        removeAbandonedTemporaries()
        let temporary = directory.appendingPathComponent(".tmp-\(key)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try unpack(archive, entries: entries, into: temporary, pack: packFile, checkDatabase: checkDatabase)
            try validate(temporary, key)
            try Info(kind: .unpacked, pack: packFile).write(in: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        if rename(temporary.path, root.path) != 0 {
            // Another process published the same content first: use theirs.
            try? FileManager.default.removeItem(at: temporary)
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent(PackLayout.manifest).path) else {
                throw PackError(.io, pack: packFile, "cannot publish cache entry \(root.path): \(String(cString: strerror(errno)))")
            }
            touch(root)
            return Entry(root: root, key: key, extracted: false)
        }
        evict(keeping: key)
        return Entry(root: root, key: key, extracted: true)
    }

    /// Content key: the names, sizes and CRC-32s of every entry, read from the central directory, so a warm
    /// open never reads the whole file yet any change of content gives a new key.
    static func key(of entries: [(name: String, size: Int64, crc32: UInt32)]) -> String {
        var hasher = SHA256()
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            hasher.update(data: Data("\(entry.name)\u{0}\(entry.size)\u{0}\(entry.crc32)\u{0}".utf8))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(32).description
    }

    /// Rejects entries that could write outside the cache or exhaust the disk.
    func checkedEntries(_ archive: ZipArchiveReader, pack: String) throws(PackError) -> [ZipEntry] {
        var total: Int64 = 0
        for entry in archive.entries {
            let name = entry.name
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            if name.isEmpty || name.hasPrefix("/") || name.contains("\\") || name.contains("\0")
                || parts.contains("..") || parts.contains(".") || (parts.first?.contains(":") ?? false)
                || parts.dropLast().contains("") {
                throw PackError(.unsafeEntry, pack: pack, "zip entry '\(name)' has an unsafe path (absolute, '..', or a drive); refusing to unpack")
            }
            let ratio = entry.compressedSize > 0 ? Double(entry.uncompressedSize) / Double(entry.compressedSize) : 0
            if entry.uncompressedSize > 64 << 20 && ratio > 1000 {
                throw PackError(.tooLarge, pack: pack, "zip entry '\(name)' inflates \(String(format: "%.0f", ratio)):1 to \(entry.uncompressedSize) bytes, which looks like a zip bomb")
            }
            // Compared before adding: sizes come from the archive and a sum near Int64.max would overflow.
            if entry.uncompressedSize > maxUnpackedBytes - total {
                throw PackError(.tooLarge, pack: pack, "the archive unpacks to more than \(maxUnpackedBytes >> 20) MiB, refusing")
            }
            total += entry.uncompressedSize
        }
        for required in [PackLayout.manifest, PackLayout.database] where !archive.entries.contains(where: { $0.name == required }) {
            throw PackError(.missingEntry, pack: pack, "\(required) is missing from the archive")
        }
        return archive.entries
    }

    /// Unpacks on two lanes (largest entries first, each lane with its own libzip handle); the lane that
    /// unpacks the database runs `checkDatabase` on it at once, overlapping with the other lane's copying.
    private func unpack(_ archive: ZipArchiveReader, entries: [ZipEntry], into folder: URL, pack: String,
                        checkDatabase: @Sendable (String) throws(PackError) -> Void) throws(PackError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw PackError(.io, pack: pack, "cannot create \(folder.path): \(error.localizedDescription)")
        }
        // Free space check up front: a half-unpacked pack helps nobody. The pack's files plus a margin, so that
        // unpacking never fills the disk for everything else (the margin is said in the message: without it,
        // "6 MiB needed, 8 MiB free" reads as a contradiction).
        let needed = entries.filter { !PackLayout.notUnpacked.contains($0.name) }.reduce(Int64(0)) { $0 + $1.uncompressedSize }
        if let free = Self.freeBytes(at: directory.path), free < needed + freeSpaceMargin {
            throw PackError(.io, pack: pack, "not enough disk space in \(directory.path) to unpack: the pack's files take "
                            + "\(Self.mebibytes(needed)) and ytce leaves \(Self.mebibytes(freeSpaceMargin)) free besides "
                            + "(\(Self.mebibytes(needed + freeSpaceMargin)) needed), \(Self.mebibytes(free)) free")
        }
        for entry in entries {
            let destination = folder.appendingPathComponent(entry.name)
            let parent = entry.isDirectory ? destination : destination.deletingLastPathComponent()
            do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
                throw PackError(.io, pack: pack, "cannot create \(parent.path): \(error.localizedDescription)")
            }
        }
        let listing = JSONValue.object(["entries": .array(entries.map { .string($0.name) })])
        do {
            try Data(JSONValue.serialize(listing).utf8).write(to: folder.appendingPathComponent(PackLayout.archiveListing))
        } catch {
            throw PackError(.io, pack: pack, "cannot write in \(folder.path): \(error.localizedDescription)")
        }
        var lanes: [[ZipEntry]] = [[], []]
        var load: [Int64] = [0, 0]
        let wanted = entries.filter { !$0.isDirectory && !PackLayout.notUnpacked.contains($0.name) }
        for entry in wanted.sorted(by: { $0.uncompressedSize > $1.uncompressedSize }) {
            let lane = load[0] <= load[1] ? 0 : 1
            lanes[lane].append(entry)
            load[lane] += max(entry.uncompressedSize, 1)
        }
        let failures = FirstError()
        // Each lane reads the file `archive` opened, even if a rebuild has renamed another pack over the path since.
        let sameFile = archive.sameFile
        let work = lanes
        DispatchQueue.concurrentPerform(iterations: work.count) { lane in
            do {
                let reader = try ZipArchiveReader(sameFile)
                for entry in work[lane] {
                    guard !failures.isSet else { return }
                    let destination = folder.appendingPathComponent(entry.name).path
                    try reader.extract(entry, to: destination)
                    if entry.name == PackLayout.database { try checkDatabase(destination) }
                }
            } catch let error as ZipProblem {
                failures.record(PackError(error.kind == .io || error.kind == .changed ? .io : .truncated, pack: pack, error.reason))
            } catch let error as PackError {
                failures.record(error)
            } catch {
                failures.record(PackError(.io, pack: pack, "\(error)"))
            }
        }
        if let error = failures.error { throw error }
    }

    /// Free bytes on the file system holding `path`.
    static func freeBytes(at path: String) -> Int64? {
        let attributes = try? FileManager.default.attributesOfFileSystem(forPath: path)
        return (attributes?[.systemFreeSize] as? NSNumber)?.int64Value
    }

    /// Rounded up to whole MiB, so a small need never reads as "0 MiB".
    static func mebibytes(_ bytes: Int64) -> String { "\((bytes + (1 << 20) - 1) >> 20) MiB" }

    /// Marks an entry as just used (its folder's modification time drives LRU eviction).
    func touch(_ root: URL) {
        utimes(root.path, nil)
    }

    /// Temporary folders left by processes that died mid-unpack.
    public func removeAbandonedTemporaries() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(".tmp-") || name.hasPrefix(".evict-") {
            let parts = name.split(separator: "-")
            if parts.count >= 4, let pid = Int32(parts[parts.count - 2]), kill(pid, 0) == 0 || errno == EPERM { continue }
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// Removes least recently used entries until the cache fits, never the one just made or used (`key`).
    func evict(keeping key: String) {
        _ = prune(toBytes: maxBytes, keeping: [key])
    }

    /// What an entry holds and for which pack, written into it when it is made.
    public struct Info: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// A `.pack` of another builder (or deflated), unpacked.
            case unpacked
            /// Files derived from a pack that does not carry them.
            case derived
            /// A pack fetched from S3.
            case download
        }
        public var kind: Kind
        /// The pack as the user named it (a path, a folder or an `s3://` location).
        public var pack: String

        public init(kind: Kind, pack: String) {
            self.kind = kind
            self.pack = pack
        }

        func write(in folder: URL) throws(PackError) {
            let text = JSONValue.serialize(.object(["kind": .string(kind.rawValue), "pack": .string(pack)]))
            do { try AtomicFile.write(Array(text.utf8), to: folder.appendingPathComponent(PackCache.infoFile).path) } catch {
                throw PackError(.io, pack: pack, "cannot write in the cache folder \(folder.path): \(error)")
            }
        }

        static func read(in folder: URL) -> Info? {
            guard let data = try? InputFile.read(folder.appendingPathComponent(PackCache.infoFile).path, limit: 1 << 16),
                  let value = try? JSONValue.parse(data), let kind = value["kind"]?.stringValue.flatMap(Kind.init(rawValue:)),
                  let pack = value["pack"]?.stringValue else { return nil }
            return Info(kind: kind, pack: pack)
        }
    }

    /// One entry of the cache as `ytce cache list` shows it.
    public struct Listing: Sendable, Equatable {
        public var name: String
        public var bytes: Int64
        public var lastUsed: Date
        /// Nil for a folder whose description is missing (made by an older ytce).
        public var info: Info?
    }

    /// Every entry, least recently used first.
    public func list() -> [Listing] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return [] }
        var out: [Listing] = []
        for name in names where !name.hasPrefix(".") {
            let url = directory.appendingPathComponent(name)
            let used = (try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .distantPast
            out.append(Listing(name: name, bytes: Self.size(of: url), lastUsed: used, info: Info.read(in: url)))
        }
        return out.sorted { $0.lastUsed != $1.lastUsed ? $0.lastUsed < $1.lastUsed : $0.name < $1.name }
    }

    /// Removes least recently used entries until the cache holds at most `limit` bytes (0: every entry), except
    /// those named in `keeping`. An entry is renamed away before it is deleted, so a reader never sees it half
    /// deleted, and a process that has its files open or mapped keeps reading them (they live until closed).
    /// Returns the entries removed.
    @discardableResult
    public func prune(toBytes limit: Int64, keeping: Set<String> = []) -> [Listing] {
        let entries = list()
        var total = entries.reduce(Int64(0)) { $0 + $1.bytes }
        var removed: [Listing] = []
        for entry in entries where total > limit && !keeping.contains(entry.name) {
            let doomed = directory.appendingPathComponent(".evict-\(entry.name)-\(getpid())-x")
            if rename(directory.appendingPathComponent(entry.name).path, doomed.path) == 0 {
                try? FileManager.default.removeItem(at: doomed)
                total -= entry.bytes
                removed.append(entry)
            }
        }
        return removed
    }

    static func size(of folder: URL) -> Int64 {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var total: Int64 = 0
        for case let url as URL in walker {
            total += Int64((try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
        return total
    }
}

/// The first error raised by any lane of a parallel loop.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var first: PackError?
    func record(_ error: PackError) { lock.lock(); if first == nil { first = error }; lock.unlock() }
    var error: PackError? { lock.lock(); defer { lock.unlock() }; return first }
    var isSet: Bool { error != nil }
}
