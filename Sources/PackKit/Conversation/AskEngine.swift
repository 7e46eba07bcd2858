import Foundation

/// An open pack and everything that answers questions over it: the retriever and answerer, the configured model
/// (if any) and an embeddings endpoint (if the config names one). Conversations share it; pack access is
/// serialised by a lock (the retriever keeps prepared statements and caches), held only while retrieving.
public final class AskEngine: @unchecked Sendable {
    public let packPath: String
    public let manifest: PackManifest
    public let counts: ChannelPack.Counts
    /// What the user should know about the pack and how it is searched.
    public let notes: [String]
    /// Why the config's embeddings endpoint is not used for this pack (it serves another model); nil otherwise.
    /// It stands among the notes of every answer and search, as the retrieval's own notes do.
    public let endpointNote: String?
    /// How questions are matched: semantic, hash, or lexical only.
    public let retrieval: RetrievalMode
    /// The configured model ("openai gpt-4o-mini"), or "offline" when the config names none.
    public let modelLabel: String
    public var hasModel: Bool { model != nil }
    /// The config's model settings (the extractive backend when it names none).
    public let llm: LLMSettings
    public var channelTitle: String { manifest.channelTitle }

    private let pack: ChannelPack
    private let answerer: QuestionAnswerer
    private let model: AnswerModel?
    private let endpoint: EmbeddingEndpoint?
    private let lock = NSLock()
    private var preferOffline: Bool
    private var listing: [VideoListing]?
    public let folding = FollowUpFolding()

    /// Over an opened `pack`: `config` picks the answer settings, the model and the embeddings endpoint;
    /// `modelDirectory` overrides the config's folder of embedding models; `configName` names the config in errors.
    public init(pack: ChannelPack, packPath: String, cache: PackCache, config: PackConfig, environment: [String: String],
                modelDirectory: String? = nil, configName: String = "config") throws {
        self.pack = pack
        self.packPath = packPath
        manifest = pack.manifest
        counts = pack.counts
        let retriever = try Retriever(pack: pack, cache: cache, modelDirectory: modelDirectory ?? config.embedding.modelDirectory)
        answerer = QuestionAnswerer(pack: pack, retriever: retriever, settings: config.answer)
        let llm = try LLMSettings.resolve(config.llm, file: configName)
        self.llm = llm
        model = LLMClients.make(llm, environment: environment).map { AnswerModel(client: $0, settings: llm) }
        // Question vectors come from the endpoint only when it computes the pack's own model: another model's
        // vectors live in another space (the retriever embeds the question itself when it can).
        let configured = EmbeddingEndpoint.from(config.embedding, environment: environment)
        if let configured, !configured.serves(modelID: pack.manifest.embeddingModelID) {
            endpoint = nil
            endpointNote = "the config's embeddings endpoint serves '\(configured.model)', not the pack's model '\(pack.manifest.embeddingModelID)': not used"
        } else {
            endpoint = configured
            endpointNote = nil
        }
        notes = pack.notes + retriever.notes
        retrieval = retriever.mode(endpoint: endpoint != nil)
        modelLabel = model == nil ? "offline" : "\(llm.backend.rawValue) \(llm.model)"
        preferOffline = model == nil
    }

    /// Opens the pack at `path` through `cache`, then as `init(pack:…)`.
    public convenience init(path: String, cache: PackCache, config: PackConfig, environment: [String: String],
                            modelDirectory: String? = nil, configName: String = "config") throws {
        try self.init(pack: try ChannelPack.open(path, options: .init(cache: cache)), packPath: path, cache: cache, config: config,
                      environment: environment, modelDirectory: modelDirectory, configName: configName)
    }

    /// Whether answers come from the model (configured and not switched off).
    public var usesModel: Bool { lock.withLock { !preferOffline && model != nil } }
    /// What answers now: "offline", or the model.
    public var backendLabel: String { usesModel ? modelLabel : "offline" }

    /// Switches between the configured model and the offline answerer; false when asked for a model and none is
    /// configured.
    @discardableResult
    public func useModel(_ on: Bool) -> Bool {
        lock.withLock { preferOffline = !on || model == nil }
        return !on || model != nil
    }

