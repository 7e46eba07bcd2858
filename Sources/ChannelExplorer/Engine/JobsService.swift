import Foundation
import JobKit
import PackKit

/// The jobs panel's engine: the durable job store, and a runner when a RunPod endpoint and key are configured
/// (without them the panel still lists stored jobs and says what is missing to submit new ones).
public final class JobsService: @unchecked Sendable {
    public let store: JobStore
    public let runner: JobRunner?
    /// Why new jobs cannot be sent, when they cannot.
    public let unavailable: String?
    public let summariesDirectory: String
    public var endpoint: String { runner?.settings.endpointURL ?? "" }

    public init(config: PackConfig, environment: [String: String], storePath: String? = nil) throws {
        let store = try JobStore(path: storePath ?? AppPaths(environment: environment).jobStore)
        self.store = store
        summariesDirectory = ((store.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("summaries")
        let settings: JobSettings
        do { settings = try JobSettings.resolve(config.jobs, file: "config", environment: environment) } catch {
            runner = nil
            unavailable = error.description
            return
        }
        if settings.endpointURL.isEmpty {
            runner = nil
            unavailable = "no RunPod endpoint: set RUNPOD_ENDPOINT_URL (https://api.runpod.ai/v2/ENDPOINT_ID)"
        } else if let key = environment[settings.apiKeyEnv], !key.isEmpty {
            runner = JobRunner(store: store, client: RunPodClient(endpointURL: settings.endpointURL, apiKey: key), settings: settings)
            unavailable = nil
        } else {
            runner = nil
            unavailable = "no RunPod API key: set \(settings.apiKeyEnv)"
        }
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private func requireRunner() throws(Problem) -> JobRunner {
        guard let runner else { throw Problem(description: unavailable ?? "RunPod is not configured") }
        return runner
    }

    /// Top-level jobs (parts of a long transcript are shown through their parent), newest first.
    public func jobs() throws -> [Job] {
        try store.allJobs().filter { $0.role != .part && $0.role != .combine }.sorted { $0.id > $1.id }
    }

    public func health() async throws -> RunPodHealth {
        try await requireRunner().client.health()
    }

    /// Sends a transcript file (txt, srt, vtt, sbv, json).
    public func submit(file path: String) async throws -> Job {
        let runner = try requireRunner()
        let expanded = (path as NSString).expandingTildeInPath
        let text = try TranscriptText.file(expanded, timestamps: false)
        return try await runner.submit(text, source: URL(fileURLWithPath: expanded).path,
                                       outputs: JobOutputs(directory: summariesDirectory))
    }

    /// Sends a video of the open pack; with `attach` the summary also goes into the `.pack` (episode_long).
    public func submit(video videoID: String, of session: PackSession, attach: Bool) async throws -> Job {
        let runner = try requireRunner()
        let text = try session.transcriptText(videoID)
        let path = URL(fileURLWithPath: session.path).path
        return try await runner.submit(text, source: "pack:\(path)#\(videoID)",
                                       outputs: JobOutputs(directory: summariesDirectory, packPath: attach ? path : nil,
                                                           videoID: attach ? videoID : nil))
    }

    public func cancel(_ id: Int64) async throws { try await requireRunner().cancel(id) }
    public func retry(_ id: Int64) async throws { _ = try await requireRunner().retry(id) }

    public func summary(_ id: Int64) throws -> String? { try store.summary(id) }

    public func deliveries(_ id: Int64) throws -> [JobDelivery] { try store.deliveries(id) }

    /// Puts a finished job's summary into a pack as the video's episode summary (an atomic `.pack` rewrite); a
    /// failure is recorded too, so the job shows it. Returns the summary attached.
    @discardableResult
    public func attach(_ id: Int64, toPack packPath: String, videoID: String) throws -> String {
        guard let text = try store.summary(id) else { throw Problem(description: "job \(id) has no summary yet") }
        let location = "\(packPath)#\(videoID)"
        do {
            try PackSummaryWriter.attach(text, videoID: videoID, to: packPath)
        } catch {
            try? store.recordDelivery(id, sink: "pack", location: location, error: error.description)
            throw error
        }
        try store.recordDelivery(id, sink: "pack", location: location, error: nil)
        return text
    }

    /// Polls every open job until cancelled: resumes what a stopped process left, then keeps polling; new jobs
    /// submitted meanwhile are picked up within a second.
    public func pollForever() async {
        guard let runner else { return }
        try? await runner.resume()
        while !Task.isCancelled {
            await runner.run(shouldStop: { Task.isCancelled })
            try? await Task.sleep(nanoseconds: 1_000_000_000)
        }
    }
}
