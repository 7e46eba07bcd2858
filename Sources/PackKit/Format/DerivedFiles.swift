import Crypto
import Foundation

/// Files ytce derives from a pack that does not carry them and keeps for the next time (a lexical index, a chunk
/// table, a bucket index): in a cache entry of their own, `derived-KEY`, where KEY is a `.pack`'s content key
/// (whether it is read in place or unpacked) or, for an unpacked folder, a key of the folder's path and its
/// database's size and time. LRU eviction bounds them like every other entry. ytce's own packs carry all of them.
enum DerivedFiles {
    static func folderName(for pack: ChannelPack) throws -> String {
        if let key = pack.files.contentKey { return "derived-\(key)" }
        let root = pack.root ?? URL(fileURLWithPath: pack.source)
        let database = root.appendingPathComponent(PackLayout.database)
        let attributes = try FileManager.default.attributesOfItem(atPath: database.path)
        let stamp = "\(root.standardizedFileURL.path)\u{0}\((attributes[.size] as? NSNumber)?.int64Value ?? 0)\u{0}\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        let key = SHA256.hash(data: Data(stamp.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return "derived-\(key)"
    }

    static func location(of fileName: String, for pack: ChannelPack, cache: PackCache) throws -> URL {
        cache.directory.appendingPathComponent(try folderName(for: pack)).appendingPathComponent(fileName)
    }

    /// The derived file `fileName` of `pack`, made by `make` (given a path to write, which it fills atomically)
    /// when missing or unusable.
    static func obtain<T>(_ fileName: String, for pack: ChannelPack, cache: PackCache,
                          open: (String) throws -> T, make: (String) throws -> Void) throws -> T {
        let path = try location(of: fileName, for: pack, cache: cache)
        let folder = path.deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: path.path), let existing = try? open(path.path) {
            cache.touch(folder)
            return existing
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if PackCache.Info.read(in: folder) == nil { try PackCache.Info(kind: .derived, pack: pack.source).write(in: folder) }
        try make(path.path)
        cache.touch(folder)
        cache.evict(keeping: folder.lastPathComponent)
        return try open(path.path)
    }
}
