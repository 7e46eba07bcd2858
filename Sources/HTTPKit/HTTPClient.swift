import Foundation

/// The version ytce reports in its User-Agent.
public let ytceVersion = "0.1.0"

/// A small HTTP client on libcurl for ytce's LLM backends and its RunPod client.
///
/// - `send` returns a complete response with a 2xx status; any other status is thrown as
///   `HTTPError` with kind `.status(code)` and an excerpt of the body.
/// - `stream` delivers the head and then the body chunk by chunk as they arrive (for server-sent
///   events, see `HTTPStream.serverSentEvents()`).
/// - A client (and its copies) drives all its transfers on one thread of its own (`TransferLoop`), never
///   blocking Swift's cooperative pool.
/// - A client's requests (and its copies') reuse open connections, DNS answers and TLS sessions; a request not
///   safe to repeat always gets a fresh connection, because curl resends a request whose reused connection died.
/// - Cancelling the calling task, or an `HTTPCancellation` passed in, stops the transfer at once and
///   closes its connection; the call then throws `.cancelled`.
/// - Retries follow the request's `RetryPolicy` (see there), only for requests safe to repeat.
/// - TLS certificates are verified unless the request sets `verifyTLS = false`.
/// - Proxies come from the environment by default, as libcurl reads them: `https_proxy`/`HTTPS_PROXY`,
///   `http_proxy` (lower case only), `all_proxy`/`ALL_PROXY`, and `no_proxy`/`NO_PROXY` for exceptions.
/// - Secret header values never appear in errors or descriptions (see `HTTPHeader.isSecret`).
public struct HTTPClient: Sendable {
    /// Where requests go through.
    public enum Proxy: Sendable, Hashable {
        /// libcurl's reading of the proxy environment variables (the default).
        case environment
        /// Always connect directly, whatever the environment says.
        case none
        /// This proxy URL, e.g. `http://proxy.local:3128`.
        case url(String)
    }

    public static let defaultUserAgent = "ytce/\(ytceVersion)"

    public var userAgent: String
    public var proxy: Proxy

    /// The thread, multi handle and open connections that serve this client's requests (and its copies').
    let transfers = TransferLoop()

    /// Runs tasks on this client's transfer thread. A task that mostly waits for this client's responses (a poller)
    /// prefers it (`withTaskExecutorPreference`) so that each response resumes it without a thread hop. Only for
    /// short work that never blocks: while such a task runs, none of the client's transfers moves.
    public var executor: any TaskExecutor { transfers }

    public init(userAgent: String = HTTPClient.defaultUserAgent, proxy: Proxy = .environment) {
        self.userAgent = userAgent
        self.proxy = proxy
    }

    /// Sends `request` and returns its 2xx response, retrying as its policy allows.
    public func send(_ request: HTTPRequest, cancellation: HTTPCancellation? = nil) async throws(HTTPError) -> HTTPResponse {
        let control = HTTPCancellation()
        let link = cancellation?.onCancel { control.cancel() }
        defer { cancellation?.remove(link) }
        let result = await withTaskCancellationHandler {
            await perform(request, control: control, sink: nil)
        } onCancel: {
            control.cancel()
        }
        return try result.get()
    }

    /// Starts `request` and returns its events: `.head` once the status is known to be 2xx, then
    /// `.bytes` for each chunk as it arrives. A non-2xx status, a broken connection or a timeout ends
    /// the sequence with an `HTTPError`. Retries happen only before the head was delivered. Cancelling the
    /// consuming task, dropping the sequence, `HTTPStream.cancel()` or the given `HTTPCancellation`
    /// stops the transfer at once.
    public func stream(_ request: HTTPRequest, cancellation: HTTPCancellation? = nil) -> HTTPStream {
        let control = HTTPCancellation()
        let link = cancellation?.onCancel { control.cancel() }
        let (events, continuation) = AsyncThrowingStream.makeStream(of: HTTPStreamEvent.self)
        continuation.onTermination = { termination in
            if case .cancelled = termination { control.cancel() }
            cancellation?.remove(link)
        }
        Task {
            let result = await perform(request, control: control, sink: { continuation.yield($0) })
            switch result {
            case .success: continuation.finish()
            case .failure(let error): continuation.finish(throwing: error)
            }
        }
        let endpoint = (try? URLParts.parse(request.url).get())?.endpoint ?? ""
        return HTTPStream(events: events, control: control, endpoint: endpoint)
    }

