import ArgumentParser
import Foundation
import PackKit

/// `ytce cache list|prune`: what the pack cache holds (unpacked packs of other builders, derived files, packs
/// fetched from S3) and trimming it.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Show and trim the pack cache (unpacked packs, derived files, packs fetched from S3).",
        subcommands: [CacheListCommand.self, CachePruneCommand.self]
    )
}

/// The cache options every `cache` subcommand takes: the folder and the config that caps it.
struct CacheSelection: ParsableArguments {
    @OptionGroup var cacheOptions: CacheOptions

    @Option(help: "A JSON config; its cache.max_bytes is the cap (else $YTCE_CACHE_MAX_MB, else 4 GiB).")
    var config: String?

    func cache() throws -> PackCache { try cacheOptions.cache(try loadConfig(config)) }
}

struct CacheListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the cache's entries, least recently used first (the first to be evicted)."
    )

    @OptionGroup var selection: CacheSelection

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let cache = try selection.cache()
        let entries = cache.list()
        let total = entries.reduce(Int64(0)) { $0 + $1.bytes }
        if json {
            let items: [JSONValue] = entries.map { entry in
                .object(["name": .string(entry.name), "bytes": .number(Double(entry.bytes)),
                         "last_used": .string(ISO8601DateFormatter().string(from: entry.lastUsed)),
                         "kind": entry.info.map { .string($0.kind.rawValue) } ?? .null,
                         "pack": entry.info.map { .string($0.pack) } ?? .null])
            }
            print(JSONValue.serialize(.object(["directory": .string(cache.directory.path), "bytes": .number(Double(total)),
                                               "max_bytes": .number(Double(cache.maxBytes)), "entries": .array(items)])))
            return
        }
        print("\(cache.directory.path): \(entries.count) entr\(entries.count == 1 ? "y" : "ies"), "
              + "\(ByteCount.text(total)) of \(ByteCount.text(cache.maxBytes)) allowed")
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        for entry in entries {
            let kind = entry.info?.kind.rawValue ?? "?"
            let pack = entry.info?.pack ?? "(no description)"
            print("  \(formatter.string(from: entry.lastUsed))  \(ByteCount.text(entry.bytes).padding(toLength: 9, withPad: " ", startingAt: 0))  "
                  + "\(kind.padding(toLength: 8, withPad: " ", startingAt: 0))  \(pack)  [\(entry.name)]")
        }
    }
}

struct CachePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove least recently used entries until the cache fits its cap (or --to SIZE, or --all).",
        discussion: "Entries in use by a running ytce stay readable to it (an entry is renamed away, then deleted); "
            + "they are made again the next time their pack is opened. Folders of processes that died mid-unpack are removed "
            + "too, and with --all the partial S3 downloads no ytce is writing (otherwise kept, to be resumed)."
    )

    @OptionGroup var selection: CacheSelection

    @Option(help: "Trim to this size instead of the cap: bytes, or with a unit (500M, 2G).")
    var to: String?

    @Flag(help: "Remove every entry.")
    var all = false

    func run() throws {
        let cache = try selection.cache()
        var limit = cache.maxBytes
        if all {
            limit = 0
        } else if let to {
            guard let bytes = ByteCount.parse(to) else { throw fail("--to '\(to)' is not a size (like 500M, 2G or 1048576)") }
            limit = bytes
        }
        cache.removeAbandonedTemporaries()
        // A partial S3 download is kept to be resumed; --all drops those no ytce is writing.
        let partials = all ? cache.removePartialDownloads() : 0
        let removed = cache.prune(toBytes: limit)
        let freed = removed.reduce(Int64(0)) { $0 + $1.bytes }
        for entry in removed {
            print("removed \(entry.info?.pack ?? entry.name) (\(entry.info?.kind.rawValue ?? "?"), \(ByteCount.text(entry.bytes)))")
        }
        let left = cache.list().reduce(Int64(0)) { $0 + $1.bytes }
        if partials > 0 { print("removed \(partials) partial download\(partials == 1 ? "" : "s")") }
        print("freed \(ByteCount.text(freed)); the cache holds \(ByteCount.text(left))")
    }
}

/// Sizes as people write and read them (binary units).
enum ByteCount {
    static func text(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }

    /// `1048576`, `512K`, `500M`, `2G`, `1T` (with or without `B`/`iB`; binary multiples); nil when it is not one.
    static func parse(_ text: String) -> Int64? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count { digits.removeLast(suffix.count); break }
        var shift: Int64 = 0
        if let last = digits.last, let index = ["K", "M", "G", "T"].firstIndex(of: String(last)) {
            shift = Int64(10 * (index + 1))
            digits.removeLast()
        }
        guard let number = Int64(digits.trimmingCharacters(in: .whitespaces)), number >= 0,
              number <= Int64.max >> shift else { return nil }
        return number << shift
    }
}
