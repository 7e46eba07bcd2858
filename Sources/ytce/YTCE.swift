import ArgumentParser
import Foundation
import HTTPKit
import PackKit

@main
struct YTCE: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ytce",
        abstract: "Explore a YouTube channel through a channel pack.",
        version: PackBuilder.version,
        subcommands: [ExploreCommand.self, PackCommand.self, EvalCommand.self, JobsCommand.self, ReplCommand.self, KeysCommand.self],
        defaultSubcommand: ExploreCommand.self
    )
}

struct PackCommand: AsyncParsableCommand {
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

    @Option(name: .customLong("model-dir"), help: "The folder of the pack's embedding model (MiniLM), when it is not found by itself (see README: Models).")
    var modelDirectory: String?

    var cache: PackCache { cacheOptions.cache }

    /// The pack's retriever, with the model folder from --model-dir or the config's embedding.model_dir.
    func retriever(_ pack: ChannelPack, config: PackConfig = PackConfig()) throws -> Retriever {
        do { return try Retriever(pack: pack, cache: cache, modelDirectory: modelDirectory ?? config.embedding.modelDirectory) }
        catch { throw fail(pack: self.pack, error) }
    }

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

/// A failure while using `pack`: its one line, prefixed with the pack unless the error names it already
/// (a `PackError` does: "P: P: pack.sqlite: …" said it twice).
func fail(pack: String, _ error: any Error) -> ExitCode {
    fail(error is PackError ? "\(error)" : "\(pack): \(error)")
}

/// The question's embedding from the embeddings endpoint the config names (nil when it names none), or exit
/// with the endpoint's one-line error.
func questionVector(_ question: String, config: PackConfig) async throws -> [Float]? {
    guard let endpoint = EmbeddingEndpoint.from(config.embedding, environment: ProcessInfo.processInfo.environment) else { return nil }
    let cancellation = HTTPCancellation()
    let interrupt = InterruptFlag(message: "interrupted", onInterrupt: { cancellation.cancel() })
    do { return try await endpoint.embed(question, cancellation: cancellation) } catch {
        if interrupt.isSet { throw fail("interrupted", code: 130) }
        throw fail(error.description)
    }
}
