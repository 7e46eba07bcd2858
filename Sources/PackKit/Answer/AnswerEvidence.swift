/// The sentences of the best moments, each judged by how well it answers the question, and whether the
/// evidence as a whole answers it. The offline answerer quotes from it; a model is given spans around its
/// best sentences (`ModelEvidence`).
public struct AnswerEvidence: Sendable {
    public struct Candidate: Sendable, Equatable {
        public var sentence: TranscriptSentence
        /// How well the sentence answers (higher is better; comparable within one question only).
        public var score: Double
        /// Share of the question's known terms (idf-weighted) the sentence holds.
        public var coverage: Double
        /// Cosine similarity with the question, when the pack's embedder carries meaning.
        public var similarity: Double?
        /// The sentence's analyzed terms.
        public var terms: Set<String>
        /// It asks a question or announces a topic ("In this video, we'll…") rather than saying something.
        public var announces = false
        /// For a follow-up, the share its nearness to what the previous answer quoted adds to its score and
        /// relevance (`AnswerSettings.threadBonus`); 0 when it holds none of the question's terms.
        public var threadBonus = 0.0
        /// It says plainly what a definition question asks about ("A tuple is…", `DefinitionQuestion.definingStrength`).
        public var defines = false

        /// What the sentence itself says of the question, without its moment's or window's rank: its term
        /// coverage plus its similarity (for a follow-up, raised by its nearness to what was just quoted).
        public var relevance: Double { (coverage + (similarity ?? 0)) * (1 + threadBonus) }
    }

    /// Every candidate, best first.
    public var candidates: [Candidate]
    /// Whether the evidence answers the question; when false the answer says the pack holds nothing relevant.
    public var answers: Bool
}

/// Scores the sentences of the best moments and decides whether they answer the question.
public struct EvidenceJudge: Sendable {
    public var settings: AnswerSettings

    public init(settings: AnswerSettings = AnswerSettings()) {
        self.settings = settings
    }

    let analyzer = LexicalAnalyzer()

    /// `terms`: the question's terms in this pack. Where the pack's embedder carries meaning, the hits' windows
    /// carry their similarity with the question, and a sentence is as close to the question as the closest
    /// chunk window holding it. `definition`: what the question asks the meaning of, when it does
    /// ("What is a tuple?"); a sentence that says what it is scores `definitionBonus` more.
    /// `thread`: for a follow-up, the spans the previous answer cited.
    public func evidence(question terms: QuestionTerms, hits: [SearchHit], definition: DefinitionQuestion? = nil,
                         thread: [Citation] = []) -> AnswerEvidence {
        let read = hits.prefix(settings.momentsRead)
        var candidates: [AnswerEvidence.Candidate] = []
        var bestPassage = (matches: 0, coverage: 0.0)
        let topScore = hits.first?.score ?? 0
        let margin = hits.count > 1 && topScore > 0 ? (topScore - hits[1].score) / topScore : 1
        for (rank, hit) in read.enumerated() {
            let sentences = TranscriptSentence.split(hit, moment: rank)
            guard !sentences.isEmpty else { continue }
            let termSets = sentences.map { Set(analyzer.terms($0.text)) }
            // The moment's topic words count less in choosing among its sentences than the words that single one out.
            let scale = settings.localTermWeights ? terms.localWeights(termSets) : [:]
            let bestWindow = hit.windows.first?.score ?? 0
            // The title of a video retrieval singles out says what all of it is about: it counts as part of each
            // of the first moment's passages ("how do I stop channeling in espresso" in the espresso video's
            // passage on channeling, which never says "espresso").
            let titleTerms = rank == 0 && margin >= settings.titleLead ? Set(analyzer.terms(hit.title)) : []
            for (i, sentence) in sentences.enumerated() {
                // What comes next or a goodbye shares the topic's words but says nothing about it: never evidence.
                if Self.trails(sentence.text) { continue }
                let own = termSets[i]
                var passage = own
                if i > 0 { passage.formUnion(termSets[i - 1]) }
                if i + 1 < termSets.count { passage.formUnion(termSets[i + 1]) }
                let coverage = terms.coverage(own, scale: scale)
                let passageCoverage = terms.coverage(passage, scale: scale)
                if rank < settings.momentsJudged {
                    let matches = terms.contentMatches(passage.union(titleTerms))
                    if (matches, passageCoverage) > bestPassage { bestPassage = (matches, passageCoverage) }
                }
                // Where in the moment retrieval found the question: the best chunk window holding the sentence.
                let holding = hit.windows.filter { $0.startMs < sentence.endMs && $0.endMs > sentence.startMs }
                let window = holding.map(\.score).max() ?? 0
                let windowShare = bestWindow > 0 ? window / bestWindow : 0
                let momentShare = topScore > 0 ? hit.score / topScore : 0
                let cosine = holding.compactMap(\.similarity).max()
                let windowWeight = cosine == nil ? settings.weights.window : settings.weights.semanticWindow
                var score = settings.weights.coverage * coverage + settings.weights.passage * passageCoverage
                    + windowWeight * windowShare + settings.weights.moment * momentShare + settings.rankPrior / Double(rank + 1)
                if let cosine { score += settings.weights.similarity * cosine }
                if let definition, definition.isDefined(by: sentence.text, analyzer: analyzer) { score += settings.definitionBonus }
                let defines = definition?.definingStrength(of: sentence.text, analyzer: analyzer) != nil
                // A sentence that asks, or announces what a video will cover, names the topic without answering.
                let announces = Self.asks(sentence.text) || Self.announces(sentence.text)
                if announces { score *= settings.announcementFactor }
                let nearness = settings.threadBonus * Self.nearness(of: sentence, videoID: hit.videoID, to: thread,
                                                                     reachMs: settings.threadReachMs)
                // A neighbour of the old quote that holds none of the question's words gains nothing: near is not enough.
                let nearThread = coverage > 0 ? nearness : 0
                score *= 1 + nearThread
                candidates.append(.init(sentence: sentence, score: score, coverage: coverage, similarity: cosine, terms: own,
                                        announces: announces, threadBonus: nearThread, defines: defines))
            }
        }
        candidates.sort { $0.score > $1.score }
        let windowSimilarity = read.prefix(settings.momentsJudged).flatMap(\.windows).compactMap(\.similarity).max()
        return AnswerEvidence(candidates: candidates,
                              answers: answers(terms, matches: bestPassage.matches, margin: hits.isEmpty ? 0 : margin,
                                               windowSimilarity: windowSimilarity))
    }

