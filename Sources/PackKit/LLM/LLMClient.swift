import Foundation
import HTTPKit

/// A model reply: its text and what the server said about it.
public struct LLMCompletion: Sendable, Equatable {
    public var text: String
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?

    public init(text: String, finishReason: String? = nil, promptTokens: Int? = nil, completionTokens: Int? = nil) {
        self.text = text
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// A chat model behind HTTP. `onDelta` receives each piece of text as it arrives when `stream` is true (and
/// the whole text once otherwise); the returned completion holds all of it.
public protocol LLMClient: Sendable {
    var backendName: String { get }
    func complete(_ messages: [PromptBuilder.Message], stream: Bool,
                  onDelta: @Sendable (String) -> Void) async throws(LLMError) -> LLMCompletion
}

public enum LLMClients {
    /// The client for `settings`, reading the API key from the environment now; nil for the offline backend.
    public static func make(_ settings: LLMSettings, environment: [String: String], http: HTTPClient = HTTPClient()) -> (any LLMClient)? {
        let key = environment[settings.apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
        switch settings.backend {
        case .extractive: return nil
        case .llmhub: return LLMHubClient(settings: settings, apiKey: key, http: http)
        case .openai: return OpenAIClient(settings: settings, apiKey: key, http: http)
        }
    }
}

extension LLMSettings {
    /// An HTTP request to `path` under the base URL with a JSON body, the key as a secret bearer token.
    func request(_ path: String, body: JSONValue, apiKey: String?, streaming: Bool) -> HTTPRequest {
        var request = HTTPRequest.json(url: baseURL + path, body: JSONValue.serialize(body))
        if let apiKey { request.setBearerToken(apiKey) }
        if streaming { request.headers.set("Accept", "text/event-stream") }
        request.verifyTLS = verifyTLS
        // A generation may think for a while before its first byte; the whole call is bounded by timeout_s.
        request.timeouts = HTTPTimeouts(connect: min(10, timeoutSeconds), idle: timeoutSeconds, total: streaming ? nil : timeoutSeconds)
        // Asking again for an answer does no harm: nothing is created on the server.
        request.isSafeToRepeat = true
        return request
    }
}

/// Parses a JSON body or says in one line what was wrong with it.
func parseJSONBody(_ bytes: [UInt8], backend: String, what: String) throws(LLMError) -> JSONValue {
    do { return try JSONValue.parse(Data(bytes)) } catch {
        let excerpt = String(decoding: bytes.prefix(120), as: UTF8.self)
        throw LLMError(.badResponse, backend: backend, "\(what) is not JSON (\(error.reason)): \(excerpt)")
    }
}
