import Foundation
import HTTPKit

/// The llmhub-node server: `POST /generate` answers `{text, usage, finishReason}`; `POST /generate/stream`
/// answers server-sent events: `event: chunk` frames whose data is `{type: "delta", textDelta}`,
/// `{type: "message_end", usage, finishReason}` or `{type: "error", error: {kind, message}}`, then `event: done`.
/// A failure inside the server's handler arrives as `event: error` with `{kind, message}` under HTTP 200; the
/// reference client shows an empty answer for it, ytce reports it.
struct LLMHubClient: LLMClient {
    let settings: LLMSettings
    let apiKey: String?
    let http: HTTPClient
    var backendName: String { "llmhub" }

    func body(_ messages: [PromptBuilder.Message]) -> JSONValue {
        var object: [String: JSONValue] = [
            "provider": .string(settings.provider ?? ""),
            "model": .string(settings.model),
            "messages": .array(messages.map {
                .object(["role": .string($0.role), "content": .array([.object(["type": .string("text"), "text": .string($0.text)])])])
            }),
            "temperature": .number(settings.temperature),
            "maxTokens": .number(Double(settings.maxNewTokens)),
        ]
        if let topP = settings.topP { object["topP"] = .number(topP) }
        return .object(object)
    }

    func complete(_ messages: [PromptBuilder.Message], stream: Bool,
                  onDelta: @Sendable (String) -> Void) async throws(LLMError) -> LLMCompletion {
        let payload = body(messages)
        if !stream {
            let response: HTTPResponse
            do {
                response = try await http.send(settings.request("/generate", body: payload, apiKey: apiKey, streaming: false), cancellation: nil)
            } catch {
                throw LLMError.from(error, backend: backendName, serverMessage: Self.errorMessage(error.body))
            }
            let json = try parseJSONBody(response.body, backend: backendName, what: "the /generate reply")
            if let message = Self.errorMessage(json) { throw LLMError(.server, backend: backendName, message) }
            guard let text = json["text"]?.stringValue ?? (json["text"] == nil || json["text"] == .null ? "" : nil) else {
                throw LLMError(.badResponse, backend: backendName, "the /generate reply has a 'text' that is not a string")
            }
            onDelta(text)
            return LLMCompletion(text: text, finishReason: json["finishReason"]?.stringValue,
                                 promptTokens: Self.usage(json["usage"], "inputTokens", "promptTokens"),
                                 completionTokens: Self.usage(json["usage"], "outputTokens", "completionTokens"))
        }

        let events = http.stream(settings.request("/generate/stream", body: payload, apiKey: apiKey, streaming: true),
                                 cancellation: nil).serverSentEvents()
        var completion = LLMCompletion(text: "")
        var ended = false
        do {
            for try await event in events {
                switch event.event {
                case "chunk":
                    let data = try parseJSONBody(Array(event.data.utf8), backend: backendName, what: "a stream chunk")
                    switch data["type"]?.stringValue {
                    case "delta":
                        let piece = data["textDelta"]?.stringValue ?? ""
                        completion.text += piece
                        if !piece.isEmpty { onDelta(piece) }
                    case "message_end":
                        completion.finishReason = data["finishReason"]?.stringValue
                        completion.promptTokens = Self.usage(data["usage"], "inputTokens", "promptTokens")
                        completion.completionTokens = Self.usage(data["usage"], "outputTokens", "completionTokens")
                    case "error":
                        throw LLMError(.server, backend: backendName, "the model failed mid-answer: \(Self.describe(data["error"]))")
                    default:
                        continue  // a frame type this version does not know: ignore, as the protocol allows
                    }
                case "error":
                    // The handler's own failure: `{kind, message}` with no `type`, under HTTP 200.
                    let data = (try? JSONValue.parse(Data(event.data.utf8))) ?? .string(event.data)
                    throw LLMError(.server, backend: backendName, "the server failed: \(Self.describe(data))")
                case "done":
                    ended = true
                default:
                    continue
                }
                if ended { break }
            }
        } catch let error as LLMError {
            throw error
        } catch let error as HTTPError {
            throw LLMError.from(error, backend: backendName, serverMessage: Self.errorMessage(error.body))
        } catch {
            throw LLMError(.network, backend: backendName, "\(error)")
        }
        if !ended {
            throw LLMError(.network, backend: backendName, "the stream ended before 'event: done' (\(completion.text.count) characters received)")
        }
        return completion
    }

    static func usage(_ value: JSONValue?, _ keys: String...) -> Int? {
        for key in keys { if let n = value?[key]?.intValue { return n } }
        return nil
    }

    /// `kind: message` of an error object, or its text.
    static func describe(_ value: JSONValue?) -> String {
        guard let value else { return "no details" }
        if let message = value["message"]?.stringValue {
            return [value["kind"]?.stringValue, message].compactMap { $0 }.joined(separator: ": ")
        }
        return value.stringValue ?? JSONValue.serialize(value)
    }

    /// The message of an `{"error": {...}}` body.
    static func errorMessage(_ json: JSONValue) -> String? {
        guard let error = json["error"], error != .null else { return nil }
        return describe(error)
    }

    static func errorMessage(_ body: String) -> String? {
        guard !body.isEmpty, let json = try? JSONValue.parse(Data(body.utf8)) else { return nil }
        return errorMessage(json)
    }
}