    /// How near a sentence is to `spans` (cited spans of the same video): 1 right next to one, falling linearly to
    /// 0 at `reachMs` away. A sentence that overlaps a span was quoted already: 0, as a follow-up asks for what
    /// surrounds what was read, not for it again (giving it the full nearness: follow-ups cites gold 0.83 / 0.83).
    static func nearness(of sentence: TranscriptSentence, videoID: String, to spans: [Citation], reachMs: Int) -> Double {
        guard reachMs > 0 else { return 0 }
        var best = 0.0
        for span in spans where span.videoID == videoID {
            let gap = max(span.startMs - sentence.endMs, sentence.startMs - span.endMs)
            if gap < 0 { return 0 }
            best = max(best, 1 - Double(gap) / Double(reachMs))
        }
        return best
    }

    /// A question ("What is a tuple?"), not an answer.
    static func asks(_ text: String) -> Bool { text.hasSuffix("?") }

    /// Phrases of a video's opening that announce a topic rather than say something about it.
    static let announcements = ["in this video", "in this lesson", "in this section", "in this lecture", "in this chapter",
                                "welcome to", "we will see", "we'll see", "let's see", "we will look", "we'll look",
                                "let's take a look", "let's look", "we're going to talk about", "we're gonna talk about",
                                "we are going to talk about", "we will talk about", "we'll talk about",
                                "today we're", "today we are", "today we'll", "today we will", "my name is", "hello and welcome"]

    static let announcementBytes = announcements.map { Array($0.utf8) }

