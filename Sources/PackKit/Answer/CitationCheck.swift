/// Checks cited spans against the evidence an answer was given: a citation must name a video of the evidence
/// and overlap one of its spans. Timestamps are written in whole seconds, so spans are widened by a second.
public enum CitationCheck {
    public enum Verdict: Sendable, Equatable {
        /// Supported by the evidence at this index.
        case supported(evidenceIndex: Int)
        /// Points at no evidence that was given: the model made it up (or copied it wrong).
        case invented
    }

    /// `evidence` holds the spans that were given (a citation is itself a video and a span).
    public static func verdict(for citation: Citation, evidence: [Citation]) -> Verdict {
        var best: (index: Int, overlap: Int)?
        for (i, span) in evidence.enumerated() where span.videoID == citation.videoID {
            let overlap = min(citation.endMs, span.endMs + 1000) - max(citation.startMs, span.startMs - 1000)
            if overlap >= 0, overlap > best?.overlap ?? -1 { best = (i, overlap) }
        }
        return best.map { .supported(evidenceIndex: $0.index) } ?? .invented
    }
}
