import Foundation
import PackKit
import TUI

/// The app's own background work (packs, themes, the answerer): each runs off the UI loop and reports back with a
/// message, so `update` never touches a file.
enum AppEffects {
    typealias Fx = Effect<ExplorerMsg>

    /// Opens a pack (unpacking it into the cache on first use) and its retriever. With `orElse`, `path` is what was
    /// typed in the picker: opened when a file of that name exists, else `orElse` is.
    static func openPack(_ path: String, orElse: String?, _ context: ExplorerContext) -> Fx {
        .task("open") { sink in
            var chosen = path
            if let orElse, !FileManager.default.fileExists(atPath: (path as NSString).expandingTildeInPath) { chosen = orElse }
            let expanded = (chosen as NSString).expandingTildeInPath
            do {
                let session = try PackSession(path: expanded, cache: context.cache, config: context.config, environment: context.environment,
                                              conversations: context.paths.conversations, briefs: context.paths.briefs)
                guard !Task.isCancelled else { return }
                RecentPacks.remember(expanded, context.paths)
                sink.send(.packOpened(path: expanded, .success(session)))
            } catch {
                sink.send(.packOpened(path: expanded, .failure(ExplorerError(error))))
            }
        }
    }

    /// Loads a theme file (by name or path).
    static func loadTheme(_ name: String, keeping current: String, _ paths: AppPaths) -> Fx {
        .task("theme") { sink in
            do throws(ThemeError) { sink.send(.themeLoaded(.success(try ExplorerTheme.loader(paths: paths).load(name)), keeping: current)) }
            catch { sink.send(.themeLoaded(.failure(error), keeping: current)) }
        }
    }

    /// Says which themes there are.
    static func listThemes(_ paths: AppPaths) -> Fx {
        .task("theme") { sink in
            sink.send(.failure("theme NAME: one of " + ExplorerTheme.loader(paths: paths).availableThemes().joined(separator: ", ")))
        }
    }

    /// Switches the session between the configured model and the offline answerer.
    static func useModel(_ on: Bool, _ session: PackSession) -> Fx {
        .task("backend") { sink in
            guard session.useModel(on) else {
                sink.send(.failure("no model configured: add an llm block to --config (see README: Models)"))
                return
            }
            sink.send(.backendChanged(label: session.backendLabel, note: "answers: \(session.backendLabel)"))
        }
    }

    /// One question asked of several packs at once (`PackComparison`, with the explorer's config: its model answers
    /// when it names one, unless `offline`): the answers one under the other, each under its channel's name, its
    /// citations listed.
    /// The question put to the open pack's engine (not opened again) and to `pack`, opened here and answering as the
    /// open one does (offline after `:offline`): one answer, its sources labelled by channel (`PackComparison.combine`).
    static func compare(_ question: String, session: PackSession, pack: String, _ context: ExplorerContext) -> Fx {
        .task("compare") { sink in
            do {
                let other = try PackComparison.engines([(pack as NSString).expandingTildeInPath], cache: context.cache, config: context.config,
                                                       environment: context.environment)
                if !session.usesModel { other.forEach { $0.useModel(false) } }
                let engines = [session.engine] + other
                let combined = PackComparison.combine(try await PackComparison.ask(question, engines: engines), engines: engines)
                sink.send(.compared(title: "Compare · \(question)", text: Self.text(combined)))
            } catch is CancellationError {
            } catch {
                sink.send(.failure("compare: \(error)"))
            }
        }
    }

    /// A combined answer as the compare popup shows it: the answer, its sources named by channel, the scores.
    static func text(_ combined: PackComparison.Combined) -> String {
        combined.text + (combined.sources.isEmpty ? "" : "\n\n" + combined.listing) + "\n\n" + combined.scoresNote.prefix(1).uppercased()
            + combined.scoresNote.dropFirst() + "."
    }
}
