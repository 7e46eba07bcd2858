import Foundation

/// A line of inquiry over an open pack: each question is answered in the context of the ones before it, and
/// every finished turn is kept (in a `ConversationStore`, when given). The one ask API of ytce: the explorer,
/// the line REPL, `pack ask` and `eval --answers` all ask through it.
///
/// Asking: offline, a follow-up has the thread's key terms (and, on semantic packs, its vector) folded into
/// retrieval (`FollowUpFolding`); with a model, the model first rewrites a follow-up into a standalone question
/// (`QuestionRewrite`) and the recent turns go into the answer's prompt (`ConversationHistory`). Cancelling the
/// asking task stops the model at once; a cancelled or failed question leaves no turn.
public final class Conversation: @unchecked Sendable {
    public let engine: AskEngine
    /// Where finished turns are written; nil keeps them in memory only.
    public let store: ConversationStore?
    private let lock = NSLock()
    /// Held while the conversation is entered in the store, so a pin and a turn saved at once enter it once.
    private let entering = NSLock()
    private var storedID: Int64?
    private var name: String?
    private var kept: [ConversationTurn]
    private var thread: [FollowUpFolding.Turn]
    private var defaultScope = AskScope.all

    /// A new conversation; it enters the store (under `name`, if given) with its first finished turn.
    public init(engine: AskEngine, store: ConversationStore? = nil, name: String? = nil) {
        self.engine = engine
        self.store = store
        self.name = name
        kept = []
        thread = []
    }

    /// Continues the stored conversation `summary`: its turns are read from the store, only the last
    /// `recentTurns` when given (`turns` then holds those; `followUpTurns` is all a question reaches back to), and
    /// questions are asked in the scope of its last turn.
    public init(engine: AskEngine, store: ConversationStore, continuing summary: ConversationStore.Summary,
                recentTurns: Int? = nil) throws(ConversationStore.Problem) {
        self.engine = engine
        self.store = store
        storedID = summary.id
        name = summary.name
        kept = try store.turns(summary.id, last: recentTurns)
        thread = kept.map { FollowUpFolding.Turn($0) }
        // Its questions go on in the scope its last one was asked in: the thread would otherwise continue with
        // the analyst's scope silently dropped (a follow-up on "title dictionaries" quoted the whole channel).
        defaultScope = kept.last?.scope ?? .all
    }

    /// The pack's last conversation from `store`, continued, or a new one when it has none.
    public static func latest(engine: AskEngine, store: ConversationStore) throws(ConversationStore.Problem) -> Conversation {
        guard let last = try store.latest(channelID: engine.manifest.channelID) else { return Conversation(engine: engine, store: store) }
        return try Conversation(engine: engine, store: store, continuing: last)
    }

    /// The most earlier turns a question reaches back to: folding goes `FollowUpFolding.turnsBack` turns back, a
    /// model's history fits a few answers in its token budget (`ConversationHistory.maxTokens`).
    public static let followUpTurns = 10

    static let retriedNote = "the model's first draft cited nothing; it was asked once more"

    /// The finished turns, oldest first.
    public var turns: [ConversationTurn] { lock.withLock { kept } }
    /// The id in the store, once the first turn is saved.
    public var id: Int64? { lock.withLock { storedID } }
    public var label: String? { lock.withLock { name ?? storedID.map { "#\($0)" } } }
    /// The scope questions are asked in when they name none.
    public var scope: AskScope {
        get { lock.withLock { defaultScope } }
        set { lock.withLock { defaultScope = newValue } }
    }

    /// Asks `question` (in `scope`, else the conversation's), reporting progress to `onEvent` in the order of
    /// `AskEvent`; returns the finished answer, which is also the last event. `stream` asks a model to stream
    /// its text (an offline answer arrives whole either way).
    @discardableResult
    public func ask(_ question: String, scope: AskScope? = nil, stream: Bool = true,
                    onEvent: @escaping @Sendable (AskEvent) -> Void = { _ in }) async throws -> AskResult {
        let scope = scope ?? self.scope
        let (earlier, folds) = lock.withLock { (kept, thread) }
        let model = engine.answeringModel
        var searchText = question
        var history: [PromptBuilder.Message] = []
        if let model, !earlier.isEmpty {
            history = ConversationHistory.messages(earlier, budget: ConversationHistory.budget(model.settings))
            searchText = try await Self.rewritten(question, history: history, model: model)
            if searchText != question { onEvent(.searching(searchText)) }
        }
        try Task.checkCancellation()
        let vector = try await Self.endpointVector(engine, searchText)
        let (prepared, followedOn) = try Self.prepared(engine, question: question, searchText: searchText, vector: vector,
                                                       model: model, scope: scope, folds: folds, previous: earlier.last, onEvent: onEvent)
        onEvent(.evidence(prepared.hits))
        for note in prepared.notes { onEvent(.note(note)) }
        // A model's draft that cites nothing is asked for again and discarded: it is held back, never shown.
        let shown = KeptAnswerStream(output: { onEvent(.delta($0)) })
        var result = try await Self.completed(prepared, model: model, stream: stream, history: history,
                                              onDelta: { shown.delta($0) }, onRetry: { shown.discardDraft(); onEvent(.draftDiscarded) })
        try Task.checkCancellation()
        shown.finish()
        if result.model?.regenerated == true { result.notes.append(Self.retriedNote) }
        let turn = ConversationTurn(question: question, searchedFor: searchText == question ? nil : searchText, followedOn: followedOn,
                                    scope: scope, answer: result.text, grounded: result.isGrounded, sources: result.sources,
                                    backend: model == nil ? "offline" : engine.modelLabel, askedAt: Date())
        lock.withLock {
            kept.append(turn)
            thread.append(FollowUpFolding.Turn(turn, vector: vector))
        }
        if let problem = save(turn) { onEvent(.note(problem)) }
        onEvent(.finished(result))
        return result
    }

