import ArgumentParser
import Foundation
import PackKit

@main
struct YTCE: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ytce",
        abstract: "Explore a YouTube channel through a channel pack.",
        version: PackBuilder.version,
        subcommands: [ExploreCommand.self, PackCommand.self, CacheCommand.self, EvalCommand.self, JobsCommand.self, SessionsCommand.self,
                      ReplCommand.self, KeysCommand.self],
        defaultSubcommand: ExploreCommand.self
    )
}

struct PackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Build and inspect channel packs.",
        subcommands: [PackBuildCommand.self, PackInfoCommand.self, PackSearchCommand.self, PackAskCommand.self, PackTimelineCommand.self,
                      PackCompactCommand.self, PackPushCommand.self, PackPullCommand.self]
    )
}

/// The pack a command works on, and where `.pack` files are unpacked.
struct PackOptions: ParsableArguments {
    @Option(name: .customLong("pack"), help: "A .pack file, an unpacked pack folder, or s3://bucket/key.pack (fetched into the cache); search and ask take several to compare: --pack A --pack B.")
    var packs: [String] = []

    /// The pack (the first, for a command that compares several).
    var pack: String { packs.first ?? "" }

    func validate() throws {
        guard !packs.isEmpty else { throw ValidationError("Missing expected argument '--pack <pack>'") }
    }

    @OptionGroup var cacheOptions: CacheOptions

    @Option(name: .customLong("model-dir"), help: "The folder of the pack's embedding model (MiniLM), when it is not found by itself (see README: Models).")
    var modelDirectory: String?

    /// The pack cache, capped by the config's `cache.max_bytes` unless `YTCE_CACHE_MAX_MB` says otherwise.
    func cache(_ config: PackConfig = PackConfig()) throws -> PackCache { try cacheOptions.cache(config) }

    /// The pack's retriever, with the model folder from --model-dir or the config's embedding.model_dir.
    func retriever(_ pack: ChannelPack, config: PackConfig = PackConfig()) throws -> Retriever {
        let cache = try cache(config)
        do { return try Retriever(pack: pack, cache: cache, modelDirectory: modelDirectory ?? config.embedding.modelDirectory) }
        catch { throw fail(pack: self.pack, error) }
    }

    /// The pack opened (as `open(config:)`) with everything that answers over it (`config`'s model and embeddings
    /// endpoint), or exit with the one-line error.
    func engine(config: PackConfig, configName: String?) async throws -> AskEngine {
        let opened = try await open(config: config)
        let cache = try cache(config)
        do {
            return try AskEngine(pack: opened, packPath: pack, cache: cache, config: config, environment: ProcessInfo.processInfo.environment,
                                 modelDirectory: modelDirectory, configName: configName ?? "config")
        } catch let problem as PackConfig.Problem { throw fail(problem.description) } catch { throw fail(pack: pack, error) }
    }

    /// Opens the pack (an `s3://` one from the cache, fetched first when it changed) or exits with its one-line error.
    func open(config: PackConfig = PackConfig()) async throws -> ChannelPack {
        guard packs.count == 1 else { throw fail("this command reads one pack: give --pack once (search and ask compare several)") }
        let cache = try cache(config)
        let path = try await localPack(pack, cache: cache)
        do { return try ChannelPack.open(path, options: .init(cache: cache)) } catch { throw fail(error.description) }
    }
}

/// Where `.pack` files are unpacked.
struct CacheOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"),
            help: "Where .pack files are unpacked (default: $YTCE_CACHE_DIR, else $XDG_CACHE_HOME/ytce/packs).")
    var cacheDirectory: String?

    /// The cache, its size cap from `YTCE_CACHE_MAX_MB`, else the config's `cache.max_bytes`, else 4 GiB.
    func cache(_ config: PackConfig = PackConfig()) throws -> PackCache {
        do { return try PackCache.standard(override: cacheDirectory, configMaxBytes: config.cacheMaxBytes) }
        catch { throw fail(error.description) }
    }
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

