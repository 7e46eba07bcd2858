import Foundation
import HTTPKit

/// Chunk and section vectors computed by an OpenAI-compatible `/embeddings` endpoint (config `embedding.backend:
/// "openai"`, `pack build --embedding openai`): any model a RunPod worker, vLLM, TEI, Ollama or OpenAI serves.
/// Build threads ask for vectors as they need them; an `EmbeddingDispatcher` batches the texts of all of them, keeps
/// several requests in flight and caches every answer (`EmbeddingCache`), so a killed build pays nothing twice.
///
/// Sessions block while their vectors are computed: the builder gives such an embedder more lanes than cores
/// (`blockingLanes`), so that the endpoint always has work queued. A failure (after retries) is kept in `failure`,
/// which the builder checks after every batch of videos; the vectors returned meanwhile are zeros.
public final class EndpointEmbedder: Embedder, @unchecked Sendable {
    public let modelID: String
    public let dimension: Int
    let dispatcher: EmbeddingDispatcher
    private let cancelled: @Sendable () -> Bool

    /// A trained model: its vectors carry meaning.
    public var semanticQueries: Bool { true }
    public var blockingLanes: Int? { lanes }
    private let lanes: Int
    public var failure: EmbedderProblem? { dispatcher.failure }
    public var statistics: EmbeddingStatistics { dispatcher.statistics }

    init(endpoint: EmbeddingEndpoint, cache: EmbeddingCache?, dimension: Int, batchSize: Int, concurrency: Int,
         isCancelled: @escaping @Sendable () -> Bool) {
        self.modelID = endpoint.model
        self.dimension = dimension
        self.cancelled = isCancelled
        // Each lane holds one video's texts (about two batches for an hour): four lanes per request in flight keep
        // the queue from running dry.
        self.lanes = min(256, max(8, 4 * concurrency))
        self.dispatcher = EmbeddingDispatcher(endpoint: endpoint, cache: cache, batchSize: batchSize, concurrency: concurrency,
                                              dimension: dimension)
    }

    /// The embedder the config's `embedding` block names (backend `openai`). Its vector length is the one the cache
    /// remembers for the model, else what the endpoint answers to one probe (checked against an explicit
    /// `embedding.dim`). `cachePath` nil: no cache.
    public static func connect(_ settings: PackConfig.Embedding, environment: [String: String], cachePath: String?,
                               isCancelled: @escaping @Sendable () -> Bool = { false }) throws(EmbedderProblem) -> EndpointEmbedder {
        guard let endpoint = EmbeddingEndpoint.from(settings, environment: environment) else {
            throw EmbedderProblem(message: "the openai embedding backend needs 'embedding.base_url' and 'embedding.model' in the config")
        }
        var cache: EmbeddingCache?
        if let cachePath {
            do { cache = try EmbeddingCache(path: cachePath) } catch { throw EmbedderProblem(message: error.description) }
        }
        var dimension = (try? cache?.dimension(of: endpoint.model)) ?? nil
        if dimension == nil {
            let probe = "dimension probe"
            let reply: EmbeddingReply
            do { reply = try blocking { () async throws(LLMError) in try await endpoint.embed([probe]) } } catch {
                throw EmbedderProblem(message: "\(endpoint.baseURL)/embeddings: \(error.message)")
            }
            let vector = reply.vectors.first ?? []
            dimension = vector.count
            try? cache?.store([(EmbeddingCache.key(model: endpoint.model, text: probe), vector)])
            try? cache?.remember(dimension: vector.count, of: endpoint.model)
        }
        guard let dimension, dimension > 0 else { throw EmbedderProblem(message: "\(endpoint.baseURL)/embeddings returned an empty vector") }
        if let expected = settings.explicitDimension, expected != dimension {
            throw EmbedderProblem(message: "'embedding.dim' is \(expected) but model '\(endpoint.model)' at \(endpoint.baseURL) makes \(dimension)-dimensional vectors")
        }
        return EndpointEmbedder(endpoint: endpoint, cache: cache, dimension: dimension, batchSize: settings.batchSize,
                                concurrency: settings.concurrency, isCancelled: isCancelled)
    }

    public func makeSession() -> any EmbeddingSession { EndpointEmbeddingSession(self) }

    func vectors(_ texts: [String]) -> [Float] {
        guard !texts.isEmpty else { return [] }
        switch dispatcher.vectors(texts, isCancelled: cancelled) {
        case .success(let rows): return rows
        case .failure: return [Float](repeating: 0, count: texts.count * dimension)
        }
    }

    /// Runs async work to its end from synchronous code (a build's setup, off the cooperative pool).
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws(LLMError) -> T) throws(LLMError) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            do throws(LLMError) { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        switch box.result {
        case .success(let value)?: return value
        case .failure(let error)?: throw error
        case nil: throw LLMError(.cancelled, backend: "embeddings", "cancelled")
        }
    }

    private final class ResultBox<T: Sendable>: @unchecked Sendable {
        var result: Result<T, LLMError>?
    }
}

/// A build lane's view of an `EndpointEmbedder`: each call waits for its vectors.
final class EndpointEmbeddingSession: EmbeddingSession {
    let embedder: EndpointEmbedder
    init(_ embedder: EndpointEmbedder) { self.embedder = embedder }

    func embed(_ text: String, into out: inout [Float], at offset: Int) {
        let vector = embedder.vectors([text])
        for k in 0..<min(vector.count, out.count - offset) { out[offset + k] = vector[k] }
    }

    func embed(_ texts: [String], dimension: Int) -> [Float] { embedder.vectors(texts) }
}
