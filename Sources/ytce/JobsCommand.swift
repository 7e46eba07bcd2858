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
        subcommands: [JobsSubmitCommand.self, JobsListCommand.self, JobsShowCommand.self, JobsCancelCommand.self,
                      JobsRetryCommand.self, JobsWaitCommand.self, JobsWatchCommand.self, JobsHealthCommand.self]
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
            guard pollInterval >= 0.1 else { throw fail("--poll-interval must be at least 0.1 seconds") }
            settings.pollInterval = pollInterval
        }
        if let maxWait {
            guard let seconds = Self.duration(maxWait) else { throw fail("--max-wait '\(maxWait)' is not a duration (e.g. 300, 90s, 45m, 2h)") }
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
        do { return try JobStore(path: storePath ?? JobStore.standardPath()) } catch { throw fail(error.description) }
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

/// One line per job: id, state, name, age, polls, what it is waiting for.
func jobLine(_ job: Job, now: Double = Date().timeIntervalSince1970) -> String {
    let age = Int(now - job.createdAt)
    let elapsed = age >= 3600 ? "\(age / 3600)h\(age / 60 % 60)m" : age >= 60 ? "\(age / 60)m\(age % 60)s" : "\(age)s"
    var line = "\(job.id)\t\(job.state.rawValue)\t\(job.name)\t\(elapsed)\t\(job.polls) polls"
    if let next = job.nextPollAt, job.isOpen { line += "\tnext poll in \(max(0, Int((next - now).rounded())))s" }
    if !job.detail.isEmpty { line += "\t\(job.detail)" }
    return line
}

/// Where a summary was written, or why it could not be.
func deliveryLine(_ job: Job, sink: String, location: String, error: String?) -> String {
    "\(job.id)\tsaved to \(sink): \(location)\(error.map { " FAILED: \($0)" } ?? "")"
}

func jobJSON(_ job: Job, store: JobStore) -> JSONValue {
    var object: [String: JSONValue] = [
        "id": .number(Double(job.id)), "state": .string(job.state.rawValue), "name": .string(job.name),
        "source": .string(job.source), "role": .string(job.role.rawValue), "polls": .number(Double(job.polls)),
        "created_at": .number(job.createdAt), "detail": .string(job.detail),
        "runpod_id": job.runpodID.map { .string($0) } ?? .null,
        "next_poll_at": job.nextPollAt.map { .number($0) } ?? .null,
        "finished_at": job.finishedAt.map { .number($0) } ?? .null,
    ]
    if let parent = job.parentID { object["parent_id"] = .number(Double(parent)) }
    object["outputs"] = .array(((try? store.deliveries(job.id)) ?? []).map {
        .object(["sink": .string($0.sink), "location": .string($0.location), "error": $0.error.map { .string($0) } ?? .null])
    })
    return .object(object)
}