    /// The retriever, for what reads only its lexical index (read-only once open, so no lock): `CrossPackRanking`.
    var rankingRetriever: Retriever { answerer.retriever }

    /// The model that answers now, nil offline.
    var answeringModel: AnswerModel? { usesModel ? model : nil }

    /// Runs `body` with the pack, serialised with questions (transcripts, listings).
    public func withPack<T>(_ body: (ChannelPack) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(pack)
    }

    /// The pack's videos (read once).
    public func videos() throws -> [VideoListing] {
        try withPack { pack in
            if let listing { return listing }
            let read = try VideoListing.all(in: pack)
            listing = read
            return read
        }
    }

    /// The question's vector from the embeddings endpoint, when the config names one that serves the pack's model.
    /// Cancelling the task stops it.
    func endpointVector(_ text: String) async throws(LLMError) -> [Float]? {
        guard let endpoint else { return nil }
        return try await endpoint.embed(text)
    }

    /// The scope's video ids (nil for the whole channel).
    func videoIDs(in scope: AskScope) throws -> Set<String>? {
        scope.isAll ? nil : try scope.videos(in: videos())
    }

    /// The folding of `thread` into `question` asked within `scope` (video ids; nil: the whole channel), made
    /// under the pack lock.
    func fold(_ question: String, thread: [FollowUpFolding.Turn], scope: Set<String>?, leaning: Bool? = nil) -> RetrievalContext {
        lock.withLock { folding.context(for: question, thread: thread, scope: scope, retriever: answerer.retriever, leaning: leaning) }
    }

    /// Retrieval and evidence for a question, under the pack lock.
    /// Whether a question that seemed to stand alone, answered from `hits`, continues `thread` after all.
    func continuesThread(_ hits: [SearchHit], thread: [FollowUpFolding.Turn], endpointVector: Bool) -> Bool {
        let semantic = lock.withLock { answerer.retriever.mode(endpoint: endpointVector) == .semantic }
        return folding.continuesThread(hits, thread: thread, semantic: semantic)
    }

    func prepare(_ question: String, vector: [Float]?, forModel: Bool, context: RetrievalContext) throws -> PreparedQuestion {
        var prepared = try lock.withLock { try answerer.prepare(question, queryVector: vector, forModel: forModel, context: context) }
        if let endpointNote { prepared.notes.append(endpointNote) }
        return prepared
    }

    /// Moments for `question` within `scope` (`pack search`, the search pane): no answer is written. A question in
    /// double quotes is an exact phrase (`Retriever.find`), which needs no vector.
    public func search(_ question: String, topK: Int, scope: AskScope = .all) async throws -> SearchResult {
        let ranked = try await rank(question, topK: topK, scope: scope)
        return SearchResult(hits: try hits(ranked, ranked.moments.indices), notes: ranked.notes)
    }

    /// `search`'s moments ranked, not yet resolved (`hits(_:_:)`): the search pane lists its first screenful before
    /// the rest are read.
    public func rank(_ question: String, topK: Int, scope: AskScope = .all) async throws -> RankedMoments {
        let vector = Topic.isPhrase(question) ? nil : try await endpointVector(question)
        let videos = try videoIDs(in: scope)
        var ranked = try lock.withLock {
            try answerer.retriever.rankedMoments(question, topK: topK, queryVector: vector, context: RetrievalContext(videoIDs: videos))
        }
        if let endpointNote { ranked.notes.append(endpointNote) }
        return ranked
    }

    /// The moments of `ranked` (from `rank`) at `range`, resolved to their titles and transcript segments.
    public func hits(_ ranked: RankedMoments, _ range: Range<Int>) throws -> [SearchHit] {
        try lock.withLock { try answerer.retriever.hits(ranked, range) }
    }

    /// The topic's timeline over the pack (`pack timeline`, the Timeline pane).
    public func timeline(_ topic: Topic, by grouping: TopicTimeline.Grouping) throws -> TopicTimeline {
        try lock.withLock { try answerer.retriever.timeline(topic, by: grouping) }
    }

    /// Moments of this pack resolved to their titles and transcript segments.
    public func hits(for moments: [Moment]) throws -> [SearchHit] {
        try lock.withLock { try answerer.retriever.hits(for: moments) }
    }
}
