import ArgumentParser
import Foundation
import PackKit

@main
struct YTCE: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ytce",
        abstract: "Explore a YouTube channel through a channel pack.",
        version: PackBuilder.version,
        subcommands: [PackCommand.self, EvalCommand.self]
    )
}

struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Build and inspect channel packs.",
        subcommands: [PackBuildCommand.self, PackInfoCommand.self, PackSearchCommand.self, PackAskCommand.self]
    )
}

/// The pack a command works on, and where `.pack` files are unpacked.
struct PackOptions: ParsableArguments {
    @Option(help: "A .pack file or an unpacked pack folder.")
    var pack: String

    @OptionGroup var cacheOptions: CacheOptions

    var cache: PackCache { cacheOptions.cache }

    /// Opens the pack or exits with its one-line error.
    func open() throws -> ChannelPack {
        do { return try ChannelPack.open(pack, options: .init(cache: cache)) } catch { throw fail(error.description) }
    }
}

/// Where `.pack` files are unpacked.
struct CacheOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"),
            help: "Where .pack files are unpacked (default: $YTCE_CACHE_DIR, else $XDG_CACHE_HOME/ytce/packs).")
    var cacheDirectory: String?

    var cache: PackCache { PackCache.standard(override: cacheDirectory) }
}

/// The config at `path` (defaults when nil), or exit with its one-line error.
func loadConfig(_ path: String?) throws -> PackConfig {
    guard let path else { return PackConfig() }
    do { return try PackConfig.load(from: URL(fileURLWithPath: path)) } catch { throw fail(error.description) }
}

/// Prints one line on stderr and exits non-zero: users get a message, never a stack trace.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("ytce: \(message)\n".utf8))
    return ExitCode(code)
}
