import Foundation

/// One question of a conversation and the answer it got, as kept and exported.
public struct ConversationTurn: Sendable, Equatable {
    public var question: String
    /// What retrieval searched for when it was not the question: a model's standalone rewrite of a follow-up.
    public var searchedFor: String?
    /// The question was read as a follow-up: earlier turns were folded into its retrieval.
    public var followedOn: Bool
    public var scope: AskScope
    /// The answer as shown, with its `[video @ mm:ss-mm:ss]` citations.
    public var answer: String
    public var grounded: Bool
    /// In the order their markers first appear in `answer`.
    public var sources: [Answer.Source]
    /// Who answered: "offline", or the model ("openai gpt-4o-mini").
    public var backend: String
    public var askedAt: Date

    public init(question: String, searchedFor: String? = nil, followedOn: Bool = false, scope: AskScope = .all, answer: String,
                grounded: Bool, sources: [Answer.Source], backend: String, askedAt: Date) {
        self.question = question
        self.searchedFor = searchedFor
        self.followedOn = followedOn
        self.scope = scope
        self.answer = answer
        self.grounded = grounded
        self.sources = sources
        self.backend = backend
        self.askedAt = askedAt
    }
}

extension AskResult {
    /// A saved turn as an answer to show again (its moments are not kept: only what it cited).
    public init(turn: ConversationTurn) {
        self.init(question: turn.question, text: turn.answer, sources: turn.sources, isGrounded: turn.grounded, hits: [], notes: [], model: nil)
    }
}
