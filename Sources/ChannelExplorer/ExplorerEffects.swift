import Foundation
import HTTPKit
import JobKit
import PackKit
import TUI

/// The background work the explorer starts. Each runs off the UI loop and reports back with a message.
enum ExplorerEffects {
    typealias Fx = Effect<ExplorerMsg>

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Lists the packs of the picker: command line, recent, the bundled samples and the data dir.
    static func loadPreviews(_ context: ExplorerContext) -> Fx {
        .task("previews") { sink in
            var seen = Set<String>()
            var entries: [PickerEntry] = []
            func add(_ path: String, _ origin: String) {
                let standard = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
                guard seen.insert(standard).inserted else { return }
                do { entries.append(PickerEntry(path: path, preview: try PackPreview.read(path), error: nil, origin: origin)) }
                catch { entries.append(PickerEntry(path: path, preview: nil, error: error.description, origin: origin)) }
            }
            for path in context.packPaths { add(path, "command line") }
            for path in readRecent(context.paths) where FileManager.default.fileExists(atPath: path) {
                add(path, "recent")
            }
            for directory in context.packDirectories {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                for name in names.sorted() where name.hasSuffix(".pack") {
                    add((directory as NSString).appendingPathComponent(name), directory)
                }
            }
            sink.send(.previewsLoaded(entries))
        }
    }

    /// Opens a pack (unpacking it into the cache on first use) and its retriever.
    static func openPack(_ path: String, _ context: ExplorerContext) -> Fx {
        .task("open") { sink in
            let expanded = (path as NSString).expandingTildeInPath
            do {
                let session = try PackSession(path: expanded, cache: context.cache, config: context.config, environment: context.environment)
                guard !Task.isCancelled else { return }
                rememberRecent(expanded, context.paths)
                sink.send(.packOpened(path: expanded, .success(session)))
            } catch {
                sink.send(.packOpened(path: expanded, .failure(ExplorerError(error))))
            }
        }
    }

