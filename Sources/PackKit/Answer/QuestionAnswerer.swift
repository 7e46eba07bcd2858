/// A model that writes answers: the client and the settings it was made from.
public struct AnswerModel: Sendable {
    public var client: any LLMClient
    public var settings: LLMSettings

    public init(client: any LLMClient, settings: LLMSettings) {
        self.client = client
        self.settings = settings
    }
}

/// What one question produced, whichever backend answered.
public struct AskResult: Sendable {
    public var question: String
    /// The answer as shown: cited sentences, a model's text (invented citations marked), or the refusal.
    public var text: String
    /// In the order their markers first appear in `text`.
    public var sources: [Answer.Source]
    /// False when the answer says the pack holds nothing that answers the question.
    public var isGrounded: Bool
    /// The retrieved moments the evidence was drawn from.
    public var hits: [SearchHit]
    /// What the user should know about how the moments were found (e.g. lexical only).
    public var notes: [String]
    /// The model's answer with its checks, when a model wrote it.
    public var model: LLMAnswer?

    /// Citations that point at nothing the model was given.
    public var invented: [Citation] { model?.invented ?? [] }
}

/// A question made ready to answer: retrieval done and the evidence chosen, so finishing it needs no access to
/// the pack (a caller that serialises pack access holds its lock only for `QuestionAnswerer.prepare`).
public struct PreparedQuestion: Sendable {
    public var question: String
    public var channelTitle: String
    public var hits: [SearchHit]
    public var notes: [String]
    /// The offline answer, when prepared for no model.
    public var offline: Answer?
    /// What a model is given: evidence spans and, for a broad question, episode summaries.
    public var modelEvidence: [SearchHit]
    public var summaries: [String]

    /// The answer: the offline one at once (delivered to `onDelta` whole), or the model's, streamed through
    /// `onDelta` when `stream` is set; `onRetry` is told when a draft that cited nothing is asked for again.
    /// `history`: the conversation's recent turns for the model (cut to their budget by `ConversationHistory`).
    /// Cancelling the task stops the model at once.
    public func complete(model: AnswerModel?, stream: Bool = false, history: [PromptBuilder.Message] = [],
                         onDelta: @Sendable (String) -> Void = { _ in },
                         onRetry: () -> Void = {}) async throws(LLMError) -> AskResult {
        guard let model, offline == nil else {
            let answer = offline ?? Answer(text: ExtractiveAnswerer.nothingRelevant, sources: [], isGrounded: false)
            onDelta(answer.text)
            return AskResult(question: question, text: answer.text, sources: answer.sources, isGrounded: answer.isGrounded,
                             hits: hits, notes: notes, model: nil)
        }
        let answer = try await LLMAnswerer(client: model.client, settings: model.settings).answer(
            question: question, channelTitle: channelTitle, summaries: summaries, hits: modelEvidence,
            stream: stream, history: history, onDelta: onDelta, onRetry: onRetry)
        return AskResult(question: question, text: answer.text, sources: answer.sources, isGrounded: !answer.sources.isEmpty,
                         hits: hits, notes: notes, model: answer)
    }
}

/// Answers questions from one open pack: retrieval, evidence at sentence grain, then the offline answerer or a
/// model over that evidence. The one answering sequence of `pack ask`, `eval --answers` and the explorer.
/// Not thread-safe (the retriever keeps prepared statements): one caller at a time.
public final class QuestionAnswerer {
    public let pack: ChannelPack
    public let retriever: Retriever
    public var settings: AnswerSettings

    public init(pack: ChannelPack, retriever: Retriever, settings: AnswerSettings = AnswerSettings()) {
        self.pack = pack
        self.retriever = retriever
        self.settings = settings
    }

    /// Retrieval and evidence for `question`; `queryVector` is its embedding when an endpoint computed it.
    /// `forModel` prepares evidence spans for a model instead of the offline answer. `context` folds earlier turns
    /// of a conversation into retrieval and limits it to a scope (`RetrievalContext`).
    public func prepare(_ question: String, queryVector: [Float]? = nil, forModel: Bool,
                        context: RetrievalContext = RetrievalContext()) throws -> PreparedQuestion {
        let definition = DefinitionQuestion(question, analyzer: retriever.analyzer)
        let searched = definition?.retrievalText(question) ?? question
        var result = try retriever.search(searched, topK: settings.moments, queryVector: queryVector, context: context)
        if let definition { result.hits = try leadingWithDefinitions(result.hits, definition, scope: context.videoIDs) }
        let evidence = EvidenceJudge(settings: settings).evidence(question: retriever.questionTerms(searched, context: context), hits: result.hits,
                                                                  definition: definition, thread: context.threadSpans)
        let title = pack.manifest.channelTitle
        guard forModel else {
            return PreparedQuestion(question: question, channelTitle: title, hits: result.hits, notes: result.notes,
                                    offline: ExtractiveAnswerer(settings: settings).answer(evidence, hits: result.hits),
                                    modelEvidence: [], summaries: [])
        }
        let summaries = EpisodeSummaries.isBroad(question) ? try EpisodeSummaries.lines(for: result.hits, database: pack.database) : []
        return PreparedQuestion(question: question, channelTitle: title, hits: result.hits, notes: result.notes, offline: nil,
                                modelEvidence: ModelEvidence(settings: settings).spans(evidence, hits: result.hits), summaries: summaries)
    }

    /// `hits` led by moments that say what `definition`'s subject is (`Retriever.definingHits`) more plainly than
    /// the first does, and more than in passing; the moments they overlap give way, and there are as many as before.
    func leadingWithDefinitions(_ hits: [SearchHit], _ definition: DefinitionQuestion, scope: Set<String>?) throws -> [SearchHit] {
        guard settings.definingMoments > 0, let first = hits.first else { return hits }
        let said = TranscriptSentence.split(first, moment: 0).compactMap { definition.definingStrength(of: $0.text, analyzer: retriever.analyzer) }.max()
        let defining = try retriever.definingHits(definition, scope: scope, limit: settings.definingMoments, score: first.score,
                                                  plainerThan: max(said ?? 0, DefinitionQuestion.weakest))
        guard !defining.isEmpty else { return hits }
        let rest = hits.filter { hit in
            !defining.contains { $0.videoID == hit.videoID && $0.startMs < hit.endMs && hit.startMs < $0.endMs }
        }
        return Array((defining + rest).prefix(max(hits.count, defining.count)))
    }

    /// The whole sequence, for callers that own the answerer: `prepare`, then `complete`.
    public func ask(_ question: String, queryVector: [Float]? = nil, model: AnswerModel? = nil, stream: Bool = false,
                    onDelta: @Sendable (String) -> Void = { _ in },
                    onRetry: () -> Void = {}) async throws -> AskResult {
        let prepared = try prepare(question, queryVector: queryVector, forModel: model != nil)
        return try await prepared.complete(model: model, stream: stream, onDelta: onDelta, onRetry: onRetry)
    }
}
