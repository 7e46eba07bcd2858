import HTTPKit

/// Why a RunPod call failed, as a `kind` for code and one line for people (`description`). The API key never
/// appears in it.
public struct RunPodError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Worth trying again later: a network failure (resolve, connect, timeout, TLS, connection lost),
        /// a 5xx, a 408, or a 429 (see `retryAfter`). The job, if any, is not known to be gone.
        case transient
        /// The key was refused (401, 403) or none was given.
        case auth
        /// The endpoint does not exist (a 404 outside a job's URL): check the endpoint URL.
        case notFound
        /// The job is unknown to RunPod (a 404 on `/status`, `/cancel`, `/retry`): it expired (RunPod keeps
        /// a `/run` result only 30 minutes after the job finished, and drops jobs past their `ttl`) or the
        /// id never existed.
        case lost
        /// RunPod refused the request as given (another 4xx: a bad body, too large, a job not retryable).
        case badRequest
        /// RunPod answered 2xx with something that is not the expected JSON.
        case badResponse
        /// The caller cancelled (task cancellation or `HTTPCancellation`).
        case cancelled
    }

    public let kind: Kind
    /// One line, without the key.
    public let message: String
    /// The HTTP status RunPod answered, when it answered one.
    public let httpStatus: Int?
    /// Seconds the server asked to wait (`Retry-After` on a 429 or 503).
    public let retryAfter: Double?
    /// The job concerned, when there is one.
    public let jobID: String?
    /// RunPod surely did not act on the request: it was never sent (no connection could be made, or it could not be
    /// built), or RunPod answered that it refused it (a 4xx such as a 429 rate limit, or a 503). A `/run` that
    /// failed this way queued no job. False when the answer never came back (a timeout or a connection lost after
    /// sending, a 500/502/504): RunPod may then have the job.
    public let wasRefused: Bool

    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil, retryAfter: Double? = nil, jobID: String? = nil,
                wasRefused: Bool = false) {
        self.kind = kind
        self.message = RunPodOutput.oneLine(message)
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.jobID = jobID
        self.wasRefused = wasRefused
    }

    /// Whether to try again later rather than give up on the job.
    public var isTransient: Bool { kind == .transient }
    /// A 401/403, or no key.
    public var isAuth: Bool { kind == .auth }
    /// The job is gone (404 on a job URL).
    public var isLost: Bool { kind == .lost }
    public var isCancelled: Bool { kind == .cancelled }

    public var description: String { message }
    public var debugDescription: String { "RunPodError(\(message))" }

    /// The explanation attached to every `.lost` error.
    public static let lostExplanation = "RunPod keeps a /run result only 30 minutes after the job finishes and "
        + "drops jobs past their ttl, so it expired (or the id never existed)"
}
