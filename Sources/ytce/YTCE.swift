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

/// Options shared by every command that opens a pack.
struct CacheOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"),
            help: "Where .pack files are unpacked (default: $YTCE_CACHE_DIR, else $XDG_CACHE_HOME/ytce/packs).")
    var cacheDirectory: String?

    var cache: PackCache { PackCache.standard(override: cacheDirectory) }
}

/// Prints one line on stderr and exits non-zero: users get a message, never a stack trace.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("ytce: \(message)\n".utf8))
    return ExitCode(code)
}
