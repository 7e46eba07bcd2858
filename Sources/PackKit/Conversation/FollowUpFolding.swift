/// Reads a question in the light of the conversation's earlier turns, offline. A question that leans on them
/// (it points back with "it", "them", "those"…, starts like a continuation, "And…", "What about…", or has
/// almost no content words of its own) gets the thread's key terms folded into its retrieval (the previous
/// turn's at the weight of its own words, older turns' lower), the videos the previous answer cited a small
/// boost, and on semantic packs the thread's question vector added to its own at a lower weight; a question on
/// a new topic is left alone.
public struct FollowUpFolding: Sendable {
    /// Weight of the previous turn's content terms (a question's own weigh 1); each turn further back halves it.
    /// Measured with `eval --answers` on py4e.followups.json (hash pack ytce builds; py4e.minilm): 0.5 gives cites
    /// gold 0.67 / 0.75, 0.7-0.9 0.75 / -, 1.0 with the video boost 0.83 / 0.75: the follow-up's own few words
    /// otherwise pull the answer to any moment that says them.
    public var termWeight = 1.0
    public var decay = 0.5
    /// Weight of the previous turn's question vector, added to the question's own before normalising. Measured
    /// on py4e.minilm with py4e.followups.json: 0.6 cites gold 0.67, 0.45 0.75 (py4e-038-fu: the earlier
    /// turn's meaning outweighed the follow-up's own); the hash pack carries no meaning and is unaffected.
    public var vectorWeight: Float = 0.45
    /// At most this many earlier turns are folded in.
    public var turnsBack = 3
    /// A question that points back still stands alone when it has more content words than this ("Why does
    /// seeding the minimum-tracking variable with negative one give a wrong result?"). 5 left "Why does the code
    /// throw a little of it away on every round?" (six content words on a hash pack) standing alone: on
    /// py4e.followups.json, hash pack, 6 cites gold 0.92 where 5 gave 0.83.
    public var maxOwnContentWords = 6
    /// With no word pointing back, a question this bare leans on the thread ("Which one?").
    public var bareContentWords = 1
    /// Boost of the chunks of the videos the previous answer cited (relative lexical scale, best 1). Measured:
    /// 0.1 helps (py4e-026-fu, hash); 0.2-0.5 pull follow-ups into the wrong video when the first answer was wrong.
    public var videoBoost = 0.1
    /// A question that seems to stand alone still gets the previous turn at this share of the weights, for
    /// retrieval only. 0: folding a standalone question at 0.3 found py4e-024-fu but moved one of the 40 py4e
    /// questions asked in one conversation off gold ("where" cites gold 0.60 -> 0.50), so a topic shift is left
    /// alone entirely.
    public var standaloneShare = 0.0
    /// On semantic packs, a question that seems to stand alone is read as a follow-up after all when its own
    /// best moment does not lead the second by this share and one of its first `threadCandidates` moments is in a
    /// video the thread's last answer cited: its own words do not decide, and the thread's topic is among them.
    /// Measured on py4e.minilm: follow-ups cites gold 0.75 -> 0.83 (py4e-024-fu, "Why don't we send text around
    /// in the widest fixed-width form…" after a question on Unicode), the 40 questions asked in one conversation
    /// unchanged; 0.05, 0.1 and 0.2 alike. Not on hash packs, where close scores are the rule: there it folded
    /// py4e-032 into the unrelated question before it (one conversation cites gold 0.65 -> 0.625) and gained nothing.
    public var unclearLead = 0.05
    public var threadCandidates = 3

    public init() {}

    /// An earlier turn of the thread: its question and, where an embeddings endpoint computed it, its vector.
    public struct Turn: Sendable, Equatable {
        public var question: String
        public var vector: [Float]?
        /// The turn itself leaned on the one before it.
        public var followedOn: Bool
        /// The videos its answer cited.
        public var videos: [String]
        /// The spans its answer cited.
        public var spans: [Citation]

        public init(question: String, vector: [Float]? = nil, followedOn: Bool = false, videos: [String] = [],
                    spans: [Citation] = []) {
            self.question = question
            self.vector = vector
            self.followedOn = followedOn
            self.videos = videos
            self.spans = spans
        }

        /// A finished turn of a conversation, as the thread remembers it.
        public init(_ turn: ConversationTurn, vector: [Float]? = nil) {
            var seen = Set<String>()
            self.init(question: turn.searchedFor ?? turn.question, vector: vector, followedOn: turn.followedOn,
                      videos: turn.sources.map(\.citation.videoID).filter { seen.insert($0).inserted },
                      spans: turn.sources.map(\.citation))
        }
    }

    /// Words that point back at something said before. "that" only counts where it cannot open a clause
    /// ("about that", "do that", at the end), since "show that people…" points nowhere.
    static let pointers: Set<String> = ["it", "its", "they", "them", "their", "theirs", "those", "these", "this", "there", "one's", "he's"]
    static let thatBefore: Set<String> = ["about", "of", "with", "do", "does", "did", "is", "was", "like", "for", "on", "in", "to", "after", "before", "from", "by"]
    static let openings: [[String]] = [["and"], ["but"], ["so"], ["also"], ["then"], ["what", "about"], ["how", "about"], ["what", "if"],
                                       ["what", "else"], ["anything", "else"], ["why", "so"], ["how", "so"]]

