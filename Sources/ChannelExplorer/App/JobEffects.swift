import Foundation
import JobKit
import PackKit
import TUI

/// The app's work on summarisation jobs, off the UI loop; each reports back with a message.
enum JobEffects {
    typealias Fx = Effect<ExplorerMsg>

    /// Re-reads the job list from the store every `interval` seconds (the poller writes it).
    static func refresh(_ jobs: JobsService, every interval: Double) -> Fx {
        .task("jobs-refresh") { sink in
            while !Task.isCancelled {
                if let list = try? jobs.jobs() { sink.send(.jobsLoaded(list)) }
                try? await Task.sleep(nanoseconds: UInt64(max(0.01, interval) * 1e9))
            }
        }
    }

    /// Reads the job list once (after an action, so the panel shows it at once).
    static func reload(_ jobs: JobsService) -> Fx {
        .task { sink in if let list = try? jobs.jobs() { sink.send(.jobsLoaded(list)) } }
    }

    /// Polls RunPod for every open job until cancelled.
    static func poller(_ jobs: JobsService) -> Fx {
        .task("poller") { _ in await jobs.pollForever() }
    }

    static func submit(file path: String, _ jobs: JobsService) -> Fx {
        .task { sink in
            do {
                let job = try await jobs.submit(file: path)
                sink.send(.jobActionFinished("job \(job.id) submitted: \(job.name)", failed: false, submission: true))
            } catch { sink.send(.jobActionFinished("could not submit \(path): \(error)", failed: true, submission: true)) }
        }
    }

    static func submit(video videoID: String, session: PackSession, _ jobs: JobsService) -> Fx {
        .task { sink in
            do {
                // The summary goes into the pack too (a `.pack` file: rewritten atomically when the job finishes), so the
                // library and the transcript show it once the pack is reopened.
                let job = try await jobs.submit(video: videoID, of: session, attach: session.path.hasSuffix(".pack"))
                sink.send(.jobActionFinished("job \(job.id) submitted: summary of \(videoID)", failed: false, submission: true))
            } catch { sink.send(.jobActionFinished("could not submit \(videoID): \(error)", failed: true, submission: true)) }
        }
    }

    static func cancel(_ id: Int64, _ jobs: JobsService) -> Fx {
        .task { sink in
            do { try await jobs.cancel(id); sink.send(.jobActionFinished("job \(id) cancelled", failed: false)) }
            catch { sink.send(.jobActionFinished("could not cancel job \(id): \(error)", failed: true)) }
        }
    }

    static func retry(_ id: Int64, _ jobs: JobsService) -> Fx {
        .task { sink in
            do { try await jobs.retry(id); sink.send(.jobActionFinished("job \(id) is waited for again", failed: false)) }
            catch { sink.send(.jobActionFinished("could not retry job \(id): \(error)", failed: true)) }
        }
    }

    /// A finished job's summary, which its runner put into `pack`: the library and the transcript show it.
    static func attachedSummary(_ id: Int64, pack: String, videoID: String, _ jobs: JobsService) -> Fx {
        .task { sink in
            guard let text = try? jobs.summary(id) else { return }
            sink.send(.summaryAttached(pack: pack, videoID: videoID, text: text))
        }
    }

    static func attach(_ id: Int64, pack: String, videoID: String, _ jobs: JobsService) -> Fx {
        .task { sink in
            do {
                let text = try jobs.attach(id, toPack: pack, videoID: videoID)
                sink.send(.jobActionFinished("summary of job \(id) attached to \((pack as NSString).lastPathComponent) (\(videoID))", failed: false))
                sink.send(.summaryAttached(pack: pack, videoID: videoID, text: text))
            } catch { sink.send(.jobActionFinished("could not attach job \(id)'s summary: \(error)", failed: true)) }
        }
    }
}