    // The typed-throws async calls are made from these small untyped steps: swiftc 6.3.1 crashed (signal 11 in
    // LLVM's coroutine splitting, emitSetAndGetSwiftErrorValueAround) compiling `ask` with -O when it made them itself.
    /// Retrieval and evidence for the turn (folding in the thread offline), as one synchronous step.
    @inline(never)
    private static func prepared(_ engine: AskEngine, question: String, searchText: String, vector: [Float]?, model: AnswerModel?,
                                 scope: AskScope, folds: [FollowUpFolding.Turn], previous: ConversationTurn?,
                                 onEvent: @Sendable (AskEvent) -> Void) throws -> (PreparedQuestion, Bool) {
        let videoIDs = try engine.videoIDs(in: scope)
        var context = RetrievalContext()
        if model == nil {
            context = engine.fold(question, thread: folds, scope: videoIDs)
            if context.judgesWithFoldedTerms, !context.isEmpty, let previous {
                onEvent(.followingOn(previous.question))
            }
        }
        var followedOn = context.judgesWithFoldedTerms && !context.isEmpty
        context.videoIDs = videoIDs
        try Task.checkCancellation()
        var prepared = try engine.prepare(searchText, vector: vector, forModel: model != nil, context: context)
        if model == nil, !followedOn, engine.continuesThread(prepared.hits, thread: folds, endpointVector: vector != nil) {
            var folded = engine.fold(question, thread: folds, scope: videoIDs, leaning: true)
            if !folded.isEmpty {
                if let previous { onEvent(.followingOn(previous.question)) }
                folded.videoIDs = videoIDs
                try Task.checkCancellation()
                prepared = try engine.prepare(searchText, vector: vector, forModel: false, context: folded)
                followedOn = true
            }
        }
        prepared.question = question
        return (prepared, followedOn)
    }

    @inline(never)
    private static func rewritten(_ question: String, history: [PromptBuilder.Message], model: AnswerModel) async throws -> String {
        do { return try await QuestionRewrite.rewrite(question, history: history, model: model) } catch { throw error as any Error }
    }

    @inline(never)
    private static func endpointVector(_ engine: AskEngine, _ text: String) async throws -> [Float]? {
        do { return try await engine.endpointVector(text) } catch { throw error as any Error }
    }

    @inline(never)
    private static func completed(_ prepared: PreparedQuestion, model: AnswerModel?, stream: Bool, history: [PromptBuilder.Message],
                                  onDelta: @escaping @Sendable (String) -> Void, onRetry: @escaping () -> Void) async throws -> AskResult {
        do {
            return try await prepared.complete(model: model, stream: stream, history: history, onDelta: onDelta, onRetry: onRetry)
        } catch { throw error as any Error }
    }

    /// The same as `ask`, as a stream of events ending with `.finished`; ending the iteration (or cancelling
    /// the task that reads it) cancels the question.
    public func events(_ question: String, scope: AskScope? = nil, stream: Bool = true) -> AsyncThrowingStream<AskEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.ask(question, scope: scope, stream: stream) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The conversation's id in `store`, creating it there when it has none yet.
    private func storedID(in store: ConversationStore, at time: Date) throws(ConversationStore.Problem) -> Int64 {
        entering.lock()
        defer { entering.unlock() }
        if let existing = lock.withLock({ storedID }) { return existing }
        let id = try store.create(name: lock.withLock { name }, packPath: engine.packPath, channelID: engine.manifest.channelID,
                                  channelTitle: engine.manifest.channelTitle, at: time)
        lock.withLock { storedID = id }
        return id
    }

    /// The brief saved with the conversation (empty when it is not stored yet).
    public func pins() throws(ConversationStore.Problem) -> Brief {
        guard let store, let id else { return Brief() }
        return try store.pins(id)
    }

    /// Saves `brief` as the conversation's pins (entering the conversation in the store when it has no turn yet);
    /// kept in memory only without a store.
    public func savePins(_ brief: Brief) throws(ConversationStore.Problem) {
        guard let store else { return }
        try store.savePins(brief, of: try storedID(in: store, at: Date()))
    }

    /// Writes a finished turn (creating the conversation on its first); the problem, said in one line, when it
    /// could not be kept: the answer stands either way.
    private func save(_ turn: ConversationTurn) -> String? {
        guard let store else { return nil }
        do {
            try store.append(turn, to: try storedID(in: store, at: turn.askedAt))
            return nil
        } catch {
            return "this turn was not saved: \(error)"
        }
    }
}
