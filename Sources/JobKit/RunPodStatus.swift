import Foundation

/// Where a RunPod queue job stands, as `/run`, `/status`, `/cancel` and `/retry` report it.
public enum RunPodStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case inQueue = "IN_QUEUE"
    /// Also what RunPod's `RUNNING` means.
    case inProgress = "IN_PROGRESS"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case cancelled = "CANCELLED"
    case timedOut = "TIMED_OUT"

    /// Parses RunPod's spelling: the raw values, and `RUNNING` as `inProgress`. Case and surrounding
    /// blanks are ignored, so is `-` for `_` (`TIMED-OUT`); `CANCELED` with one L counts too. Nil for anything else.
    public init?(apiValue: String) {
        if let exact = RunPodStatus(rawValue: apiValue) {  // the usual case, without Foundation's Unicode tables
            self = exact
            return
        }
        let text = apiValue.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            .replacingOccurrences(of: "-", with: "_")
        switch text {
        case "RUNNING": self = .inProgress
        case "CANCELED": self = .cancelled
        default:
            guard let status = RunPodStatus(rawValue: text) else { return nil }
            self = status
        }
    }

    /// True once the job can no longer change by itself (completed, failed, cancelled, timed out).
    public var isFinished: Bool {
        switch self {
        case .inQueue, .inProgress: false
        case .completed, .failed, .cancelled, .timedOut: true
        }
    }

    /// Whether `POST /retry/{id}` accepts the job (RunPod retries FAILED and TIMED_OUT jobs only).
    public var isRetryable: Bool { self == .failed || self == .timedOut }

    public var description: String { rawValue }
}
