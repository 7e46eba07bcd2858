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

/// The offline answerer: it quotes the transcript sentences that best answer the question, each followed by
/// its own citation, grouped by moment in ranking order and in spoken order within a moment. When no
/// retrieved moment shares enough of the question's terms, it says the pack holds nothing relevant
/// rather than quoting something unrelated.
public struct ExtractiveAnswerer {
    public var maxSentences = 5
    public var maxSentencesPerMoment = 2
    public var maxMoments = 4
    /// Share of the question's distinct terms a moment must contain to count as relevant.
    public var minimumCoverage = 0.5
    let analyzer = LexicalAnalyzer()

    public init() {}

    /// Characters after which an unpunctuated run of captions is cut into a new sentence at the next cue end.
    static let longestSentence = 240

    public static let nothingRelevant = "This pack holds nothing that answers the question. Try other words, or a pack whose videos cover this topic."

    struct Sentence {
        var text: String
        var startMs: Int
        var endMs: Int
        var segmentIDs: [Int64]
        var score: Double
        var moment: Int
    }

    /// Cosine similarity a sentence needs with the question to count by meaning alone (all-MiniLM-L6-v2: related
    /// sentences score about 0.4-0.7, unrelated ones below 0.25).
    public var semanticThreshold: Float = 0.4
    /// How many of the best moments are read for meaning (each costs a few milliseconds per sentence).
    public var maxSemanticMoments = 4

    /// `similarity`, when the pack's embedder carries meaning, gives each text's cosine similarity with the
    /// question: a moment then also counts when a sentence says what was asked in other words.
    public func answer(_ question: String, hits: [SearchHit],
                       idf: (String) -> Double, similarity: (([String]) -> [Float])? = nil) -> Answer {
        let queryTerms = Set(analyzer.terms(question))
        guard !queryTerms.isEmpty || similarity != nil else {
            return Answer(text: Self.nothingRelevant, sources: [], isGrounded: false)
        }
        let weight = Dictionary(uniqueKeysWithValues: queryTerms.map { ($0, idf($0)) })
        let totalWeight = weight.values.reduce(0, +)
        var candidates: [Sentence] = []
        var relevantMoments = 0
        for (rank, hit) in hits.enumerated() {
            guard relevantMoments < maxMoments else { break }
            let hitTerms = Set(analyzer.terms(hit.text))
            let covered = queryTerms.intersection(hitTerms)
            let coverage = totalWeight > 0 ? covered.reduce(0) { $0 + (weight[$1] ?? 0) } / totalWeight : 0
            let lexicallyRelevant = coverage >= minimumCoverage
            // Embedding sentences costs milliseconds each: only for the best moments the words alone do not vouch for.
            guard lexicallyRelevant || (similarity != nil && rank < maxSemanticMoments) else { continue }
            let sentences = sentences(of: hit, moment: rank)
            let meaning = lexicallyRelevant ? [] : similarity?(sentences.map(\.text)) ?? []
            guard lexicallyRelevant || meaning.contains(where: { $0 >= semanticThreshold }) else { continue }
            relevantMoments += 1
            for (i, sentence) in sentences.enumerated() {
                var s = sentence
                let terms = Set(analyzer.terms(s.text))
                let matched = queryTerms.intersection(terms).reduce(0) { $0 + (weight[$1] ?? 0) }
                let cosine = i < meaning.count ? Double(meaning[i]) : 0
                guard matched > 0 && lexicallyRelevant || cosine >= Double(semanticThreshold) else { continue }
                // Dense, early-ranked sentences first; a short bonus keeps one-word fragments from winning.
                s.score = matched / max(totalWeight, 1e-9) + cosine + 0.2 / Double(rank + 1) + min(Double(terms.count), 8) / 80
                candidates.append(s)
            }
        }
        guard !candidates.isEmpty else {
            return Answer(text: Self.nothingRelevant, sources: [], isGrounded: false)
        }
        var chosen: [Sentence] = []
        var perMoment: [Int: Int] = [:]
        for s in candidates.sorted(by: { $0.score > $1.score }) where chosen.count < maxSentences {
            guard perMoment[s.moment, default: 0] < maxSentencesPerMoment else { continue }
            perMoment[s.moment, default: 0] += 1
            chosen.append(s)
        }
        chosen.sort { ($0.moment, $0.startMs) < ($1.moment, $1.startMs) }
        var sources: [Answer.Source] = []
        var parts: [String] = []
        for s in chosen {
            let hit = hits[s.moment]
            let citation = Citation(videoID: hit.videoID, startMs: s.startMs, endMs: s.endMs)
            if let known = sources.firstIndex(where: { $0.citation == citation }) {
                sources[known].excerpt += " " + s.text   // two sentences of one caption share its citation
            } else {
                sources.append(Answer.Source(citation: citation, title: hit.title, url: hit.url, segmentIDs: s.segmentIDs, excerpt: s.text))
            }
            parts.append("\(s.text) \(citation)")
        }
        return Answer(text: parts.joined(separator: " "), sources: sources, isGrounded: true)
    }

    /// The moment's transcript split into sentences; each keeps the span and ids of the segments it spans.
    func sentences(of hit: SearchHit, moment: Int) -> [Sentence] {
        var out: [Sentence] = []
        var current = Sentence(text: "", startMs: 0, endMs: 0, segmentIDs: [], score: 0, moment: moment)
        func finish() {
            let text = current.text.trimmingCharacters(in: .whitespaces)
            if text.count >= 12 { current.text = text; out.append(current) }
            current = Sentence(text: "", startMs: 0, endMs: 0, segmentIDs: [], score: 0, moment: moment)
        }
        func add(_ piece: Substring, id: Int64, start: Int, end: Int) {
            let piece = piece.trimmingCharacters(in: .whitespaces)
            guard !piece.isEmpty else { return }
            if current.segmentIDs.isEmpty { current.startMs = start }
            if current.segmentIDs.last != id { current.segmentIDs.append(id) }
            current.endMs = max(current.endMs, end)
            current.text += (current.text.isEmpty ? "" : " ") + piece
        }
        for segment in hit.segments {
            let (id, start, end, text) = (segment.id, segment.startMs, segment.endMs, segment.text)
            // Sentences end at . ? ! followed by a space or the end of the cue ("3.11" and "e.g." inside stay).
            var pieceStart = text.startIndex
            var i = text.startIndex
            while i < text.endIndex {
                let next = text.index(after: i)
                if ".?!".contains(text[i]) && (next == text.endIndex || text[next] == " ") {
                    add(text[pieceStart..<next], id: id, start: start, end: end)
                    finish()
                    pieceStart = next
                }
                i = next
            }
            add(text[pieceStart...], id: id, start: start, end: end)
            // Captions without punctuation would make one sentence of a whole moment: cut at a cue boundary.
            if current.text.count > Self.longestSentence { finish() }
        }
        finish()
        return out
    }
}
