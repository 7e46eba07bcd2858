import Foundation

/// A sentence of a moment's transcript, with the span and ids of the caption segments it spans.
public struct TranscriptSentence: Sendable, Equatable {
    public var text: String
    public var startMs: Int
    public var endMs: Int
    public var segmentIDs: [Int64]
    /// The moment it comes from (rank in the search result) and its place in that moment.
    public var moment: Int
    public var index: Int

    /// Characters after which an unpunctuated run of captions is cut into a new sentence at the next cue end,
    /// so a sentence stays quotable (about 35 words).
    static let longestSentence = 200
    /// Shorter pieces ("Okay.", "Right?") are not sentences worth quoting.
    static let shortestSentence = 12

    /// The moment's transcript split into sentences at `.`, `?` or `!` followed by a space or a cue's end
    /// ("3.11" and "e.g." inside a cue stay whole); captions without punctuation are cut at a cue end once
    /// they run past `longestSentence` characters.
    public static func split(_ hit: SearchHit, moment: Int) -> [TranscriptSentence] {
        var out: [TranscriptSentence] = []
        var current = TranscriptSentence(text: "", startMs: 0, endMs: 0, segmentIDs: [], moment: moment, index: 0)
        func finish() {
            let text = current.text.trimmingCharacters(in: .whitespaces)
            if text.count >= shortestSentence {
                current.text = text
                current.index = out.count
                out.append(current)
            }
            current = TranscriptSentence(text: "", startMs: 0, endMs: 0, segmentIDs: [], moment: moment, index: 0)
        }
        func add(_ piece: Substring, segment: SearchHit.Segment) {
            let piece = piece.trimmingCharacters(in: .whitespaces)
            guard !piece.isEmpty else { return }
            if current.segmentIDs.isEmpty { current.startMs = segment.startMs }
            if current.segmentIDs.last != segment.id { current.segmentIDs.append(segment.id) }
            current.endMs = max(current.endMs, segment.endMs)
            current.text += (current.text.isEmpty ? "" : " ") + piece
        }
        for segment in hit.segments {
            let text = segment.text
            var pieceStart = text.startIndex
            var i = text.startIndex
            while i < text.endIndex {
                let next = text.index(after: i)
                if ".?!".contains(text[i]) && (next == text.endIndex || text[next] == " ") {
                    add(text[pieceStart..<next], segment: segment)
                    finish()
                    pieceStart = next
                }
                i = next
            }
            add(text[pieceStart...], segment: segment)
            if current.text.count > longestSentence { finish() }
        }
        finish()
        return out
    }
}
