import Foundation

/// What an analyst looks for across a whole channel: words (`recursion`, `list comprehension`) or, in double
/// quotes, an exact phrase (`"for each"`).
public struct Topic: Sendable, Equatable {
    /// As typed.
    public var text: String
    /// The words inside the quotes, when the topic is an exact phrase.
    public var phrase: [String]?
    /// The analyzed terms a moment must hold, every one of them.
    public var terms: [String]

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(_ text: String, analyzer: LexicalAnalyzer = LexicalAnalyzer()) throws(Problem) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        self.text = trimmed
        var inner = trimmed
        if Self.isPhrase(trimmed) {
            inner = String(trimmed.dropFirst().dropLast())
            phrase = Self.words(inner)
        }
        var seen = Set<String>()
        terms = analyzer.terms(inner).filter { seen.insert($0).inserted }
        // A phrase of stop words only ("to be") has no index term to narrow by; every window would be read.
        guard !terms.isEmpty else { throw Self.noWords(trimmed, what: "topic") }
    }

    /// The error for a topic or search with no word the index keeps ("the of", "?!").
    static func noWords(_ text: String, what: String) -> Problem {
        if text.isEmpty { return Problem(description: "the \(what) is empty") }
        if !text.contains(where: { $0.isLetter || $0.isNumber }) { return Problem(description: "'\(text)' has no words: type what you look for") }
        return Problem(description: "'\(text)' has only common words (the, of, to…), which the index does not keep: add a word that says what you look for")
    }

    /// Whether `text` is an exact phrase: in double quotes.
    public static func isPhrase(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.count >= 2 && trimmed.hasPrefix("\"") && trimmed.hasSuffix("\"")
    }

    /// Lower-cased runs of letters and digits: what a phrase is compared on (punctuation and case aside).
    static func words(_ text: String) -> [String] {
        LexicalQuery.words(text).map { $0.lowercased() }
    }

    /// Whether `text` says the phrase word for word (always true for a topic that is not a phrase).
    public func isSaid(in text: String) -> Bool {
        guard let phrase, !phrase.isEmpty else { return true }
        let words = Self.words(text)
        guard words.count >= phrase.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
            if Array(words[start..<(start + phrase.count)]) == phrase { return true }
        }
        return false
    }
}

extension Retriever {
    /// Every moment of the pack that matches `topic`, best first: the chunk windows holding all of its terms
    /// (and, for a phrase, saying it word for word), ranked by the search's BM25 with neighbourhood scoring, then
    /// merged into moments by the search's rule (`MomentMerger`: overlapping windows of a video join, up to five
    /// minutes). Windows naming only some of the words are left out: a count of them would count noise.
    public func moments(matching topic: Topic) throws -> [Moment] {
        var candidates = rows(holdingAll: topic.terms)
        if topic.phrase != nil {
            let texts = try chunkTexts(candidates)
            candidates = candidates.filter { topic.isSaid(in: texts[$0] ?? "") }
        }
        guard !candidates.isEmpty else { return [] }
        let query = LexicalQuery(terms: topic.terms.map { LexicalQuery.Term(text: $0, weight: 1) })
        let own = lexical.termScores(query, rows: candidates)
        var scored = zip(candidates, own).map { ScoredRow(row: $0, score: $1.reduce(0, +)) }
        if let ownWeight = settings.neighbourhoodOwnWeight {
            scored = NeighbourhoodScoring.rescore(scored, query: query, index: lexical, chunks: chunks, ownWeight: ownWeight)
        }
        scored.sort { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
        // Merged video by video (the rule never joins two videos), which keeps a common word's thousands of
        // windows from being compared with every moment of the channel.
        var byVideo: [UInt32: [(videoID: String, startMs: Int, endMs: Int, score: Float, row: Int)]] = [:]
        for hit in scored {
            byVideo[chunks.videoIndex[hit.row], default: []].append(
                (videoID: chunks.video(hit.row), startMs: chunks.startMs[hit.row], endMs: chunks.endMs[hit.row], score: hit.score, row: hit.row))
        }
        var moments = byVideo.values.flatMap { MomentMerger.merge($0, limit: Int.max) }
        moments.sort { $0.score > $1.score || ($0.score == $1.score && ($0.videoID, $0.startMs) < ($1.videoID, $1.startMs)) }
        return moments
    }

    /// `pack search` and the search pane: a query in double quotes finds the moments that say it word for word
    /// (best first, as `moments(matching:)`); any other query is the hybrid search (`search`).
    /// `context` limits both to a scope's videos (and folds a conversation's turns into the hybrid search).
    public func find(_ query: String, topK: Int, queryVector: [Float]? = nil, context: RetrievalContext = RetrievalContext()) throws -> SearchResult {
        let ranked = try rankedMoments(query, topK: topK, queryVector: queryVector, context: context)
        return SearchResult(hits: try hits(ranked, ranked.moments.indices), notes: ranked.notes)
    }

    /// `find`'s moments, ranked, before they are resolved (`hits(_:_:)`), so a list can show the first ones early.
    public func rankedMoments(_ query: String, topK: Int, queryVector: [Float]? = nil,
                              context: RetrievalContext = RetrievalContext()) throws -> RankedMoments {
        guard Topic.isPhrase(query) else {
            // Without a word the index keeps, only vectors that carry meaning can find anything; hash vectors of "the
            // of" listed ten arbitrary moments as hits.
            if queryVector == nil, mode() != .semantic, context.folding(into: lexicalQuery(query)).terms.isEmpty {
                throw Topic.noWords(query.trimmingCharacters(in: .whitespaces), what: "search")
            }
            return try rank(query, topK: topK, queryVector: queryVector, fromEndpoint: queryVector != nil, context: context)
        }
        let topic = try Topic(query, analyzer: analyzer)
        let matching = try moments(matching: topic)
        let kept = context.videoIDs.map { scope in Array(matching.lazy.filter { scope.contains($0.videoID) }.prefix(topK)) }
            ?? Array(matching.prefix(topK))
        return RankedMoments(moments: kept, notes: [], scores: nil, query: nil)
    }

    /// `moments(matching:)`'s best `limit`, resolved to their transcript segments (for a list of hits).
    public func hits(matching topic: Topic, limit: Int) throws -> [SearchHit] {
        try moments(matching: topic).prefix(limit).map { try resolve($0) }
    }

    /// Resolves moments (of this pack) to their titles and transcript segments.
    public func hits(for moments: [Moment]) throws -> [SearchHit] {
        try moments.map { try resolve($0) }
    }

    /// The chunk rows holding every one of `terms` (analyzed), ascending: the rarest term's rows narrowed by the others'.
    func rows(holdingAll terms: [String]) -> [Int] {
        var rows: [Int]?
        for term in terms.sorted(by: { lexical.documentFrequency($0) < lexical.documentFrequency($1) }) {
            let holding = lexical.rows(containing: term)
            rows = rows.map { Self.intersect($0, holding) } ?? holding
            if rows?.isEmpty == true { return [] }
        }
        return rows ?? []
    }

    /// Two ascending row lists' common rows.
    static func intersect(_ a: [Int], _ b: [Int]) -> [Int] {
        var out: [Int] = []
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] { out.append(a[i]); i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return out
    }
}
