import Foundation
import HTTPKit
import JobKit
import PackKit

/// What one question produced: the answer text with its checked citations and the evidence it was drawn from.
public struct AskOutcome: Sendable {
    public var question: String
    public var text: String
    public var sources: [Answer.Source]
    /// The retrieved moments (score and text) the citation browser shows.
    public var hits: [SearchHit]
    public var notes: [String]
    /// Citations that pointed at no evidence (LLM backends only).
    public var invented: [Citation]
}

/// An open pack and the engine over it, shared by the UI's background work. The retriever keeps prepared
/// statements and caches, so all use is serialised by a lock; questions are short, so nobody waits long.
public final class PackSession: @unchecked Sendable {
    public let path: String
    public let manifest: PackManifest
    public let counts: ChannelPack.Counts
    public let notes: [String]
    /// What answers now: "offline", or the configured model ("openai gpt-4o-mini").
    public var backendLabel: String { usesModel ? modelLabel : "offline" }
    /// The configured model, if the config names one.
    public let modelLabel: String
    public var hasModel: Bool { client != nil }
    private let pack: ChannelPack
    private let retriever: Retriever
    private let llm: LLMSettings
    private let client: (any LLMClient)?
    private let embeddingEndpoint: EmbeddingEndpoint?
    private let lock = NSLock()
    /// Set from the palette (`:backend offline`): answer extractively even though a model is configured.
    private var preferOffline: Bool

    public var usesModel: Bool { lock.withLock { !preferOffline && client != nil } }

    /// Switches between the configured model and the offline answerer; false when no model is configured.
    @discardableResult
    public func useModel(_ on: Bool) -> Bool {
        lock.withLock { preferOffline = !on || client == nil }
        return !on || client != nil
    }

    /// Opens `path` (through the cache) and its retriever; throws the pack's one-line error.
    public init(path: String, cache: PackCache, config: PackConfig, environment: [String: String]) throws {
        let pack = try ChannelPack.open(path, options: .init(cache: cache))
        self.path = path
        self.pack = pack
        self.manifest = pack.manifest
        self.counts = pack.counts
        self.retriever = try Retriever(pack: pack, cache: cache, modelDirectory: config.embedding.modelDirectory)
        self.notes = pack.notes + retriever.notes
        self.llm = try LLMSettings.resolve(config.llm, file: "config")
        self.client = LLMClients.make(llm, environment: environment)
        self.embeddingEndpoint = EmbeddingEndpoint.from(config.embedding, environment: environment)
        self.modelLabel = client == nil ? "offline" : "\(llm.backend.rawValue) \(llm.model)"
        self.preferOffline = client == nil
    }

    public var channelTitle: String { manifest.channelTitle }

    /// Answers `question`: retrieval, then the offline extractive answerer or the configured LLM, whose text
    /// arrives through `onDelta` as it is written. Cancelling `cancellation` stops the model at once.
    public func ask(_ question: String, cancellation: HTTPCancellation,
                    onDelta: @escaping @Sendable (String) -> Void) async throws -> AskOutcome {
        var vector: [Float]?
        if let embeddingEndpoint { vector = try await embeddingEndpoint.embed(question, cancellation: cancellation) }
        guard let client, usesModel else {
            let (answer, result) = try locked { try retriever.answer(question, queryVector: vector) }
            onDelta(answer.text)
            return AskOutcome(question: question, text: answer.text, sources: answer.sources, hits: result.hits,
                              notes: result.notes, invented: [])
        }
        let (result, summaries) = try locked {
            let result = try retriever.search(question, topK: 8, queryVector: vector)
            let summaries = EpisodeSummaries.isBroad(question) ? try EpisodeSummaries.lines(for: result.hits, database: pack.database) : []
            return (result, summaries)
        }
        let answer = try await LLMAnswerer(client: client, settings: llm).answer(
            question: question, channelTitle: manifest.channelTitle, summaries: summaries, hits: result.hits,
            stream: true, cancellation: cancellation, onDelta: onDelta,
            onRetry: { onDelta("\n\n(that draft cited nothing; asking the model once more)\n\n") })
        return AskOutcome(question: question, text: answer.text, sources: answer.sources, hits: result.hits,
                          notes: result.notes, invented: answer.invented)
    }

    public func transcript(_ videoID: String) throws -> VideoTranscript {
        try locked { try VideoTranscript.load(videoID, from: pack) }
    }

    public func videos() throws -> [VideoListing] {
        try locked { try VideoListing.all(in: pack) }
    }

    /// A video's transcript as plain text, for a summarisation job.
    public func transcriptText(_ videoID: String) throws -> TranscriptText {
        try locked { try TranscriptText.packVideo(pack, videoID: videoID, timestamps: false) }
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
