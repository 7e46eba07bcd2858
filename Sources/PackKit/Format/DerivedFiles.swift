import Crypto
import Foundation

/// Files ytce derives from a pack and keeps for the next time (a lexical index for packs that lack one, the
/// column-major copy of a large chunk matrix): beside a `.pack`'s cache entry, or for an unpacked folder in a
/// cache folder keyed by the folder's path and its database's size and time, so LRU eviction bounds them too.
enum DerivedFiles {
    static func location(of fileName: String, for pack: ChannelPack, cache: PackCache) throws -> URL {
        if pack.wasUnpackedByCache {
            return pack.root.appendingPathComponent("ytce-derived").appendingPathComponent(fileName)
        }
        let database = pack.root.appendingPathComponent(PackLayout.database)
        let attributes = try FileManager.default.attributesOfItem(atPath: database.path)
        let stamp = "\(pack.root.standardizedFileURL.path)\u{0}\((attributes[.size] as? NSNumber)?.int64Value ?? 0)\u{0}\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        let key = SHA256.hash(data: Data(stamp.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return cache.directory.appendingPathComponent("derived-\(key)").appendingPathComponent(fileName)
    }

    /// The derived file `fileName` of `pack`, made by `make` (given a path to write) when missing or unusable.
    static func obtain<T>(_ fileName: String, for pack: ChannelPack, cache: PackCache,
                          open: (String) throws -> T, make: (String) throws -> Void) throws -> T {
        let path = try location(of: fileName, for: pack, cache: cache)
        if FileManager.default.fileExists(atPath: path.path), let existing = try? open(path.path) { return existing }
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try make(path.path)
        return try open(path.path)
    }
}
