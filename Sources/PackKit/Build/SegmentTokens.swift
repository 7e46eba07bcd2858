/// A video's segments read once for both of a hash build's uses: each segment's hash features (for the chunk
/// vectors) and its lexical term ids (for the lexical index). Where a segment's text is all ASCII, each of its
/// whitespace tokens is looked up once for both (`LexicalSession.appendFeaturesAndTermIDs`); any other segment
/// is read by each as it would be alone. Either way the features and terms are those each gives by itself.
struct SegmentTokens {
    /// Segment s's features are `features[featureStarts[s] ..< featureStarts[s + 1]]`.
    var features: [Int32] = []
    var featureStarts: [Int] = [0]
    /// Segment s's term ids are `termIDs[termStarts[s] ..< termStarts[s + 1]]`.
    var termIDs: [Int32] = []
    var termStarts: [Int] = [0]

    init(_ segments: [TranscriptSegment], hashing: HashEmbeddingSession, lexical: LexicalSession) {
        featureStarts.reserveCapacity(segments.count + 1)
        termStarts.reserveCapacity(segments.count + 1)
        for segment in segments {
            if !lexical.appendFeaturesAndTermIDs(of: segment.text, dimension: hashing.dimension, features: &features, termIDs: &termIDs) {
                hashing.appendFeatures(of: segment.text, to: &features)
                lexical.appendTermIDs(of: segment.text, to: &termIDs)
            }
            featureStarts.append(features.count)
            termStarts.append(termIDs.count)
        }
    }
}
