/// The evidence a model is given: short spans of transcript around the best sentences (each sentence with
/// one neighbour on either side while the span stays within `evidenceSpanMs`), best first, each its own
/// `[video_id @ mm:ss-mm:ss]` line, up to `evidenceTokens`. A model's citation then points at the few lines
/// it used, not at a five-minute moment.
public struct ModelEvidence: Sendable {
    public var settings: AnswerSettings

    public init(settings: AnswerSettings = AnswerSettings()) {
        self.settings = settings
    }

    /// Spans as search hits (video, span, the segments inside), in the order of their best sentence.
    public func spans(_ evidence: AnswerEvidence, hits: [SearchHit]) -> [SearchHit] {
        var ranges: [(moment: Int, first: Int, last: Int)] = []
        var tokens = 0
        var sentencesByMoment: [Int: [TranscriptSentence]] = [:]
        for candidate in evidence.candidates {
            let sentence = candidate.sentence
            guard sentence.moment < hits.count else { continue }
            let hit = hits[sentence.moment]
            guard let range = segmentRange(of: sentence, in: hit) else { continue }
            if ranges.contains(where: { $0.moment == sentence.moment && $0.first <= range.lowerBound && range.upperBound <= $0.last }) { continue }
            let sentences = sentencesByMoment[sentence.moment] ?? TranscriptSentence.split(hit, moment: sentence.moment)
            sentencesByMoment[sentence.moment] = sentences
            var span = range
            // A little context: the sentences just before and after, while the span stays short.
            for neighbour in [sentence.index - 1, sentence.index + 1] where sentences.indices.contains(neighbour) {
                guard let extra = segmentRange(of: sentences[neighbour], in: hit) else { continue }
                let widened = min(span.lowerBound, extra.lowerBound)...max(span.upperBound, extra.upperBound)
                if duration(widened, in: hit) <= settings.evidenceSpanMs { span = widened }
            }
            // Spans of one moment never overlap: a new one joins a neighbour when both fit one span, else
            // keeps only what the other does not hold.
            var clipped: ClosedRange<Int>? = span
            for (i, other) in ranges.enumerated() where other.moment == sentence.moment {
                guard let current = clipped, current.lowerBound <= other.last + 1, other.first <= current.upperBound + 1 else { continue }
                let union = min(current.lowerBound, other.first)...max(current.upperBound, other.last)
                if duration(union, in: hit) <= settings.evidenceSpanMs {
                    let before = cost(other.first...other.last, in: hit)
                    let after = cost(union, in: hit)
                    guard tokens - before + after <= settings.evidenceTokens else { clipped = nil; break }
                    tokens += after - before
                    ranges[i] = (sentence.moment, union.lowerBound, union.upperBound)
                    clipped = nil
                    break
                }
                if current.lowerBound < other.first {
                    clipped = current.lowerBound <= other.first - 1 ? current.lowerBound...(other.first - 1) : nil
                } else {
                    clipped = other.last + 1 <= current.upperBound ? (other.last + 1)...current.upperBound : nil
                }
            }
            guard let span = clipped else { continue }
            let price = cost(span, in: hit)
            guard tokens + price <= settings.evidenceTokens else { continue }
            tokens += price
            ranges.append((sentence.moment, span.lowerBound, span.upperBound))
        }
        return ranges.map { range in
            let hit = hits[range.moment]
            let segments = Array(hit.segments[range.first...range.last])
            return SearchHit(videoID: hit.videoID, title: hit.title, url: hit.url, startMs: segments.first?.startMs ?? hit.startMs,
                             endMs: segments.map(\.endMs).max() ?? hit.endMs, score: hit.score, segments: segments)
        }
    }

    /// Indices in `hit.segments` of the sentence's first and last segment.
    func segmentRange(of sentence: TranscriptSentence, in hit: SearchHit) -> ClosedRange<Int>? {
        guard let first = sentence.segmentIDs.first, let last = sentence.segmentIDs.last,
              let from = hit.segments.firstIndex(where: { $0.id == first }),
              let to = hit.segments[from...].firstIndex(where: { $0.id == last }) else { return nil }
        return from...to
    }

    func duration(_ range: ClosedRange<Int>, in hit: SearchHit) -> Int {
        (hit.segments[range].map(\.endMs).max() ?? 0) - hit.segments[range.lowerBound].startMs
    }

    /// Tokens of the evidence line the span becomes.
    func cost(_ range: ClosedRange<Int>, in hit: SearchHit) -> Int {
        let segments = Array(hit.segments[range])
        let citation = Citation(videoID: hit.videoID, startMs: segments.first?.startMs ?? 0, endMs: segments.map(\.endMs).max() ?? 0)
        return LLMAnswerer.estimateTokens("\(citation) \(SearchHit.text(of: segments))\n")
    }
}