    /// Keeps the 20 most recently opened packs, newest first (atomic write).
    static func rememberRecent(_ path: String, _ paths: AppPaths) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let list = [absolute] + readRecent(paths).filter { $0 != absolute }
        try? LineListFile.write(Array(list.prefix(20)), to: paths.recentPacks)
    }

    /// The recently opened packs (from the data folder while the state folder has none yet).
    static func readRecent(_ paths: AppPaths) -> [String] {
        let file = FileManager.default.fileExists(atPath: paths.recentPacks) ? paths.recentPacks : paths.legacy(paths.recentPacks)
        return LineListFile.read(file)
    }

    static func ask(_ question: String, id: Int, session: PackSession) -> Fx {
        .task("answer") { sink in
            let cancellation = HTTPCancellation()
            await withTaskCancellationHandler {
                do {
                    let outcome = try await session.ask(question, cancellation: cancellation) { piece in
                        sink.send(.answerDelta(id: id, piece))
                    }
                    sink.send(.answerFinished(id: id, .success(outcome)))
                } catch {
                    sink.send(.answerFinished(id: id, .failure(ExplorerError(error))))
                }
            } onCancel: {
                cancellation.cancel()
            }
        }
    }

    static func loadTranscript(_ videoID: String, session: PackSession, focus: [Int64], jumpMs: Int?) -> Fx {
        .task("transcript") { sink in
            do { sink.send(.transcriptLoaded(.success(try session.transcript(videoID)), focusSegments: focus, jumpMs: jumpMs)) }
            catch { sink.send(.transcriptLoaded(.failure(ExplorerError(error)), focusSegments: [], jumpMs: nil)) }
        }
    }

    static func loadVideos(_ session: PackSession) -> Fx {
        .task("videos") { sink in
            do { sink.send(.videosLoaded(.success(try session.videos()))) } catch { sink.send(.videosLoaded(.failure(ExplorerError(error)))) }
        }
    }

    static func saveHistory(_ history: QuestionHistory, to path: String) -> Fx {
        .task { sink in
            do { try history.save(to: path) } catch { sink.send(.failure("could not save the question history to \(path): \(error)")) }
        }
    }

    // MARK: jobs

    /// Re-reads the job list from the store every `interval` seconds (the poller writes it).
    static func refreshJobs(_ jobs: JobsService, every interval: Double) -> Fx {
        .task("jobs-refresh") { sink in
            while !Task.isCancelled {
                if let list = try? jobs.jobs() { sink.send(.jobsLoaded(list)) }
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }

    /// Reads the job list once (after an action, so the panel shows it at once).
    static func reloadJobs(_ jobs: JobsService) -> Fx {
        .task { sink in if let list = try? jobs.jobs() { sink.send(.jobsLoaded(list)) } }
    }

    static func health(_ jobs: JobsService, every interval: Double) -> Fx {
        .task("health") { sink in
            while !Task.isCancelled {
                do { sink.send(.healthLoaded(.success(try await jobs.health()))) } catch {
                    if Task.isCancelled { return }
                    sink.send(.healthLoaded(.failure(ExplorerError(error))))
                }
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }

    static func poller(_ jobs: JobsService) -> Fx {
        .task("poller") { _ in await jobs.pollForever() }
    }

    static func submitFile(_ path: String, _ jobs: JobsService) -> Fx {
        .task { sink in
            do {
                let job = try await jobs.submit(file: path)
                sink.send(.jobActionFinished("job \(job.id) submitted: \(job.name)", failed: false, submission: true))
            } catch { sink.send(.jobActionFinished("could not submit \(path): \(error)", failed: true, submission: true)) }
        }
    }

    static func submitVideo(_ videoID: String, session: PackSession, _ jobs: JobsService) -> Fx {
        .task { sink in
            do {
                let job = try await jobs.submit(video: videoID, of: session, attach: false)
                sink.send(.jobActionFinished("job \(job.id) submitted: summary of \(videoID)", failed: false, submission: true))
            } catch { sink.send(.jobActionFinished("could not submit \(videoID): \(error)", failed: true, submission: true)) }
        }
    }

    static func cancelJob(_ id: Int64, _ jobs: JobsService) -> Fx {
        .task { sink in
            do { try await jobs.cancel(id); sink.send(.jobActionFinished("job \(id) cancelled", failed: false)) }
            catch { sink.send(.jobActionFinished("could not cancel job \(id): \(error)", failed: true)) }
        }
    }

    static func retryJob(_ id: Int64, _ jobs: JobsService) -> Fx {
        .task { sink in
            do { try await jobs.retry(id); sink.send(.jobActionFinished("job \(id) is waited for again", failed: false)) }
            catch { sink.send(.jobActionFinished("could not retry job \(id): \(error)", failed: true)) }
        }
    }

    static func loadSummary(_ id: Int64, _ jobs: JobsService) -> Fx {
        .task { sink in
            do {
                guard let text = try jobs.summary(id) else { throw ExplorerError("job \(id) has no summary yet") }
                sink.send(.summaryLoaded(jobID: id, .success(text)))
            } catch { sink.send(.summaryLoaded(jobID: id, .failure(ExplorerError(error)))) }
        }
    }

    static func attachSummary(_ id: Int64, pack: String, videoID: String, _ jobs: JobsService) -> Fx {
        .task { sink in
            do {
                try jobs.attach(id, toPack: pack, videoID: videoID)
                sink.send(.jobActionFinished("summary of job \(id) attached to \((pack as NSString).lastPathComponent) (\(videoID)); reopen the pack to see it", failed: false))
            } catch { sink.send(.jobActionFinished("could not attach job \(id)'s summary: \(error)", failed: true)) }
        }
    }

    /// Timer ticks for spinners, elapsed times and "next poll in".
    static func ticks(every seconds: Double) -> Fx {
        .every(seconds, id: "ticks") { .tick }
    }
}
