import Foundation

/// Where a job's state stands. Stored as its raw value.
public enum JobState: String, Sendable, CaseIterable {
    /// Written, `/run` not yet answered. Left behind by a process that died while sending, it becomes
    /// `submissionUnknown`: RunPod may or may not have the job, and only the user can decide.
    case submitting
    case submissionUnknown = "submission_unknown"
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
    public var isOpen: Bool { [.queued, .inProgress, .waitingForParts].contains(self) }
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
    /// Output base name: the input's basename without extension (`<name>_summary.txt`).
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

    public var isOpen: Bool { state.isOpen }
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
