import Foundation
import HTTPKit
import PackKit

/// A job as `GET /status/{id}` reports it.
public struct RunPodJobState: Sendable, Hashable {
    public var id: String
    public var status: RunPodStatus
    /// The generated text of a COMPLETED job (see `RunPodOutput.text(from:)`); nil otherwise, or when the
    /// worker returned no output.
    public var output: String?
    /// For a FAILED job, the worker's error as one line (see `RunPodOutput.errorMessage(from:)`), never nil;
    /// for other statuses the error RunPod attached, if any.
    public var error: String?
    /// Milliseconds the job ran on a worker, when RunPod says.
    public var executionTimeMs: Int?
    /// Milliseconds the job waited in the queue, when RunPod says.
    public var delayTimeMs: Int?

    public init(id: String, status: RunPodStatus, output: String? = nil, error: String? = nil,
                executionTimeMs: Int? = nil, delayTimeMs: Int? = nil) {
        self.id = id
        self.status = status
        self.output = output
        self.error = error
        self.executionTimeMs = executionTimeMs
        self.delayTimeMs = delayTimeMs
    }
}

/// What `GET /health` reports: job counts and worker counts (absent counts are 0).
public struct RunPodHealth: Sendable, Hashable {
    public struct Jobs: Sendable, Hashable {
        public var completed = 0, failed = 0, inProgress = 0, inQueue = 0, retried = 0
        public init() {}
    }
    public struct Workers: Sendable, Hashable {
        public var idle = 0, running = 0, initializing = 0, ready = 0, throttled = 0, unhealthy = 0
        public init() {}
    }
    public var jobs = Jobs()
    public var workers = Workers()
    public init() {}
}

/// A client for a RunPod serverless endpoint's queue API (`https://api.runpod.ai/v2/ENDPOINT_ID`): submit
/// with `/run`, poll `/status/{id}`, `/cancel/{id}`, `/retry/{id}`, `/health`.
///
/// Every failure is a `RunPodError` with one line of text; `isTransient` ones (network, 5xx, 429) are worth
/// trying again later. The key travels as `Authorization: Bearer …`, marked secret: it appears in no error,
/// description or dump.
///
/// Retries: `/run` is never repeated here (a repeat could start the job twice); `RunPodError.wasRefused` tells the
/// caller when it surely queued nothing and may be sent again. `/status`, `/cancel`
/// and `/health` use `queryRetryPolicy` (at most 2 attempts, quick, no waiting out a 429: the caller's poller
/// owns the pacing).
public struct RunPodClient: Sendable {
    /// The endpoint's base URL, without a trailing `/` (nor a trailing `/run` or `/runsync`).
    public let endpointURL: String
    private let apiKey: String
    public var http: HTTPClient
    public var timeouts: HTTPTimeouts
    /// For `/status`, `/cancel` and `/health`.
    public var queryRetryPolicy: RetryPolicy

    /// At most 2 attempts; retries connection failures and 502/503/504 after ≤ 1 s; never waits for a
    /// `Retry-After` longer than 1 s.
    public static let defaultQueryRetryPolicy = RetryPolicy(maxAttempts: 2, baseDelay: 0.25, maxDelay: 1,
                                                            maxRetryAfter: 1, retryableStatuses: [502, 503, 504])
    public static let defaultTimeouts = HTTPTimeouts(connect: 10, idle: 30, total: 120)

    public init(endpointURL: String, apiKey: String, http: HTTPClient = HTTPClient()) {
        var url = endpointURL.trimmingCharacters(in: .whitespacesAndNewlines)
        while url.hasSuffix("/") { url.removeLast() }
        for suffix in ["/runsync", "/run"] where url.hasSuffix(suffix) {
            url.removeLast(suffix.count)
            break
        }
        self.endpointURL = url
        self.apiKey = apiKey.trimmingCharacters(in: .whitespacesAndNewlines)
        self.http = http
        self.timeouts = RunPodClient.defaultTimeouts
        self.queryRetryPolicy = RunPodClient.defaultQueryRetryPolicy
    }

