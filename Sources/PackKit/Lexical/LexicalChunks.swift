/// One video's chunks as lexical index documents, analyzed by a build worker: each chunk's term counts
/// (term ids local to the worker's session) and length. A chunk's document is its words plus its video's
/// title, as for indexes built later from a pack's database (`LexicalIndexStore`).
struct LexicalChunks: Sendable {
    var lane = 0
    var firstNewTermID = 0
    var newTerms: [String] = []
    var starts: [Int32] = [0]
    var ids: [Int32] = []
    var counts: [UInt16] = []
    var lengths: [UInt16] = []

    /// Each segment is analyzed once and a chunk's counts are summed from its segments (chunk windows overlap,
    /// so this does a third less work than analyzing chunk texts). The same terms as analyzing the chunk text:
    /// segments are joined by spaces, which no word crosses.
    init(lane: Int, session: LexicalSession, title: String, segments: [TranscriptSegment], chunks: [MicroChunk]) {
        var segmentIDs: [Int32] = []
        var segmentStarts: [Int] = [0]
        for segment in segments {
            session.appendTermIDs(of: segment.text, to: &segmentIDs)
            segmentStarts.append(segmentIDs.count)
        }
        self.init(lane: lane, session: session, title: title, segmentIDs: segmentIDs, segmentStarts: segmentStarts, chunks: chunks)
    }

    /// From the segments' term ids, given by `session` (segment s's are `segmentIDs[segmentStarts[s] ..< segmentStarts[s + 1]]`).
    init(lane: Int, session: LexicalSession, title: String, segmentIDs: [Int32], segmentStarts: [Int], chunks: [MicroChunk]) {
        self.lane = lane
        var titleIDs: [Int32] = []
        session.appendTermIDs(of: title, to: &titleIDs)
        // Term frequencies by direct counting into a table indexed by term id (no sorting).
        var tally = [UInt16](repeating: 0, count: session.terms.count)
        var touched: [Int32] = []
        func count(_ id: Int32) {
            if tally[Int(id)] == 0 { touched.append(id) }
            if tally[Int(id)] < UInt16.max { tally[Int(id)] += 1 }
        }
        for chunk in chunks {
            var length = titleIDs.count
            for s in chunk.segmentIndices {
                for id in segmentIDs[segmentStarts[s]..<segmentStarts[s + 1]] { count(id) }
                length += segmentStarts[s + 1] - segmentStarts[s]
            }
            for id in titleIDs { count(id) }
            lengths.append(UInt16(min(length, Int(UInt16.max))))
            for id in touched {
                ids.append(id)
                counts.append(tally[Int(id)])
                tally[Int(id)] = 0
            }
            touched.removeAll(keepingCapacity: true)
            starts.append(Int32(ids.count))
        }
        (firstNewTermID, newTerms) = session.drainNewTerms()
    }
}
