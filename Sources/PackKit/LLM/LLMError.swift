import HTTPKit

/// Why a model gave no answer, in one line that names the backend and never holds a key.
public struct LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The key is missing or was refused (401/403).
        case authentication
        /// The server asked to slow down and retries ran out (429).
        case rateLimited
        /// The server failed or is unavailable (5xx, or an error it reported inside a stream).
        case server
        /// The request was refused as given (400, 404, 422: model name, parameters).
        case badRequest
        /// Connecting, a timeout, a broken connection.
        case network
        /// The reply was not what the protocol says (malformed JSON, missing fields).
        case badResponse
        case cancelled
    }

    public let kind: Kind
    public let backend: String
    public let message: String

    public init(_ kind: Kind, backend: String, _ message: String) {
        self.kind = kind
        self.backend = backend
        self.message = message
    }

    public var description: String { "\(backend): \(message)" }

    /// Maps a transport failure; `serverMessage` is the message parsed from an error body, if any.
    static func from(_ error: HTTPError, backend: String, serverMessage: String? = nil) -> LLMError {
        let reported = serverMessage.map { ": \($0)" } ?? ""
        switch error.kind {
        case .cancelled: return LLMError(.cancelled, backend: backend, "cancelled")
        case .status(let code):
            let kind: Kind = switch code {
            case 401, 403: .authentication
            case 429: .rateLimited
            case 500...: .server
            default: .badRequest
            }
            let hint = switch code {
            case 401, 403: " (check the API key variable)"
            case 429: error.attempts > 1 ? " after \(error.attempts) attempts" : ""
            default: error.attempts > 1 ? " after \(error.attempts) attempts" : ""
            }
            return LLMError(kind, backend: backend, "HTTP \(code) from \(error.endpoint)\(reported)\(hint)")
        default:
            return LLMError(.network, backend: backend, error.description)
        }
    }
}
