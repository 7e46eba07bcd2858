import Foundation
@testable import PackKit

/// `.pack` files: the zip directory and members as the cache unpacks them and the picker previews them, and a whole
/// pack opened as `ytce` opens one (unpack, manifest, database, vectors, lexical index).
enum ZipTargets {
    static let zip = FuzzTarget(
        name: "zip",
        summary: "ZipArchiveReader, the cache's entry checks, reading and extracting every member, PackPreview.read",
        maxLength: 16 << 10,
        dictionary: "binary-offsets"
    ) { input in
        let path = ScratchFolder.write(input, as: "archive.pack")
        _ = try? PackPreview.read(path)
        guard let archive = try? ZipArchiveReader(path: path) else { return }
        let cache = PackCache(directory: URL(fileURLWithPath: ScratchFolder.path + "/unused-cache"))
        _ = try? cache.checkedEntries(archive, pack: path)
        let folder = ScratchFolder.emptyFolder("members")
        for entry in archive.entries {
            require(entry.uncompressedSize >= 0 && entry.compressedSize >= 0, "entry \(entry.name) has a negative size")
            if let data = try? archive.data(of: entry, limit: 1 << 20) {
                require(Int64(data.count) == entry.uncompressedSize, "entry \(entry.name) read as \(data.count) bytes, listed as \(entry.uncompressedSize)")
            }
            if let prefix = try? archive.prefix(of: entry, count: 4096) {
                require(prefix.count <= 4096, "a 4096-byte prefix of \(prefix.count) bytes")
            }
            if entry.uncompressedSize <= 1 << 20 {
                try? archive.extract(entry, to: folder + "/\(entry.index)")
            }
        }
    }

    static let pack = FuzzTarget(
        name: "pack",
        summary: "ChannelPack.open of a .pack through a fresh cache, PackInfo, the lexical index (carried or built) and a search",
        maxLength: 64 << 10,
        dictionary: "binary-offsets"
    ) { input in
        let path = ScratchFolder.write(input, as: "fuzz.pack")
        let cache = PackCache(directory: URL(fileURLWithPath: ScratchFolder.emptyFolder("cache")))
        guard let pack = try? ChannelPack.open(path, options: ChannelPack.OpenOptions(cache: cache)) else { return }
        let info = PackInfo(pack)
        _ = info.text()
        _ = info.json()
        if let index = try? LexicalIndexStore.index(for: pack, cache: cache) {
            let hits = index.search(terms: ["coffee", "python", "water", "model"], k: 5)
            require(hits.allSatisfy { $0.row >= 0 && $0.row < pack.counts.chunks }, "a lexical hit outside the pack's chunks")
        }
    }
}