    // MARK: attempts and retries

    private func perform(_ request: HTTPRequest, control: HTTPCancellation,
                         sink: (@Sendable (HTTPStreamEvent) -> Void)?) async -> Result<HTTPResponse, HTTPError> {
        let prepared: PreparedRequest
        switch URLParts.parse(request.url) {
        case .success(let parts): prepared = PreparedRequest(request: request, parts: parts)
        case .failure(let problem): return .failure(HTTPError(.invalidRequest, endpoint: "", detail: problem.reason))
        }
        let policy = request.retryPolicy
        // Built only when needed: a poller's requests almost never fail.
        func cancelled(_ attempt: Int) -> HTTPError { HTTPError(.cancelled, endpoint: prepared.parts.endpoint, attempts: attempt) }
        var attempt = 1
        while true {
            if control.isCancelled { return .failure(cancelled(attempt)) }
            let result = await withCheckedContinuation { (continuation: CheckedContinuation<AttemptResult, Never>) in
                transfers.start(prepared, userAgent: userAgent, proxy: proxy, control: control, sink: sink) {
                    continuation.resume(returning: $0)
                }
            }
            let error: HTTPError
            var retryable: Bool
            switch result {
            case .response(let response, _) where (200..<300).contains(response.status):
                return .success(response)
            case .response(let response, let streamed):
                let retryAfter = response.headers["Retry-After"].flatMap {
                    RetryPolicy.retryAfterDelay($0, now: Self.unixNow())
                }
                error = HTTPError(.status(response.status), endpoint: prepared.parts.endpoint,
                                  body: response.text, retryAfter: retryAfter, attempts: attempt, redaction: prepared.redaction)
                retryable = !streamed && policy.retryableStatuses.contains(response.status)
            case .failure(let failure, let streamed):
                error = failure.withAttempts(attempt)
                retryable = !streamed && Self.isRetryable(failure.kind)
            }
            retryable = retryable && request.isSafeToRepeat && attempt < policy.maxAttempts
            if let retryAfter = error.retryAfter, retryAfter > policy.maxRetryAfter { retryable = false }
            guard retryable else { return .failure(error) }
            let delay = error.retryAfter ?? policy.backoff(retry: attempt)
            if await !Self.sleep(delay, control: control) { return .failure(cancelled(attempt)) }
            attempt += 1
        }
    }

    static func isRetryable(_ kind: HTTPError.Kind) -> Bool {
        switch kind {
        case .resolve, .connect, .timeout(.connect), .timeout(.idle), .connectionLost: true
        default: false
        }
    }

    /// Sleeps `seconds` unless cancelled first (either way); false when cancelled.
    private static func sleep(_ seconds: Double, control: HTTPCancellation) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64((seconds * 1000).rounded()))
        while ContinuousClock.now < deadline {
            if control.isCancelled || Task.isCancelled { return false }
            let slice = min(deadline - ContinuousClock.now, .milliseconds(10))
            try? await Task.sleep(for: slice)
        }
        return !(control.isCancelled || Task.isCancelled)
    }

    static func unixNow() -> Double { Date().timeIntervalSince1970 }

    /// Bytes that may not appear in a header name (besides controls, space and non-ASCII).
    private static let separators = Set(" \t\r\n:()<>@,;\\\"/[]?={}".utf8)

    static func isValidHeader(_ field: HTTPHeader) -> Bool {
        guard !field.name.isEmpty,
              field.name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && !separators.contains($0) })
        else { return false }
        return !field.value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    /// "0.3 s", "10 s".
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value)) s" : "\(value) s"
    }
}