    /// Whether `question` leans on earlier turns; `contentWords` counts its content words (known to the pack or
    /// not: a question about something the channel never mentions has words of its own and stands alone).
    public func leansOnEarlierTurns(_ question: String, contentWords: Int) -> Bool {
        let words = LexicalQuery.words(question).map { $0.lowercased() }
        guard !words.isEmpty else { return false }
        if Self.openings.contains(where: { words.starts(with: $0) }) { return true }
        if contentWords <= bareContentWords {
            // "What is a dictionary?" names what it asks about: a question of its own, however bare (after "how do I
            // count words" it was read as a follow-up and answered about counting).
            let namesItsSubject = contentWords > 0 && !words.contains { Self.pointers.contains($0) || $0 == "that" }
                && DefinitionQuestion(question, analyzer: LexicalAnalyzer()) != nil
            return !namesItsSubject
        }
        guard contentWords <= maxOwnContentWords else { return false }
        for (i, word) in words.enumerated() {
            if Self.pointers.contains(word) { return true }
            if word == "that" && (i + 1 == words.count || (i > 0 && Self.thatBefore.contains(words[i - 1]))) { return true }
        }
        return false
    }

    /// Whether `question` follows on from `thread` (nothing to fold when the thread is empty).
    public func followsOn(_ question: String, thread: [Turn], retriever: Retriever) -> Bool {
        !thread.isEmpty && leansOnEarlierTurns(question, contentWords: retriever.questionTerms(question).contentTerms.count)
    }

    /// The context that folds `thread` (oldest first) into `question`'s retrieval: fully when the question leans
    /// on the thread, lightly (retrieval only) when it seems to stand alone. Folding goes back through turns that
    /// followed on, up to the turn that opened the topic. A question scoped to `scope` (video ids) that the
    /// thread's last answer cited none of starts afresh: the thread's terms would only pull it towards moments
    /// the scope rules out, and judging the evidence by them refuses what the question alone is answered by.
    /// `leaning` overrides the judgement of whether the question leans on the thread (see `continuesThread`).
    public func context(for question: String, thread: [Turn], scope: Set<String>? = nil, retriever: Retriever,
                        leaning: Bool? = nil) -> RetrievalContext {
        guard let last = thread.last else { return RetrievalContext() }
        if let scope, scope.isDisjoint(with: last.videos) { return RetrievalContext() }
        let leans = leaning ?? followsOn(question, thread: thread, retriever: retriever)
        let share = leans ? 1 : standaloneShare
        guard share > 0 else { return RetrievalContext() }
        var folded: [LexicalQuery.Term] = []
        var seen = Set(retriever.lexicalQuery(question).terms.map(\.text))
        var weight = termWeight * share
        var vector: [Float]?
        for turn in thread.reversed().prefix(leans ? turnsBack : 1) {
            for term in retriever.lexicalQuery(turn.question).terms where term.weight >= 1 && seen.insert(term.text).inserted {
                folded.append(LexicalQuery.Term(text: term.text, weight: weight))
            }
            if vector == nil, retriever.mode() == .semantic || turn.vector != nil {
                vector = turn.vector ?? retriever.questionVector(turn.question)
            }
            weight *= decay
            if !turn.followedOn { break }
        }
        var context = RetrievalContext(foldedTerms: folded, foldedVector: vector,
                                       foldedVectorWeight: vector == nil ? 0 : vectorWeight * Float(share))
        context.threadVideos = Set(thread.last?.videos ?? [])
        context.threadVideoBoost = videoBoost * share
        context.judgesWithFoldedTerms = leans
        // A follow-up asks about what was just read: the answer prefers sentences near the spans it quoted.
        if leans { context.threadSpans = last.spans }
        return context
    }
}

extension FollowUpFolding {
    /// Whether a question that seemed to stand alone, whose own moments are `hits` (best first), continues the
    /// thread after all (`unclearLead`); only where retrieval judges meaning (`semantic`).
    public func continuesThread(_ hits: [SearchHit], thread: [Turn], semantic: Bool) -> Bool {
        guard semantic, let last = thread.last, hits.count >= 2, hits[1].score > 0,
              hits[0].score < hits[1].score * (1 + unclearLead) else { return false }
        return hits.prefix(threadCandidates).contains { last.videos.contains($0.videoID) }
    }
}

extension Retriever {
    /// `text` as BM25 terms of this pack (joined words only where the pack uses them, unknown words as the known
    /// ones they extend or clip).
    public func lexicalQuery(_ text: String) -> LexicalQuery {
        LexicalQuery(text, analyzer: analyzer, isKnown: { lexical.documentFrequency($0) > 0 },
                     extensions: { lexical.terms(extending: $0, limit: 2) })
    }

    /// The pack embedder's vector for `text`, when the pack has vectors and ytce can compute them.
    public func questionVector(_ text: String) -> [Float]? {
        guard let matrix = pack.chunkEmbeddings else { return nil }
        return embedded(text, dimension: matrix.columns)
    }
}
