import ArgumentParser
import Foundation
import PackKit

/// `ytce pack compact IN --out OUT`: the pack rewritten deflated (to ship) or stored (`--stored`, to read in place).
struct PackCompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Rewrite a pack deflated, to share it (or --stored: back to the layout ytce reads in place).",
        discussion: PackBuildCommand.compressionFigures
    )

    @Argument(help: "The .pack to rewrite.")
    var pack: String

    @Option(help: "Where to write it (default: over the input, atomically).")
    var out: String?

    @Flag(help: "Write members stored and page-aligned instead: opened in place with no copy in the cache.")
    var stored = false

    @OptionGroup var cacheOptions: CacheOptions

    func run() throws {
        let result: PackCompactor.Result
        let cache = try cacheOptions.cache()
        do {
            result = try PackCompactor.compact(pack, to: out ?? pack, compression: stored ? .fast : .small, cache: cache)
        } catch { throw fail(error.description) }
        print("\(out ?? pack): \(ByteCount.text(result.bytesAfter)) (was \(ByteCount.text(result.bytesBefore)), "
              + String(format: "%.0f%%", 100 * Double(result.bytesAfter) / Double(max(result.bytesBefore, 1)))
              + String(format: ") in %.1f s", result.seconds))
    }
}
