import Foundation

/// A `.pack` file opened for reading in place: its central directory, and its stored members as byte ranges of the
/// one open file (mapped for vectors and indexes, served to SQLite by `RegionVFS`). ytce writes its packs with
/// every member stored and starting on a page boundary (`ZipAssembler`), so they open with no copy; other packs
/// (the reference's, deflated ones) are unpacked into the cache.
public final class PackArchive: @unchecked Sendable {
    // Immutable after init.
    public let path: String
    let file: OpenFile
    let directory: ZipDirectory
    /// Names, sizes and CRC-32s of every member: what `PackCache` names a pack's entries and derived files by.
    public let contentKey: String

    public init(path: String) throws(PackError) {
        self.path = path
        do { file = try OpenFile(path: path) } catch {
            throw PackError(error.isMissing ? .notFound : .io, pack: path, error.isMissing ? "no such file or folder" : "cannot read: \(error.reason)")
        }
        do { directory = try ZipDirectory.read(file) } catch {
            throw PackError(error.kind == .notAZip ? .notAZip : error.kind == .io ? .io : .truncated,
                            pack: path, error.reason)
        }
        var seen = Set<String>()
        for member in directory.members where !seen.insert(member.name).inserted {
            throw PackError(.unsafeEntry, pack: path, "zip entry '\(member.name)' appears twice")
        }
        contentKey = PackCache.key(of: directory.members.map { ($0.name, $0.uncompressedSize, $0.crc32) })
    }

    public var memberNames: [String] { directory.members.map(\.name) }

    func member(_ name: String) -> ZipDirectory.Member? { directory.members.first { $0.name == name } }

    /// Whether ytce reads this pack where it lies: the manifest and the database are there, and every member ytce
    /// reads is stored and starts on a page boundary (as ytce writes them).
    public var isReadableInPlace: Bool {
        guard member(PackLayout.manifest) != nil, member(PackLayout.database) != nil else { return false }
        return directory.members.allSatisfy { member in
            PackLayout.notUnpacked.contains(member.name) || member.name.hasSuffix("/")
                || (member.isStored && member.dataOffset % Int64(PackLayout.memberAlignment) == 0)
        }
    }

    /// The bytes of a stored member, nil when the pack has no such member.
    func region(_ name: String) -> FileRegion? {
        guard let member = member(name), member.isStored else { return nil }
        return FileRegion(file: file, offset: member.dataOffset, length: member.uncompressedSize, name: "\(path):\(name)")
    }
}