    /// The same client (key, connection pool, timeouts, policy) for another endpoint.
    public func at(endpoint: String) -> RunPodClient {
        var other = RunPodClient(endpointURL: endpoint, apiKey: apiKey, http: http)
        other.timeouts = timeouts
        other.queryRetryPolicy = queryRetryPolicy
        return other
    }

    // MARK: calls

    /// `POST /run`: queues `prompt` with the settings' sampling parameters (and policy, when set). Never
    /// retried here. A transient failure may still have queued a job (RunPod got the request, the answer
    /// was lost); its id is then unknown.
    public func submit(prompt: String, settings: JobSettings,
                       cancellation: HTTPCancellation? = nil) async throws(RunPodError) -> (id: String, status: RunPodStatus) {
        let operation = Operation.submit
        let body = try RunPodClient.runBody(prompt: prompt, settings: settings)
        var request = try makeRequest(.post, "/run", body: body, operation: operation)
        request.retryPolicy = .none
        request.isSafeToRepeat = false
        let json = try await send(request, operation: operation, cancellation: cancellation)
        guard let id = json["id"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty else {
            throw badResponse(operation, "no job id in the answer (\(RunPodReply.excerpt(json))); the job may "
                              + "have been queued anyway")
        }
        // An unknown status must not lose the id: the job is queued as far as we know.
        let status = json["status"]?.stringValue.flatMap(RunPodStatus.init(apiValue:)) ?? .inQueue
        return (id, status)
    }

    /// `GET /status/{id}`. A 404 throws `.lost` (the job expired or never existed).
    public func status(id: String, cancellation: HTTPCancellation? = nil) async throws(RunPodError) -> RunPodJobState {
        let operation = Operation.status(id)
        let path = "/status/" + (try RunPodClient.pathComponent(id, operation))
        var request = try makeRequest(.get, path, operation: operation)
        request.retryPolicy = queryRetryPolicy
        let json = try await send(request, operation: operation, cancellation: cancellation)
        do { return try RunPodReply.jobState(json, id: id) } catch { throw badResponse(operation, error.reason) }
    }

    /// `POST /cancel/{id}`; returns the status RunPod reports afterwards (CANCELLED, or the job's final
    /// status when it had already finished).
    @discardableResult
    public func cancel(id: String, cancellation: HTTPCancellation? = nil) async throws(RunPodError) -> RunPodStatus {
        let operation = Operation.cancel(id)
        let path = "/cancel/" + (try RunPodClient.pathComponent(id, operation))
        var request = try makeRequest(.post, path, operation: operation)
        request.retryPolicy = queryRetryPolicy
        request.isSafeToRepeat = true  // cancelling twice does no harm
        let json = try await send(request, operation: operation, cancellation: cancellation)
        do { return try RunPodReply.status(json) } catch { throw badResponse(operation, error.reason) }
    }

    /// `POST /retry/{id}`: queues a FAILED or TIMED_OUT job again under the same id (RunPod refuses others:
    /// `.badRequest`). Not retried here. Returns the new status (IN_QUEUE).
    @discardableResult
    public func retry(id: String, cancellation: HTTPCancellation? = nil) async throws(RunPodError) -> RunPodStatus {
        let operation = Operation.retry(id)
        let path = "/retry/" + (try RunPodClient.pathComponent(id, operation))
        var request = try makeRequest(.post, path, operation: operation)
        request.retryPolicy = .none
        request.isSafeToRepeat = false
        let json = try await send(request, operation: operation, cancellation: cancellation)
        return json["status"]?.stringValue.flatMap(RunPodStatus.init(apiValue:)) ?? .inQueue
    }

    /// `GET /health`: the endpoint's job and worker counts.
    public func health(cancellation: HTTPCancellation? = nil) async throws(RunPodError) -> RunPodHealth {
        let operation = Operation.health
        var request = try makeRequest(.get, "/health", operation: operation)
        request.retryPolicy = queryRetryPolicy
        let json = try await send(request, operation: operation, cancellation: cancellation)
        do { return try RunPodReply.health(json) } catch { throw badResponse(operation, error.reason) }
    }

    // MARK: request body

    /// The `/run` body: `{"input":{"prompt":…,"max_new_tokens":…,"temperature":…,"top_p":…}}`, then
    /// `"policy":{"executionTimeout":…,"ttl":…}` with only the keys that are set (none: no `policy`).
    public static func runBody(prompt: String, settings: JobSettings) throws(RunPodError) -> String {
        guard settings.temperature.isFinite, settings.topP.isFinite else {
            throw RunPodError(.badRequest, "RunPod job not submitted: temperature and top_p must be finite numbers", wasRefused: true)
        }
        var body = "{\"input\":{\"prompt\":"
        JSONValue.appendString(prompt, into: &body)
        body += ",\"max_new_tokens\":\(settings.maxNewTokens)"
        body += ",\"temperature\":" + JSONValue.serialize(.number(settings.temperature))
        body += ",\"top_p\":" + JSONValue.serialize(.number(settings.topP)) + "}"
        var policy: [String] = []
        if let timeout = settings.executionTimeoutMs { policy.append("\"executionTimeout\":\(timeout)") }
        if let ttl = settings.ttlMs { policy.append("\"ttl\":\(ttl)") }
        if !policy.isEmpty { body += ",\"policy\":{" + policy.joined(separator: ",") + "}" }
        return body + "}"
    }

    // MARK: plumbing

    private enum Operation {
        case submit, status(String), cancel(String), retry(String), health

        var label: String {
            switch self {
            case .submit: "submitting a job"
            case .status(let id): "asking for the status of job \(id)"
            case .cancel(let id): "cancelling job \(id)"
            case .retry(let id): "retrying job \(id)"
            case .health: "checking the endpoint's health"
            }
        }

        var jobID: String? {
            switch self {
            case .status(let id), .cancel(let id), .retry(let id): id
            case .submit, .health: nil
            }
        }
    }

    private func makeRequest(_ method: HTTPMethod, _ path: String, body: String? = nil,
                             operation: Operation) throws(RunPodError) -> HTTPRequest {
        guard !apiKey.isEmpty else {
            throw RunPodError(.auth, "no RunPod API key for \(operation.label)", jobID: operation.jobID, wasRefused: true)
        }
        guard endpointURL.hasPrefix("https://") || endpointURL.hasPrefix("http://") else {
            throw RunPodError(.badRequest, "RunPod endpoint URL must look like https://api.runpod.ai/v2/ENDPOINT_ID",
                              jobID: operation.jobID, wasRefused: true)
        }
        var request = body.map { HTTPRequest.json(method, url: endpointURL + path, body: $0) }
            ?? HTTPRequest(method: method, url: endpointURL + path, headers: ["Accept": "application/json"])
        request.setBearerToken(apiKey)
        request.secrets = [apiKey]
        request.timeouts = timeouts
        return request
    }

    private func send(_ request: HTTPRequest, operation: Operation,
                      cancellation: HTTPCancellation?) async throws(RunPodError) -> JSONValue {
        let response: HTTPResponse
        do throws(HTTPError) {
            response = try await http.send(request, cancellation: cancellation)
        } catch {
            throw map(error, operation)
        }
        do throws(JSONValue.ParseError) {
            return try JSONValue.parse(Data(response.body))
        } catch {
            let text = RunPodOutput.oneLine(redact(String(response.text.prefix(120))))
            throw badResponse(operation, "not JSON (\(error.reason))" + (text.isEmpty ? ", empty body" : ": \(text)"),
                              status: response.status)
        }
    }

    private func map(_ error: HTTPError, _ operation: Operation) -> RunPodError {
        let jobID = operation.jobID
        let at = error.endpoint.isEmpty ? "" : " from \(error.endpoint)"
        switch error.kind {
        case .cancelled:
            return RunPodError(.cancelled, "RunPod request cancelled while \(operation.label)", jobID: jobID)
        case .invalidRequest:
            return RunPodError(.badRequest, redact("invalid RunPod request while \(operation.label): \(error)"), jobID: jobID,
                               wasRefused: true)
        case .resolve, .connect, .timeout(.connect), .tls:
            // No connection, so nothing was sent.
            return RunPodError(.transient, redact("network error while \(operation.label): \(error)"), jobID: jobID, wasRefused: true)
        case .timeout, .connectionLost, .transport:
            return RunPodError(.transient, redact("network error while \(operation.label): \(error)"), jobID: jobID)
        case .status(let code):
            let http = "HTTP \(code)\(RunPodClient.reason(code).map { " \($0)" } ?? "")\(at)"
            let detail = serverMessage(error.body)
            let suffix = detail.isEmpty ? "" : ": \(detail)"
            switch code {
            case 401, 403:
                return RunPodError(.auth, "RunPod refused the API key (\(http)) while \(operation.label)",
                                   httpStatus: code, jobID: jobID, wasRefused: true)
            case 404 where jobID != nil:
                return RunPodError(.lost, "RunPod does not know job \(jobID ?? "") (\(http)): \(RunPodError.lostExplanation)",
                                   httpStatus: code, jobID: jobID, wasRefused: true)
            case 404:
                return RunPodError(.notFound, "RunPod endpoint not found (\(http)) while \(operation.label): check the "
                                   + "endpoint URL (https://api.runpod.ai/v2/ENDPOINT_ID)", httpStatus: code, wasRefused: true)
            case 429:
                let wait = error.retryAfter.map { "; retry after \(RunPodClient.seconds($0))" } ?? ""
                return RunPodError(.transient, "RunPod rate limit (\(http)) while \(operation.label)\(wait)",
                                   httpStatus: code, retryAfter: error.retryAfter, jobID: jobID, wasRefused: true)
            case 408, 500...599:
                let wait = error.retryAfter.map { "; retry after \(RunPodClient.seconds($0))" } ?? ""
                // A 408 and a 503 say the request was not taken; a 500, 502 or 504 may come after it was.
                return RunPodError(.transient, "RunPod unavailable (\(http)) while \(operation.label)\(suffix)\(wait)",
                                   httpStatus: code, retryAfter: error.retryAfter, jobID: jobID, wasRefused: code == 408 || code == 503)
            default:
                return RunPodError(.badRequest, "RunPod refused \(operation.label) (\(http))\(suffix)",
                                   httpStatus: code, jobID: jobID, wasRefused: (400..<500).contains(code))
            }
        }
    }

    /// A server's error body as one short line: its `error`/`message` when JSON, else the text.
    private func serverMessage(_ body: String) -> String {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return "" }
        var text = trimmed
        if let json = try? JSONValue.parse(Data(trimmed.utf8)), case .object = json {
            text = RunPodOutput.errorMessage(from: json) ?? trimmed
        } else if trimmed.hasPrefix("<") {
            return ""  // an HTML error page says nothing the status does not
        }
        text = RunPodOutput.oneLine(redact(text))
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }

    private func badResponse(_ operation: Operation, _ reason: String, status: Int? = nil) -> RunPodError {
        RunPodError(.badResponse, redact("unexpected answer from RunPod while \(operation.label): \(reason)"),
                    httpStatus: status, jobID: operation.jobID)
    }

    /// Belt and braces: HTTPKit already keeps the key out of its errors.
    private func redact(_ text: String) -> String {
        apiKey.count >= 6 ? text.replacingOccurrences(of: apiKey, with: "[redacted]") : text
    }

    private static func pathComponent(_ id: String, _ operation: Operation) throws(RunPodError) -> String {
        // Foundation's trimming bridges through NSString on every poll; ids rarely need it.
        let padded = id.unicodeScalars.first.map(\.properties.isWhitespace) != false
            || id.unicodeScalars.last.map(\.properties.isWhitespace) != false
        let trimmed = padded ? id.trimmingCharacters(in: .whitespacesAndNewlines) : id
        guard !trimmed.isEmpty else { throw RunPodError(.badRequest, "empty RunPod job id") }
        // RFC 3986 unreserved bytes pass; every other byte of the UTF-8 is %XX. (Foundation's
        // `CharacterSet.alphanumerics` would let non-ASCII letters through, and costs a Unicode lookup per poll.)
        var out = ""
        out.reserveCapacity(trimmed.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in trimmed.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }

    static func reason(_ code: Int) -> String? { HTTPError.reason(code) }
}

extension RunPodClient: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "RunPodClient(\(endpointURL), key [redacted])" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["endpointURL": endpointURL, "apiKey": "[redacted]"]) }
}
