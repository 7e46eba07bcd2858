import Foundation

/// Where a job's state stands. Stored as its raw value.
public enum JobState: String, Sendable, CaseIterable {
    /// Written, `/run` not yet answered. Left behind by a process that died while sending, it becomes
    /// `submissionUnknown`: RunPod may or may not have the job, and only the user can decide.
    case submitting
    case submissionUnknown = "submission_unknown"
    /// RunPod surely does not have the job: it refused `/run` (a 429 rate limit, a 503) or no connection was made.
    /// It is sent again at `nextPollAt` (what `Retry-After` asked, with jitter) by whichever runner claims it.
    case waitingToSubmit = "waiting_to_submit"
    case queued
    case inProgress = "in_progress"
    /// The summary is saved in the store.
    case completed
    case failed
    case cancelled
    case timedOut = "timed_out"
    /// RunPod no longer knows the job (404: results are kept 30 minutes after completion; jobs past their ttl
    /// are dropped).
    case lost
    /// ytce stopped waiting after the configured maximum wait; the job may still finish on RunPod.
    case gaveUp = "gave_up"
    /// A map-reduce parent: waiting for its parts, then for the combining job.
    case waitingForParts = "waiting_for_parts"

    /// States a poller still has work for.
    public var isOpen: Bool { [.queued, .inProgress, .waitingForParts, .waitingToSubmit].contains(self) }
    public var isFinal: Bool { [.completed, .failed, .cancelled, .timedOut, .lost, .gaveUp].contains(self) }
}

/// One summarisation job as the store keeps it. A long transcript becomes a parent job whose parts are
/// summarised separately and then combined by one more job (`role`).
public struct Job: Sendable, Equatable {
    public enum Role: String, Sendable {
        case single, parent, part, combine
    }

    public var id: Int64
    /// What the user gave: a file path, `s3://bucket/key` or `pack:PATH#VIDEO`.
    public var source: String
    /// Output base name: the input's basename without extension (`<name>_summary.txt`; another job's summary
    /// already there: `<name>_job<ID>_summary.txt`).
    public var name: String
    public var role: Role
    public var parentID: Int64?
    public var partIndex: Int?
    public var endpoint: String
    public var runpodID: String?
    public var state: JobState
    /// The latest explanation: an error, why it is lost, the RunPod status text.
    public var detail: String
    public var createdAt: Double
    public var submittedAt: Double?
    public var finishedAt: Double?
    /// After this time ytce stops waiting (the maximum wait).
    public var deadline: Double
    public var polls: Int
    public var nextPollAt: Double?
    public var outputs: JobOutputs
    /// Where the summary was written, or why it could not be (filled by `JobStore.job` and `allJobs`).
    public var deliveries: [JobDelivery] = []

    public var isOpen: Bool { state.isOpen }

    /// How long the job has run: from its submission (or creation) until it finished, or until `now` while open.
    public func elapsed(now: Double) -> Double {
        max(0, (finishedAt ?? (state.isFinal ? createdAt : now)) - (submittedAt ?? createdAt))
    }

    /// The outputs the summary goes to (`file`, `s3`, `pack`).
    public var outputSinks: Set<String> {
        var sinks = Set<String>()
        if outputs.directory != nil { sinks.insert("file") }
        if outputs.s3Prefix != nil { sinks.insert("s3") }
        if outputs.packPath != nil && outputs.videoID != nil { sinks.insert("pack") }
        return sinks
    }

    /// Nothing more will happen to it by itself: it is final and, when completed, every output was tried.
    public var isSettled: Bool {
        guard state.isFinal else { return false }
        guard state == .completed, role == .single || role == .parent else { return true }
        return outputSinks.isSubset(of: Set(deliveries.map(\.sink)))
    }

    /// Deliveries that failed (the summary is safe in the store and can be delivered again).
    public var failedDeliveries: [JobDelivery] { deliveries.filter { !$0.succeeded } }

    /// Whether the job ended badly: a final state other than completed, or a summary not delivered everywhere.
    public var hasFailed: Bool { (state.isFinal && state != .completed) || !failedDeliveries.isEmpty }

    /// The state as a user reads it: `completed` becomes `delivery failed` when a summary did not reach an output.
    public var stateText: String {
        state == .completed && !failedDeliveries.isEmpty ? "delivery failed" : state.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    /// Where the summary is, for a job list: the outputs it reached (a file's or pack's name), a failed one marked,
    /// nothing before a summary exists.
    public var outputText: String {
        deliveries.map { delivery in
            let name = delivery.sink == "s3" ? delivery.location : (delivery.location as NSString).lastPathComponent
            return delivery.succeeded ? name : "FAILED \(delivery.sink) \(name)"
        }.joined(separator: ", ")
    }
}

/// One output a summary was written to (or could not be): `sink` is `file`, `s3` or `pack`.
public struct JobDelivery: Sendable, Equatable {
    public var sink: String
    public var location: String
    /// Why it failed; nil once written.
    public var error: String?
    public var deliveredAt: Double?

    public init(sink: String, location: String, error: String?, deliveredAt: Double?) {
        self.sink = sink
        self.location = location
        self.error = error
        self.deliveredAt = deliveredAt
    }

    public var succeeded: Bool { error == nil && deliveredAt != nil }
}

/// Where a finished summary goes; every one configured is written, and each delivery is recorded.
public struct JobOutputs: Sendable, Equatable {
    /// Folder for `<name>_summary.txt`.
    public var directory: String?
    /// `s3://bucket/prefix/`: the summary goes to `<prefix><name>_summary.txt`.
    public var s3Prefix: String?
    /// A `.pack` (and the video) whose `summary` table receives the summary (kind `episode_long`).
    public var packPath: String?
    public var videoID: String?

    public init(directory: String? = nil, s3Prefix: String? = nil, packPath: String? = nil, videoID: String? = nil) {
        self.directory = directory
        self.s3Prefix = s3Prefix
        self.packPath = packPath
        self.videoID = videoID
    }
}