    /// Words a speaker opens a sentence with before what it says ("So, next time…", "Okay, now let's…").
    static let openers: Set<String> = ["so", "and", "now", "okay", "ok", "alright", "all", "right", "well", "um", "uh",
                                       "then", "but", "oh", "yeah", "anyway"]
    /// How a video's closing lines and turns to a new topic begin: they announce what comes next rather than say
    /// something ("Next time, we'll…", "Now let's talk about channeling.", "Thanks for watching").
    static let trailerOpenings = ["next time", "next week", "next episode", "next video", "next lecture", "next lesson",
                                  "next up", "coming up", "stay tuned", "let's talk about", "let us talk about",
                                  "let's move on to", "thanks for watching", "thank you for watching",
                                  "thank you all for watching", "thank you so much for watching", "see you",
                                  "that's it for", "that's all for", "don't forget to subscribe"]
    /// Phrases that make a sentence a trailer wherever they stand ("…and we'll fix that in the next video.").
    static let trailerPhrases = ["in the next video", "in the next episode", "in the next lecture", "in the next lesson",
                                 "in the next chapter", "in our next video", "in our next episode", "in a future video",
                                 "in a later video", "in the coming videos", "in the next few videos",
                                 "in the next couple of videos", "see you next time", "see you in the next",
                                 "thanks for watching", "thank you for watching"]
    static let trailerOpeningBytes = trailerOpenings.map { Array($0.utf8) }
    static let trailerPhraseBytes = trailerPhrases.map { Array($0.utf8) }

    /// A trailer: the sentence opens (after "so", "now", "okay"…) with a `trailerOpenings` phrase or holds a
    /// `trailerPhrases` one. "Swirl a little more next time." says something, so only an opening counts.
    static func trails(_ text: String) -> Bool {
        let lowered = loweredBytes(text)
        if trailerPhraseBytes.contains(where: { find($0, in: lowered) }) { return true }
        // Skip the opening words that say nothing, then look at what the sentence starts with.
        var start = 0
        while true {
            var end = start
            while end < lowered.count, isWordByte(lowered[end]) { end += 1 }
            guard end > start, openers.contains(String(decoding: lowered[start..<end], as: UTF8.self)) else { break }
            var next = end
            while next < lowered.count, !isWordByte(lowered[next]) { next += 1 }
            start = next
        }
        let rest = lowered[start...]
        return trailerOpeningBytes.contains { rest.starts(with: $0) }
    }

    /// Lower-cased UTF-8 with typographic apostrophes as "'" (captions spell "let’s" both ways).
    static func loweredBytes(_ text: String) -> [UInt8] {
        let bytes = Array(text.lowercased().utf8)
        guard bytes.contains(0xE2) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i + 2 < bytes.count, bytes[i] == 0xE2, bytes[i + 1] == 0x80, bytes[i + 2] == 0x99 {
                out.append(UInt8(ascii: "'")); i += 3
            } else {
                out.append(bytes[i]); i += 1
            }
        }
        return out
    }

    static func isWordByte(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "'") || b >= 0x80 }

    /// Compares bytes: Foundation's `contains` on every sentence of eight moments took a tenth of a `pack ask`.
    static func announces(_ text: String) -> Bool {
        let lowered = Array(text.lowercased().utf8)
        return announcementBytes.contains { find($0, in: lowered) }
    }

    static func find(_ phrase: [UInt8], in lowered: [UInt8]) -> Bool {
        guard lowered.count >= phrase.count, let first = phrase.first else { return false }
        var i = 0
        while i + phrase.count <= lowered.count {
            if lowered[i] == first && lowered[i..<(i + phrase.count)].elementsEqual(phrase) { return true }
            i += 1
        }
        return false
    }

    /// The evidence answers when one passage (a sentence and its neighbours) of the best moments holds enough of
    /// the question's content words (at least three, or all the pack knows when it asks for fewer; the title of a
    /// first moment that leads by `titleLead` counts as part of its passages), while most of
    /// the question's words are words the channel uses at all. Two words suffice when nearly every word of the
    /// question is one the channel uses, or when the first moment leads the others clearly (a paraphrase shares
    /// few words with its answer, but retrieval still singles the moment out). Where the embedder carries
    /// meaning, a chunk window of the best moments close to the question in meaning is evidence by itself.
    /// Calibrated on the shared channels: answerable questions (paraphrases too) are answered, and none of the
    /// off-topic ones, whose words the channel mostly never uses or which match one or two common words.
    func answers(_ terms: QuestionTerms, matches: Int, margin: Double, windowSimilarity: Double?) -> Bool {
        if let windowSimilarity, windowSimilarity >= settings.semanticEvidence { return true }
        let unknown = terms.unknownShare
        guard matches > 0 else { return false }
        let fewer = settings.passageMatches - 1
        if unknown < settings.maxUnknownShare && matches >= min(settings.passageMatches, terms.knownContentCount) { return true }
        if unknown < settings.maxUnknownShareForFewerMatches && matches >= fewer { return true }
        return margin >= settings.clearLead && unknown < settings.maxUnknownShareWithClearLead && matches >= fewer
    }
}
