import Foundation
import HTTPKit

/// An OpenAI-compatible `POST /embeddings` endpoint that computes question vectors for packs whose embedding
/// model ytce cannot run itself (config `embedding.backend: "openai"`).
public struct EmbeddingEndpoint: Sendable {
    public let baseURL: String
    public let model: String
    let apiKey: String?
    let timeoutSeconds: Double
    let verifyTLS: Bool
    let http: HTTPClient

    /// The endpoint the config names, or nil when it names none.
    public static func from(_ embedding: PackConfig.Embedding, environment: [String: String], http: HTTPClient = HTTPClient()) -> EmbeddingEndpoint? {
        guard embedding.backend == "openai", let base = embedding.baseURL, let model = embedding.model else { return nil }
        return EmbeddingEndpoint(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, model: model,
                                 apiKey: environment[embedding.apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 },
                                 timeoutSeconds: embedding.timeoutSeconds, verifyTLS: embedding.verifyTLS, http: http)
    }

    /// The embedding of `text`, unit length as pack vectors are.
    public func embed(_ text: String, cancellation: HTTPCancellation? = nil) async throws(LLMError) -> [Float] {
        var request = HTTPRequest.json(url: baseURL + "/embeddings",
                                       body: JSONValue.serialize(.object(["model": .string(model), "input": .array([.string(text)])])))
        if let apiKey { request.setBearerToken(apiKey) }
        request.verifyTLS = verifyTLS
        request.isSafeToRepeat = true
        request.timeouts = HTTPTimeouts(connect: min(10, timeoutSeconds), idle: timeoutSeconds, total: timeoutSeconds)
        let response: HTTPResponse
        do { response = try await http.send(request, cancellation: cancellation) } catch {
            throw LLMError.from(error, backend: "embeddings", serverMessage: LLMHubClient.errorMessage(error.body))
        }
        let json = try parseJSONBody(response.body, backend: "embeddings", what: "the /embeddings reply")
        guard let values = json["data"]?.arrayValue?.first?["embedding"]?.arrayValue, !values.isEmpty else {
            throw LLMError(.badResponse, backend: "embeddings", "the /embeddings reply has no data[0].embedding")
        }
        var vector: [Float] = []
        vector.reserveCapacity(values.count)
        for value in values {
            guard let number = value.doubleValue else { throw LLMError(.badResponse, backend: "embeddings", "data[0].embedding holds \(value.typeName)") }
            vector.append(Float(number))
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}
