import Foundation
import JobKit
import PackKit

/// An open pack for the explorer: PackKit's `AskEngine` over it and the conversation questions go to (the pack's
/// last saved one, continued, or a new one after `:new`), shared by the UI's background work.
public final class PackSession: @unchecked Sendable {
    public let path: String
    public let engine: AskEngine
    /// Where conversations are kept; nil (with a note saying why) when the store cannot be opened.
    public let store: ConversationStore?
    public let notes: [String]
    private let lock = NSLock()
    private var current: Conversation

    public var manifest: PackManifest { engine.manifest }
    public var counts: ChannelPack.Counts { engine.counts }
    /// What answers now: "offline", or the configured model ("openai gpt-4o-mini").
    public var backendLabel: String { engine.backendLabel }
    /// The configured model, if the config names one.
    public var modelLabel: String { engine.modelLabel }
    public var hasModel: Bool { engine.hasModel }
    /// How questions are matched: semantic, hash, or lexical only (when the pack's model is missing).
    public var retrieval: RetrievalMode { engine.retrieval }
    public var usesModel: Bool { engine.usesModel }
    public var channelTitle: String { manifest.channelTitle }

    /// Switches between the configured model and the offline answerer; false when no model is configured.
    @discardableResult
    public func useModel(_ on: Bool) -> Bool { engine.useModel(on) }

    /// Opens `path` (through the cache) and continues the pack's last conversation from the store at
    /// `conversations` (none: a conversation kept in memory only), importing the brief files of earlier versions from
    /// `briefs`; throws the pack's one-line error.
    public init(path: String, cache: PackCache, config: PackConfig, environment: [String: String], conversations: String? = nil,
                briefs: String? = nil) throws {
        self.path = path
        engine = try AskEngine(path: path, cache: cache, config: config, environment: environment)
        var notes = engine.notes
        var store: ConversationStore?
        if let conversations {
            do {
                let opened = try ConversationStore(path: conversations, briefs: briefs)
                notes += opened.notes
                store = opened
            } catch { notes.append("conversations are not saved: \(error)") }
        }
        var conversation = Conversation(engine: engine, store: store)
        if let store {
            do { conversation = try Conversation.latest(engine: engine, store: store) } catch {
                notes.append("the last conversation could not be read: \(error)")
            }
        }
        self.store = store
        self.notes = notes
        current = conversation
    }

    /// The conversation questions go to.
    public var conversation: Conversation { lock.withLock { current } }

    /// Starts a new conversation (`:new`); the old one stays in the store.
    @discardableResult
    public func startNewConversation() -> Conversation {
        lock.withLock {
            let scope = current.scope
            current = Conversation(engine: engine, store: store)
            current.scope = scope
            return current
        }
    }

    /// The pack's moments for `query` within the conversation's scope, as `pack search` finds them (an exact phrase
    /// in double quotes). Cancelling the task stops an embeddings request.
    public func search(_ query: String, topK: Int) async throws -> SearchResult {
        try await engine.search(query, topK: topK, scope: conversation.scope)
    }

    /// `search` in two steps: the moments ranked, then any of them resolved (`hits(_:_:)`).
    public func rank(_ query: String, topK: Int) async throws -> RankedMoments {
        try await engine.rank(query, topK: topK, scope: conversation.scope)
    }

    public func hits(_ ranked: RankedMoments, _ range: Range<Int>) throws -> [SearchHit] {
        try engine.hits(ranked, range)
    }

    /// The topic's timeline over the pack.
    public func timeline(_ topic: Topic, by grouping: TopicTimeline.Grouping) throws -> TopicTimeline {
        try engine.timeline(topic, by: grouping)
    }

    /// Moments of this pack resolved to their titles and transcript segments.
    public func hits(for moments: [Moment]) throws -> [SearchHit] {
        try engine.hits(for: moments)
    }

    public func transcript(_ videoID: String) throws -> VideoTranscript {
        try engine.withPack { try VideoTranscript.load(videoID, from: $0) }
    }

    public func videos() throws -> [VideoListing] {
        try engine.videos()
    }

    /// The channel overview `ytce jobs summarize` put into the pack, if any.
    public func channelOverview() -> String? {
        (try? engine.withPack { PackSummaryWriter.channelOverview(database: $0.database) }) ?? nil
    }

    /// A video's transcript as plain text, for a summarisation job.
    public func transcriptText(_ videoID: String) throws -> TranscriptText {
        try engine.withPack { try TranscriptText.packVideo($0, videoID: videoID, timestamps: false) }
    }
}
