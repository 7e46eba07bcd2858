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
    /// In a transcript that marks its sentences, it was cut at a cue's end before the speaker finished it (it ran
    /// past `longestSentence`), or it is the rest of one so cut: a quote of it ends, or begins, with "…".
    public var endsCut = false
    public var beginsCut = false

    /// Characters after which a run of captions is cut into a new sentence at the next cue end, so a sentence stays
    /// quotable (about 35 words). Letting a transcript that marks its sentences run to 300 or 400 characters before
    /// a cut (at a cue closing a clause past 200) kept more speakers' long sentences whole, but a longer lead left
    /// no room in the word budget for a third moment's sentence: hf-course hash cites gold 0.825 -> 0.80 and py4e.minilm
    /// follow-ups 0.92 -> 0.83 (`ytce eval --answers`). Such a cut is marked instead (`endsCut`).
    static let longestSentence = 200
    /// Shorter pieces ("Okay.", "Right?") are not sentences worth quoting.
    static let shortestSentence = 12

    /// The moment's transcript split into sentences at `.`, `?` or `!` followed by a space or a cue's end
    /// ("3.11" and "e.g." inside a cue stay whole), and where a cue opens with a change of speaker ("- Hi, I'm
    /// Sylvain.", ">> So…"; the mark is not part of the sentence); captions without punctuation are cut at a cue end
    /// once they run past `longestSentence` characters.
    public static func split(_ hit: SearchHit, moment: Int) -> [TranscriptSentence] {
        let punctuated = marksSentences(hit.segments)
        var out: [TranscriptSentence] = []
        var current = TranscriptSentence(text: "", startMs: 0, endMs: 0, segmentIDs: [], moment: moment, index: 0)
        var afterCut = false
        func finish(cut: Bool = false) {
            let text = current.text.trimmingCharacters(in: .whitespaces)
            if text.count >= shortestSentence {
                current.text = text
                current.index = out.count
                current.endsCut = cut && punctuated
                current.beginsCut = afterCut && punctuated
                out.append(current)
            }
            afterCut = cut
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
            var text = Substring(segment.text)
            if let spoken = afterSpeakerMark(text) {
                if !current.text.isEmpty { finish() }
                afterCut = false
                text = spoken
            }
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
            if current.text.count > longestSentence { finish(cut: true) }
        }
        finish()
        return out
    }

    /// A cue's text after the mark of a new speaker that opens it ("- ", "– ", ">> "), or nil when it opens with none.
    static func afterSpeakerMark(_ text: Substring) -> Substring? {
        let trimmed = text.drop { $0 == " " }
        for mark in [">>", "- ", "– ", "— "] where trimmed.hasPrefix(mark) {
            return trimmed.dropFirst(mark.count).drop { $0 == " " }
        }
        return nil
    }

    /// Whether the captions mark where sentences end: at least one sentence end for every six cues (auto-captions
    /// have none but a stray "3.11"; punctuated tracks end one every two to four cues).
    static func marksSentences(_ segments: [SearchHit.Segment]) -> Bool {
        var ends = 0
        for segment in segments {
            let text = segment.text
            var i = text.startIndex
            while i < text.endIndex {
                let next = text.index(after: i)
                if ".?!".contains(text[i]) && (next == text.endIndex || text[next] == " ") { ends += 1 }
                i = next
            }
        }
        return ends * 6 >= segments.count && ends > 0
    }
}
