import Foundation

/// An answer and the evidence each of its citations points at.
public struct Answer: Sendable {
    public struct Source: Sendable, Equatable {
        public var citation: Citation
        public var title: String
        public var url: String
        public var segmentIDs: [Int64]
        /// What the citation points at, for showing beside it: the quoted sentences of an extractive answer,
        /// the cited segments' text for a model's answer.
        public var excerpt = ""
    }

    public var text: String
    /// In the order their markers first appear in `text`.
    public var sources: [Source]
    /// False when the pack held nothing relevant and the answer says so.
    public var isGrounded: Bool
}

/// The offline answerer: it leads with the sentence of the first moment that best answers the question and adds
/// the few that add something (sentences of any of the moments read that say nearly as much of the question, from
/// another moment or another part of one; no near-duplicates, no filler), and the best sentence of a moment retrieval
/// ranked nearly as high as the first (`closeMomentShare`), each followed by its own citation, within
/// `maxSentences` and `maxWords`. When the evidence does not answer
/// the question (`EvidenceJudge`), it says the pack holds nothing relevant rather than quoting something.
public struct ExtractiveAnswerer: Sendable {
    public var settings: AnswerSettings
    let analyzer = LexicalAnalyzer()

    public init(settings: AnswerSettings = AnswerSettings()) {
        self.settings = settings
    }

    public static let nothingRelevant = "This pack holds nothing that answers the question. Try other words, or a pack whose videos cover this topic."

    public func answer(_ evidence: AnswerEvidence, hits: [SearchHit]) -> Answer {
        guard evidence.answers else { return Self.refusal }
        let chosen = choose(evidence.candidates, closeMoments: closeMoments(hits))
        guard !chosen.isEmpty else { return Self.refusal }
        var sources: [Answer.Source] = []
        var parts: [String] = []
        var words = 0
        for (i, candidate) in chosen.enumerated() {
            var text = Self.withoutLeadingFiller(candidate.sentence.text)
            text = Self.marked(text, endsCut: candidate.sentence.endsCut, beginsCut: candidate.sentence.beginsCut)
            let count = Self.words(text)
            // Only the first sentence can be over the budget (later ones are skipped when they do not fit).
            if i == 0 && count > settings.maxWords { text = Self.cut(text, toWords: settings.maxWords) }
            words += min(count, settings.maxWords)
            let sentence = candidate.sentence
            let hit = hits[sentence.moment]
            let citation = Citation(videoID: hit.videoID, startMs: sentence.startMs, endMs: sentence.endMs)
            if let known = sources.firstIndex(where: { $0.citation == citation }) {
                sources[known].excerpt += " " + text   // two sentences of one caption share its citation
            } else {
                sources.append(Answer.Source(citation: citation, title: hit.title, url: hit.url, segmentIDs: sentence.segmentIDs, excerpt: text))
            }
            parts.append("\(text) \(citation)")
        }
        return Answer(text: parts.joined(separator: " "), sources: sources, isGrounded: true)
    }

    static let refusal = Answer(text: nothingRelevant, sources: [], isGrounded: false)

    /// The lead (the best candidate of the first `leadMoments` that is not filler), then the best candidates that say
    /// nearly as much of the question, are not near a sentence already chosen (`minGapMs` within a moment; quoting
    /// two parts of the first moment finds the answer more often than quoting other moments: measured on the
    /// shared sets, cites gold +0.05 to +0.13), add words the answer does not have yet, and fit the word budget.
    /// The first sentence of each of `closeMoments` (moment ranks) joins however little it says next to the lead.
    func choose(_ candidates: [AnswerEvidence.Candidate], closeMoments: Set<Int> = []) -> [AnswerEvidence.Candidate] {
        var chosen: [AnswerEvidence.Candidate] = []
        var words = 0
        var seconded: Set<Int> = []
        // When no sentence of the first moments says anything of the question (what matched there was a trailer
        // left out of the evidence), the lead may come from any moment.
        let leadMoments = candidates.contains {
            $0.sentence.moment < settings.leadMoments && $0.relevance > 0 && $0.terms.count >= settings.minContentWords
        } ? settings.leadMoments : Int.max
        for candidate in candidates where chosen.count < settings.maxSentences {
            guard candidate.terms.count >= settings.minContentWords else { continue }
            if chosen.isEmpty && candidate.sentence.moment >= leadMoments { continue }
            if let lead = chosen.first {
                let second = closeMoments.contains(candidate.sentence.moment) && !seconded.contains(candidate.sentence.moment)
                    && candidate.relevance > 0
                // After a definition, a sentence of another moment joins only if it says what the thing is too: one
                // that merely uses the word ("And it even uses the word dictionary.") says nothing of the question.
                // The lead's own moment goes on explaining it.
                guard !lead.defines || candidate.defines || candidate.sentence.moment == lead.sentence.moment,
                      !candidate.announces, second || candidate.relevance >= settings.minShareOfLead * lead.relevance,
                      !chosen.contains(where: { $0.sentence.moment == candidate.sentence.moment
                                                  && abs($0.sentence.startMs - candidate.sentence.startMs) < settings.minGapMs }),
                      words + Self.words(candidate.sentence.text) <= settings.maxWords,
                      !chosen.contains(where: { Self.overlap($0.terms, candidate.terms) >= settings.maxOverlap }) else { continue }
            }
            chosen.append(candidate)
            seconded.insert(candidate.sentence.moment)
            words += min(Self.words(candidate.sentence.text), settings.maxWords)
        }
        return chosen
    }

    /// Moments after the first that retrieval ranked nearly as high (within `closeMomentShare` of its score).
    func closeMoments(_ hits: [SearchHit]) -> Set<Int> {
        guard let top = hits.first?.score, top > 0 else { return [] }
        let limit = min(hits.count, settings.momentsRead)
        guard limit > 1 else { return [] }
        return Set((1..<limit).filter { hits[$0].score >= (1 - settings.closeMomentShare) * top })
    }

    static func words(_ text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }

    /// Hesitations a speaker opens a sentence with, left out of a quote ("Um, so you can…" → "So you can…").
    static let fillers: Set<String> = ["um", "uh", "erm", "er", "uhm", "hmm", "mm"]

    static func withoutLeadingFiller(_ text: String) -> String {
        var words = text.split(separator: " ", omittingEmptySubsequences: true)
        while words.count > 3, let first = words.first,
              fillers.contains(first.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ",.-…"))) {
            words.removeFirst()
        }
        guard words.count < text.split(separator: " ").count, let first = words.first else { return text }
        return ([first.prefix(1).uppercased() + first.dropFirst()] + words.dropFirst().map(String.init)).joined(separator: " ")
    }

    /// A sentence cut where the speaker had not finished it, marked so: "…as a sequence of lines," → "…as a sequence
    /// of lines…"; the rest of one so cut opens with "…".
    static func marked(_ text: String, endsCut: Bool, beginsCut: Bool) -> String {
        var text = Substring(text)
        if endsCut {
            while let last = text.last, ",;:- ".contains(last) { text = text.dropLast() }
            if !text.hasSuffix("…") { text += "…" }
        }
        return beginsCut && !text.hasPrefix("…") ? "…" + text : String(text)
    }

    /// The first `count` words of `text`, marked as cut.
    static func cut(_ text: String, toWords count: Int) -> String {
        text.split(whereSeparator: \.isWhitespace).prefix(count).joined(separator: " ") + "…"
    }

    /// Jaccard overlap of two term sets.
    static func overlap(_ a: Set<String>, _ b: Set<String>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }
}
