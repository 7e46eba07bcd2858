import ArgumentParser
import ChannelExplorer
import Foundation
import JobKit
import PackKit
import TUI

/// What the TUI and the REPL are started with.
struct ExplorerOptions: ParsableArguments {
    @Option(help: "A JSON config (llm block: the answer backend; jobs block: the RunPod endpoint).")
    var config: String?

    @Option(name: .customLong("store"), help: "The job store (default: $YTCE_DATA_DIR/jobs.sqlite, else ~/.local/share/ytce/jobs.sqlite).")
    var storePath: String?

    @OptionGroup var cacheOptions: CacheOptions

    func context(packs: [String]) throws -> ExplorerContext {
        let environment = ProcessInfo.processInfo.environment
        let loaded = try loadConfig(config)
        var jobs: JobsService?
        var problem: String?
        do { jobs = try JobsService(config: loaded, environment: environment, storePath: storePath) } catch { problem = "job store: \(error)" }
        // The picker lists the S3 packs fetched before too (their copies in the cache, as last revalidated).
        let cache = try cacheOptions.cache(loaded)
        let fetched = cache.list().compactMap { entry in
            entry.info?.kind == .download ? entry.info.flatMap { cache.cachedCopy(of: $0.pack)?.path } : nil
        }
        return ExplorerContext(cache: cache, config: loaded, environment: environment, jobs: jobs, jobsProblem: problem,
                               packPaths: packs + fetched.filter { !packs.contains($0) }, packDirectories: Self.packDirectories(environment))
    }

    /// The bundled samples (found beside the executable's checkout or the current directory) and the data dir's packs/.
    static func packDirectories(_ environment: [String: String]) -> [String] {
        var dirs: [String] = []
        var starts = [FileManager.default.currentDirectoryPath]
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        starts.append(executable)
        for start in starts {
            var url = URL(fileURLWithPath: start)
            for _ in 0..<6 {
                let candidate = url.appendingPathComponent("sample-packs").path
                if FileManager.default.fileExists(atPath: candidate), !dirs.contains(candidate) { dirs.append(candidate); break }
                url.deleteLastPathComponent()
            }
        }
        dirs.append(AppPaths(environment: environment).packs)
        return dirs
    }
}

/// `ytce` with no subcommand: the terminal UI (`ytce PATH.pack` opens that pack).
struct ExploreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "The terminal UI: pick a pack, ask questions, browse citations and transcripts, run summary jobs."
    )

    @Argument(help: "Packs to list first (files, folders or s3://bucket/key.pack); the first one opens at once.")
    var packs: [String] = []

    @Option(help: "Theme: default, light, high-contrast, mono, a user theme in ~/.config/ytce/themes, or a JSON file.")
    var theme: String?

    @Option(help: "Colours: auto, 256, 16, none (NO_COLOR also turns them off).")
    var color: RuntimeOptions.ColorChoice = .auto

    @Flag(name: .customLong("no-mouse"), help: "Do not ask the terminal for mouse events.")
    var noMouse = false

    @OptionGroup var options: ExplorerOptions

    func run() async throws {
        // s3:// packs are fetched into the cache (with a progress bar) before the screen takes over the terminal.
        var packs: [String] = []
        for pack in self.packs { packs.append(try await localPack(pack, cache: try options.cacheOptions.cache(try loadConfig(options.config)))) }
        let context = try options.context(packs: packs)
        let environment = context.environment
        // Dumb terminals and pipes get the line REPL on the same engine.
        if !CursesBackend.canRunFullScreen(environment: environment) {
            let repl = LineREPL(context: context, write: { FileHandle.standardOutput.write(Data($0.utf8)) })
            if let first = packs.first, !repl.open(first) { throw ExitCode(1) }
            await repl.run(prompt: isatty(0) != 0)
            return
        }
        let loader = ExplorerTheme.loader(paths: context.paths)
        let themeName = theme ?? context.config.uiTheme ?? "default"
        let (chosen, themeError) = loader.loadOrDefault(themeName)
        var model = ExplorerModel(theme: chosen)
        let program = ChannelExplorer(context: context)
        let themeNote: [Effect<ExplorerMsg>] = themeError.map { [.send(.failure("\($0) (using default)"))] } ?? []
        let effects = program.start(&model) + themeNote
        let runtimeOptions = RuntimeOptions(colorMode: color, mouse: !noMouse, tracePath: environment["YTCE_TUI_TRACE"])
        let initial = model
        // The UI loop blocks its thread; it gets its own so the effects keep the cooperative pool.
        let outcome: Result<Void, any Error> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do {
                    _ = try runProgram(program, model: initial, options: runtimeOptions, initialEffects: effects)
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        if case .failure(let error) = outcome { throw fail("\(error)") }
    }
}

/// `ytce repl --pack P` (or `ytce repl P`): questions in, cited answers out, for pipes and dumb terminals.
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "A line-mode REPL on the same engine: questions in, cited answers out (:open, :jobs, :help, :quit)."
    )

    @Option(help: "The pack to open.")
    var pack: String?

    /// `ytce repl X.pack`, as `ytce X.pack` opens the terminal UI on it.
    @Argument(help: ArgumentHelp("The pack to open (the same as --pack).", valueName: "pack"))
    var packPath: String?

    @OptionGroup var options: ExplorerOptions

    func validate() throws {
        if pack != nil && packPath != nil { throw ValidationError("give the pack once: as --pack or as the argument") }
    }

    func run() async throws {
        var pack = self.pack ?? packPath
        if let remote = pack { pack = try await localPack(remote, cache: try options.cacheOptions.cache(try loadConfig(options.config))) }
        let context = try options.context(packs: pack.map { [$0] } ?? [])
        let repl = LineREPL(context: context, write: { FileHandle.standardOutput.write(Data($0.utf8)) })
        if let pack, !repl.open(pack) { throw ExitCode(1) }
        await repl.run(prompt: isatty(0) != 0)
    }
}

extension RuntimeOptions.ColorChoice: ExpressibleByArgument {}
