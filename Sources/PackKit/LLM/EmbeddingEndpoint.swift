import Foundation
import HTTPKit

/// An OpenAI-compatible `POST /embeddings` endpoint (OpenAI, vLLM, TEI, Ollama's `/v1`, a RunPod embedding worker):
/// config `embedding.backend: "openai"`. One client serves both uses: question vectors for packs whose model ytce
/// cannot run itself, and a pack's chunk and section vectors at build time (`EndpointEmbedder`, in batches).
public struct EmbeddingEndpoint: Sendable {
    public let baseURL: String
    public let model: String
    let apiKey: String?
    let timeoutSeconds: Double
    let verifyTLS: Bool
    let http: HTTPClient
    /// Retries of one request: 429 and 5xx answers and connection failures, with exponential backoff and jitter,
    /// honouring `Retry-After`. An embeddings request is always safe to send again.
    public var retryPolicy = RetryPolicy(maxAttempts: 4, retryableStatuses: [429, 500, 502, 503, 504])

    /// The endpoint the config names, or nil when it names none.
    public static func from(_ embedding: PackConfig.Embedding, environment: [String: String], http: HTTPClient = HTTPClient()) -> EmbeddingEndpoint? {
        guard embedding.backend == "openai", let base = embedding.baseURL, let model = embedding.model else { return nil }
        return EmbeddingEndpoint(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, model: model,
                                 apiKey: environment[embedding.apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 },
                                 timeoutSeconds: embedding.timeoutSeconds, verifyTLS: embedding.verifyTLS, http: http)
    }

    /// Whether this endpoint computes the vectors of a pack made with `modelID`: the same model name, compared
    /// without an organisation prefix ("sentence-transformers/all-MiniLM-L6-v2" and "all-MiniLM-L6-v2" agree).
    public func serves(modelID: String) -> Bool {
        func bare(_ name: String) -> String { String(name.split(separator: "/").last ?? Substring(name)).lowercased() }
        return bare(modelID) == bare(model)
    }

    /// The embedding of `text`, unit length as pack vectors are. Cancelling the calling task stops the request.
    public func embed(_ text: String) async throws(LLMError) -> [Float] {
        try await embed([text], cancellation: nil).vectors[0]
    }

    /// The embeddings of `texts` (one request), in order, each unit length. Cancelling the calling task stops it.
    public func embed(_ texts: [String]) async throws(LLMError) -> EmbeddingReply {
        try await embed(texts, cancellation: nil)
    }

    /// The same, also stopped by `cancellation`: the build's dispatcher cancels every request in flight when one
    /// fails. Internal, so PackKit's public API takes no `HTTPCancellation` (callers cancel their task instead).
    func embed(_ texts: [String], cancellation: HTTPCancellation?) async throws(LLMError) -> EmbeddingReply {
        let body = JSONValue.serialize(.object(["model": .string(model), "input": .array(texts.map { .string($0) })]))
        var request = HTTPRequest.json(url: baseURL + "/embeddings", body: body)
        if let apiKey { request.setBearerToken(apiKey) }
        request.verifyTLS = verifyTLS
        request.isSafeToRepeat = true
        request.retryPolicy = retryPolicy
        request.timeouts = HTTPTimeouts(connect: min(10, timeoutSeconds), idle: timeoutSeconds, total: timeoutSeconds)
        let response: HTTPResponse
        do { response = try await http.send(request, cancellation: cancellation) } catch {
            throw LLMError.from(error, backend: "embeddings", serverMessage: LLMHubClient.errorMessage(error.body))
        }
        return try EmbeddingReply.parse(response.body, count: texts.count)
    }
}
