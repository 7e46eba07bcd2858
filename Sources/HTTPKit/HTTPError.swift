/// Why a request failed, as one line for people (`description`) and as a `kind` for code.
///
/// Messages name the endpoint as `host:port`, never the full URL (a query may hold a key), and never a
/// header value: secret headers and `HTTPRequest.secrets` are replaced by `[redacted]` everywhere,
/// including the excerpt of a response body (servers sometimes echo a rejected key).
public struct HTTPError: Error, Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The request cannot be sent as given (bad URL, header with a line break).
        case invalidRequest
        /// The host name did not resolve.
        case resolve
        /// The TCP connection could not be made (refused, unreachable).
        case connect
        case timeout(HTTPTimeout)
        /// The TLS handshake or the certificate check failed.
        case tls
        /// The connection closed or broke before the response was complete.
        case connectionLost
        /// The server answered with a status outside 200...299.
        case status(Int)
        /// Cancelled by the caller (task cancellation or `HTTPCancellation`).
        case cancelled
        /// Any other transfer failure.
        case transport
    }

    public let kind: Kind
    /// `host:port`, or empty when the URL did not parse.
    public let endpoint: String
    /// The reason, one line, redacted.
    public let detail: String
    /// For `.status`: up to 2,000 characters of the response body, redacted.
    public let body: String
    /// For `.status`: the server's `Retry-After`, in seconds, when it sent one.
    public let retryAfter: Double?
    /// Attempts made, retries included.
    public let attempts: Int

    init(_ kind: Kind, endpoint: String, detail: String = "", body: String = "", retryAfter: Double? = nil,
         attempts: Int = 1, redaction: Redaction = .none) {
        self.kind = kind
        self.endpoint = endpoint
        self.detail = HTTPError.oneLine(redaction.apply(detail))
        self.body = String(redaction.apply(body).prefix(2000))
        self.retryAfter = retryAfter
        self.attempts = attempts
    }

    func withAttempts(_ attempts: Int) -> HTTPError {
        HTTPError(kind, endpoint: endpoint, detail: detail, body: body, retryAfter: retryAfter, attempts: attempts)
    }

    /// The HTTP status for `.status` errors.
    public var status: Int? {
        if case .status(let code) = kind { return code }
        return nil
    }

    public var isCancelled: Bool { kind == .cancelled }

    static func oneLine(_ text: String) -> String {
        var line = ""
        var lastWasSpace = false
        for character in text {
            let isSpace = character.isWhitespace || character.isNewline
            if isSpace {
                if !lastWasSpace && !line.isEmpty { line.append(" ") }
            } else {
                line.append(character)
            }
            lastWasSpace = isSpace
        }
        return line.trimmingWhitespace()
    }
}

extension HTTPError: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        let at = endpoint.isEmpty ? "" : " \(endpoint)"
        var text: String
        switch kind {
        case .invalidRequest: text = "invalid HTTP request"
        case .resolve: text = "could not resolve host\(at)"
        case .connect: text = "connect failed to\(at)"
        case .timeout(.connect): text = "timed out connecting to\(at)"
        case .timeout(.idle): text = "timed out: no data from\(at) within the idle timeout"
        case .timeout(.total): text = "timed out: request to\(at) exceeded the total timeout"
        case .tls: text = "TLS failure with\(at)"
        case .connectionLost: text = "connection to\(at) lost before the response was complete"
        case .status(let code): text = "HTTP \(code)\(HTTPError.reason(code).map { " \($0)" } ?? "") from\(at)"
        case .cancelled: text = "request to\(at) cancelled"
        case .transport: text = "HTTP transfer to\(at) failed"
        }
        if !detail.isEmpty { text += " (\(detail))" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        let excerpt = HTTPError.oneLine(String(body.prefix(200)))
        if !excerpt.isEmpty { text += ": " + excerpt + (body.count > 200 ? "…" : "") }
        return text
    }

    public var debugDescription: String { "HTTPError(\(description))" }

    /// The standard reason phrase of an HTTP status, for messages ("429 Too Many Requests").
    public static func reason(_ code: Int) -> String? {
        switch code {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: nil
        }
    }
}
