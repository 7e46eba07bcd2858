import XCTest
@testable import PackKit

/// How a moment's captions are cut into the sentences an answer quotes.
final class TranscriptSentenceTests: XCTestCase {
    func hit(_ cues: [String]) -> SearchHit {
        SearchHit(videoID: "v", title: "v", url: "", startMs: 0, endMs: cues.count * 2_000, score: 1,
                  segments: cues.enumerated().map { .init(id: Int64($0.offset + 1), startMs: $0.offset * 2_000,
                                                          endMs: $0.offset * 2_000 + 2_000, text: $0.element) })
    }

    /// A cue that opens with a new speaker's mark ("- Hi, I'm Sylvain.") starts a sentence of its own, and the mark
    /// is not quoted; before, it was glued to the previous speaker's words and quoted as "- So we're gonna…".
    func testAChangeOfSpeakerStartsASentenceAndItsMarkIsNotQuoted() {
        let sentences = TranscriptSentence.split(hit(["And that is how the pipeline ends", "- Hi, I'm Sylvain, and I work",
                                                      "on the tokenizers library.", ">> Thanks for having me here today."]), moment: 0)
        XCTAssertEqual(sentences.map(\.text), ["And that is how the pipeline ends", "Hi, I'm Sylvain, and I work on the tokenizers library.",
                                               "Thanks for having me here today."])
        XCTAssertEqual(sentences[1].segmentIDs, [2, 3])
        XCTAssertEqual(sentences.map(\.endsCut), [false, false, false])
    }

    /// A speaker's sentence too long to quote whole is cut at a cue end; where the transcript marks its sentences,
    /// both pieces say they are pieces, so a quote does not end on "and we're gonna use the" as if that were all.
    func testALongSentenceCutInAPunctuatedTranscriptIsMarked() {
        let long = ["So we're gonna find that there's a number of different", "ways that we can read through the file, but the most common",
                    "way that we're gonna read through the file is to treat it", "as a sequence of lines, and we're gonna use the",
                    "determinant loop, the for loop to do this.", "And so what happens here is we get back a handle.",
                    "That handle is the variable I named.", "It is a handle, not the data."]
        let sentences = TranscriptSentence.split(hit(long), moment: 0)
        XCTAssertEqual(sentences.first?.text.hasSuffix("and we're gonna use the"), true, sentences.first?.text ?? "")
        XCTAssertEqual(sentences.map(\.endsCut), [true, false, false, false, false])
        XCTAssertEqual(sentences.map(\.beginsCut), [false, true, false, false, false])
        XCTAssertEqual(ExtractiveAnswerer.marked("as a sequence of lines,", endsCut: true, beginsCut: false), "as a sequence of lines…")
        XCTAssertEqual(ExtractiveAnswerer.marked("determinant loop, the for loop to do this.", endsCut: false, beginsCut: true),
                       "…determinant loop, the for loop to do this.")

        // Auto-captions mark no sentence at all: every quote is a piece, and none is marked.
        let unpunctuated = TranscriptSentence.split(hit(long.map { $0.replacingOccurrences(of: ".", with: "") }), moment: 0)
        XCTAssertGreaterThan(unpunctuated.count, 1)
        XCTAssertFalse(unpunctuated.contains { $0.endsCut || $0.beginsCut })
    }
}
