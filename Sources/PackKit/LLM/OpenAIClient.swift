import Foundation
import HTTPKit

/// An OpenAI-compatible server (OpenAI, vLLM, llama.cpp's server, Ollama's `/v1`, RunPod's `/openai/v1`):
/// `POST /chat/completions`, whole or streamed as `data: {"choices":[{"delta":{"content":…}}]}` lines ending
/// with `data: [DONE]`; errors are `{"error": {"message", "type", "code"}}`, also mid-stream.
struct OpenAIClient: LLMClient {
    let settings: LLMSettings
    let apiKey: String?
    let http: HTTPClient
    var backendName: String { "openai" }

    func payload(_ messages: [PromptBuilder.Message], stream: Bool) -> JSONValue {
        var object: [String: JSONValue] = [
            "model": .string(settings.model),
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .string($0.text)]) }),
            "temperature": .number(settings.temperature),
            "max_tokens": .number(Double(settings.maxNewTokens)),
            "stream": .bool(stream),
        ]
        if let topP = settings.topP { object["top_p"] = .number(topP) }
        return .object(object)
    }

    func complete(_ messages: [PromptBuilder.Message], stream: Bool,
                  onDelta: @Sendable (String) -> Void) async throws(LLMError) -> LLMCompletion {
        let request = settings.request("/chat/completions", body: payload(messages, stream: stream), apiKey: apiKey, streaming: stream)
        if !stream {
            let response: HTTPResponse
            do { response = try await http.send(request, cancellation: nil) } catch {
                throw LLMError.from(error, backend: backendName, serverMessage: LLMHubClient.errorMessage(error.body))
            }
            let json = try parseJSONBody(response.body, backend: backendName, what: "the /chat/completions reply")
            if let message = LLMHubClient.errorMessage(json) { throw LLMError(.server, backend: backendName, message) }
            guard let choice = json["choices"]?.arrayValue?.first else {
                throw LLMError(.badResponse, backend: backendName, "the /chat/completions reply has no 'choices'")
            }
            let text = choice["message"]?["content"]?.stringValue ?? choice["text"]?.stringValue ?? ""
            onDelta(text)
            return LLMCompletion(text: text, finishReason: choice["finish_reason"]?.stringValue,
                                 promptTokens: json["usage"]?["prompt_tokens"]?.intValue,
                                 completionTokens: json["usage"]?["completion_tokens"]?.intValue)
        }

        var completion = LLMCompletion(text: "")
        var done = false
        do {
            for try await event in http.stream(request, cancellation: nil).serverSentEvents() {
                let data = event.data.trimmingCharacters(in: .whitespaces)
                if data == "[DONE]" { done = true; break }
                if data.isEmpty { continue }
                let json = try parseJSONBody(Array(data.utf8), backend: backendName, what: "a stream line")
                if let message = LLMHubClient.errorMessage(json) {
                    throw LLMError(.server, backend: backendName, "the model failed mid-answer: \(message)")
                }
                guard let choice = json["choices"]?.arrayValue?.first else { continue }  // e.g. a usage-only line
                if let piece = choice["delta"]?["content"]?.stringValue ?? choice["text"]?.stringValue, !piece.isEmpty {
                    completion.text += piece
                    onDelta(piece)
                }
                if let reason = choice["finish_reason"]?.stringValue { completion.finishReason = reason }
                if let usage = json["usage"], usage != .null {
                    completion.promptTokens = usage["prompt_tokens"]?.intValue
                    completion.completionTokens = usage["completion_tokens"]?.intValue
                }
            }
        } catch let error as LLMError {
            throw error
        } catch let error as HTTPError {
            throw LLMError.from(error, backend: backendName, serverMessage: LLMHubClient.errorMessage(error.body))
        } catch {
            throw LLMError(.network, backend: backendName, "\(error)")
        }
        // Some servers close without [DONE] after a finish reason; a stream cut off before either is an error.
        if !done && completion.finishReason == nil {
            throw LLMError(.network, backend: backendName, "the stream ended before 'data: [DONE]' (\(completion.text.count) characters received)")
        }
        return completion
    }
}
