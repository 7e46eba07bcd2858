import Foundation

/// Where an opened pack's files are read from: a folder the user named, a `.pack` unpacked into the cache, or the
/// stored members of a `.pack` read in place.
public enum PackFiles: Sendable {
    case folder(URL)
    case cacheEntry(URL, key: String)
    case archive(PackArchive)

    /// The content key of a `.pack` (its members' names, sizes and CRC-32s); nil for a folder the user named.
    public var contentKey: String? {
        switch self {
        case .folder: nil
        case .cacheEntry(_, let key): key
        case .archive(let archive): archive.contentKey
        }
    }

    /// The folder holding the files, when they are in one.
    public var folder: URL? {
        switch self {
        case .folder(let url), .cacheEntry(let url, _): url
        case .archive: nil
        }
    }

    public var isReadInPlace: Bool {
        if case .archive = self { true } else { false }
    }

    /// Where the files are, in words: the folder, or "in place in PACK".
    public var location: String {
        switch self {
        case .folder(let url), .cacheEntry(let url, _): url.path
        case .archive(let archive): "read in place from \(archive.path)"
        }
    }

    /// Whether the pack holds `name` (for a cache entry: unpacked, or listed as left in the archive).
    public func contains(_ name: String) -> Bool {
        switch self {
        case .folder(let url), .cacheEntry(let url, _): PackLayout.contains(name, root: url)
        case .archive(let archive): archive.member(name) != nil
        }
    }

    /// The bytes of the file `name`, nil when the pack has no such file.
    func region(_ name: String) throws(InputFile.Problem) -> FileRegion? {
        switch self {
        case .folder(let url), .cacheEntry(let url, _):
            do { return try FileRegion.file(atPath: url.appendingPathComponent(name).path) } catch where error.isMissing { return nil }
        case .archive(let archive):
            return archive.region(name)
        }
    }

    /// The whole file `name` in memory (at most `limit` bytes), nil when the pack has no such file.
    func data(_ name: String, limit: Int = 16 << 20) throws(InputFile.Problem) -> Data? {
        try region(name)?.read(limit: limit)
    }
}
