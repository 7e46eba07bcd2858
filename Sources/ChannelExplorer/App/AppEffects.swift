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
                                              conversations: context.paths.conversations)
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
    static func compare(_ question: String, packs: [String], offline: Bool, _ context: ExplorerContext) -> Fx {
        .task("compare") { sink in
            var config = context.config
            if offline { config.llm.backend = "extractive" }
            do {
                let sides = try await PackComparison.ask(question, packs: packs.map { ($0 as NSString).expandingTildeInPath }, cache: context.cache,
                                                         config: config, environment: context.environment)
                let text = sides.map { side in
                    var part = "━━ \(side.label) ━━\n\n\(side.answer.text)"
                    if !side.answer.invented.isEmpty {
                        part += "\n\n\(side.answer.invented.count) citation(s) point at no evidence: \(side.answer.invented.map(\.description).joined(separator: " "))"
                    }
                    if !side.answer.sources.isEmpty { part += "\n\n" + Answer.Source.listing(side.answer.sources) }
                    return part
                }.joined(separator: "\n\n")
                sink.send(.compared(title: "Compare · \(question)", text: text))
            } catch is CancellationError {
            } catch {
                sink.send(.failure("compare: \(error)"))
            }
        }
    }
}
