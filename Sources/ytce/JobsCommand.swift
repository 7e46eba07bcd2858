import ArgumentParser
import Foundation
import JobKit
import PackKit

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Summarise transcripts on a RunPod serverless endpoint and keep every summary.",
        discussion: """
            The endpoint comes from RUNPOD_ENDPOINT_URL (or the config's jobs.endpoint_url), the key from RUNPOD_API_KEY. \
            Jobs live in $YTCE_DATA_DIR/jobs.sqlite (default ~/.local/share/ytce): any ytce process can stop at any \
            moment and `ytce jobs wait` goes on where it left off.
            """,
        subcommands: [JobsSubmitCommand.self, JobsSummarizeCommand.self, JobsListCommand.self, JobsShowCommand.self, JobsCancelCommand.self,
                      JobsRetryCommand.self, JobsWaitCommand.self, JobsDeliverCommand.self, JobsWatchCommand.self, JobsHealthCommand.self]
    )
}

/// Where jobs are kept and which endpoint they go to.
struct JobsOptions: ParsableArguments {
    @Option(help: "A JSON config; its jobs block sets the endpoint, sampling, polling and the prompt template.")
    var config: String?

    @Option(name: .customLong("store"), help: "The job store (default: $YTCE_DATA_DIR/jobs.sqlite, else ~/.local/share/ytce/jobs.sqlite).")
    var storePath: String?

    @Option(name: .customLong("poll-interval"), help: "Seconds between polls of a job (default 5).")
    var pollInterval: Double?

    @Option(name: .customLong("max-wait"), help: "How long to wait for a job before giving up on it: 300, 90s, 45m, 2h (default 5m).")
    var maxWait: String?

    func settings() throws -> JobSettings {
        let environment = ProcessInfo.processInfo.environment
        var settings: JobSettings
        do { settings = try JobSettings.resolve(try loadConfig(config).jobs, file: config ?? "config", environment: environment) } catch {
            throw fail("\(error)")
        }
        if let pollInterval {
            guard JobSettings.pollIntervalRange.contains(pollInterval) else {
                throw fail("--poll-interval must be \(ConfigNumber.describe(JobSettings.pollIntervalRange)) seconds")
            }
            settings.pollInterval = pollInterval
        }
        if let maxWait {
            guard let seconds = Self.duration(maxWait) else { throw fail("--max-wait '\(maxWait)' is not a duration (e.g. 300, 90s, 45m, 2h)") }
            guard JobSettings.maxWaitRange.contains(seconds) else {
                throw fail("--max-wait must be \(ConfigNumber.describe(JobSettings.maxWaitRange)) seconds (30 days), found \(maxWait)")
            }
            settings.maxWait = seconds
        }
        return settings
    }

    static func duration(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        if let unit = text.last, let scale = units[unit], let n = Double(text.dropLast()), n > 0 { return n * scale }
        if let n = Double(text), n > 0 { return n }
        return nil
    }

    func store() throws -> JobStore {
        do { return try JobStore(path: storePath ?? AppPaths().jobStore) } catch { throw fail(error.description) }
    }

    /// A runner for work that never reaches RunPod (writing saved summaries): no endpoint or key needed.
    func offlineRunner() throws -> JobRunner {
        var settings = JobSettings()
        if let resolved = try? self.settings() { settings = resolved }
        return JobRunner(store: try store(), client: RunPodClient(endpointURL: settings.endpointURL, apiKey: ""), settings: settings)
    }

    /// A runner for the configured endpoint, or a one-line error naming what is missing.
    func runner() throws -> JobRunner {
        let settings = try settings()
        guard !settings.endpointURL.isEmpty else {
            throw fail("no RunPod endpoint: set RUNPOD_ENDPOINT_URL (e.g. https://api.runpod.ai/v2/ENDPOINT_ID) or jobs.endpoint_url in --config")
        }
        guard let key = ProcessInfo.processInfo.environment[settings.apiKeyEnv], !key.isEmpty else {
            throw fail("no RunPod API key: set \(settings.apiKeyEnv)")
        }
        return JobRunner(store: try store(), client: RunPodClient(endpointURL: settings.endpointURL, apiKey: key), settings: settings)
    }
}

/// Parses a job id argument.
func jobID(_ text: String) throws -> Int64 {
    guard let id = Int64(text), id > 0 else { throw fail("'\(text)' is not a job id (see `ytce jobs list`)") }
    return id
}

/// Prints a line on stdout at once: `print` holds lines back when stdout is a pipe, so a script reading stdout and
/// stderr together would see them after the progress written to stderr meanwhile.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// One line per job: id, state, name, run time, polls, then what it waits for, where its summary went (or why not).
func jobLine(_ job: Job, now: Double = Date().timeIntervalSince1970) -> String {
    var line = "\(job.id)\t\(job.stateText.replacingOccurrences(of: " ", with: "_"))\t\(job.name)\t\(duration(job.elapsed(now: now)))\t\(job.polls) polls"
    if let next = job.nextPollAt, job.isOpen { line += "\tnext poll in \(max(0, Int((next - now).rounded())))s" }
    for delivery in job.deliveries {
        line += "\t" + deliveryText(job, delivery)
    }
    if !job.detail.isEmpty { line += "\t\(job.detail)" }
    return line
}

/// `1h2m`, `3m4s`, `5s`.
func duration(_ seconds: Double) -> String {
    let s = seconds.isFinite ? Int(min(max(0, seconds), 1e12)) : 0
    return s >= 3600 ? "\(s / 3600)h\(s / 60 % 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
}

/// Where a summary was written, or why it could not be and how to try again.
func deliveryText(_ job: Job, _ delivery: JobDelivery) -> String {
    if delivery.succeeded { return "saved to \(delivery.sink): \(delivery.location)" }
    return "NOT saved to \(delivery.sink) \(delivery.location): \(delivery.error ?? "not written yet"); the summary is kept, "
        + "`ytce jobs deliver \(job.id)` tries again"
}

/// A delivery as it happens.
func deliveryLine(_ job: Job, sink: String, location: String, error: String?) -> String {
    "\(job.id)\t" + deliveryText(job, JobDelivery(sink: sink, location: location, error: error, deliveredAt: error == nil ? 0 : nil))
}

func jobJSON(_ job: Job) -> JSONValue {
    var object: [String: JSONValue] = [
        "id": .number(Double(job.id)), "state": .string(job.state.rawValue), "name": .string(job.name),
        "source": .string(job.source), "role": .string(job.role.rawValue), "polls": .number(Double(job.polls)),
        "created_at": .number(job.createdAt), "detail": .string(job.detail),
        "runpod_id": job.runpodID.map { .string($0) } ?? .null,
        "next_poll_at": job.nextPollAt.map { .number($0) } ?? .null,
        "finished_at": job.finishedAt.map { .number($0) } ?? .null,
        "elapsed_s": .number(job.elapsed(now: Date().timeIntervalSince1970).rounded()),
        "failed": .bool(job.hasFailed),
    ]
    if let parent = job.parentID { object["parent_id"] = .number(Double(parent)) }
    object["outputs"] = .array(job.deliveries.map {
        .object(["sink": .string($0.sink), "location": .string($0.location), "error": $0.error.map { .string($0) } ?? .null,
                 "delivered": .bool($0.succeeded)])
    })
    return .object(object)
}
