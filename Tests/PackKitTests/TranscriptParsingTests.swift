import Foundation
import XCTest
import PackKit

/// Fixture-driven tests: each file in Fixtures/transcripts covers one edge case and is checked
/// segment by segment (times, text, speaker).
final class TranscriptParsingTests: XCTestCase {
    // MARK: Helpers

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/transcripts", isDirectory: true)

    private func parseFixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> ParsedTranscript {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        do {
            return try TranscriptReader.parse(data, fileName: name)
        } catch {
            XCTFail("\(name): unexpected problem: \(error)", file: file, line: line)
            throw error
        }
    }

    private func problem(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> TranscriptProblem? {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent(name))
        return problem(data, name: name, file: file, line: line)
    }

    private func problem(_ data: Data, name: String, file: StaticString = #filePath, line: UInt = #line) -> TranscriptProblem? {
        do {
            let parsed = try TranscriptReader.parse(data, fileName: name)
            XCTFail("\(name): expected a problem, got \(parsed.segments.count) segments", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    private func seg(_ start: Int, _ end: Int, _ text: String, _ speaker: String? = nil) -> TranscriptSegment {
        TranscriptSegment(startMs: start, endMs: end, text: text, speaker: speaker)
    }

    private func assertSegments(
        _ actual: [TranscriptSegment], _ expected: [TranscriptSegment],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual.count, expected.count, "segment count", file: file, line: line)
        for (index, (a, e)) in zip(actual, expected).enumerated() where a != e {
            XCTFail("segment \(index): got \(a), expected \(e)", file: file, line: line)
        }
    }

    // MARK: SRT

    func testSRTWithBOMAndCRLF() throws {
        let parsed = try parseFixture("srt-bom-crlf.srt")
        XCTAssertEqual(parsed.format, .srt)
        assertSegments(parsed.segments, [
            seg(670, 1503, "(whooshing sound)"),
            seg(6240, 8220, "In a lot of our examples,"),
            seg(8220, 12150, "you're going to see DataCollators popping up over and over."),
        ])
    }

    func testSRTWithBareCRLineEndings() throws {
        let parsed = try parseFixture("srt-bare-cr.srt")
        XCTAssertEqual(parsed.format, .srt)
        assertSegments(parsed.segments, [
            seg(1000, 2000, "first line second line"),
            seg(2500, 3000, "third"),
        ])
    }

    func testSRTMessyStructure() throws {
        let parsed = try parseFixture("srt-messy-structure.srt")
        XCTAssertEqual(parsed.format, .srt)
        assertSegments(parsed.segments, [
            seg(1000, 2500, "Cue numbers are wrong here."),
            seg(2500, 4000, "No number, dot before the millis."),
            seg(4000, 5000, "No blank line before this cue, positional suffix."),
            seg(5000, 6000, "Directly after the previous text."),
            seg(6000, 7000, "1984"),
            seg(9000, 9000, "End before start is clamped."),
            // the 10 s cue has no text and is dropped
            seg(12000, 13000, "Indented text with runs of spaces."),
        ])
    }

    func testSRTTextCleaning() throws {
        let parsed = try parseFixture("srt-text-cleaning.srt")
        assertSegments(parsed.segments, [
            seg(1000, 2000, "Italic and bold and coloured"),
            seg(2000, 3000, "Top of the screen & entities <tag> \"quoted\" it's"),
            seg(3000, 4000, "[Music]"),
            seg(4000, 5000, ">> Speaker change marker"),
            seg(5000, 6000, "- Dash marker stays - Second speaker"),
            seg(6000, 7000, "non breaking em ideographic tab hair"),
            seg(7000, 8000, "if x < 10 and y > 3: print(\"<s> and </s>\")"),
            // "<i> </i>&nbsp;" cleans to nothing and is dropped
        ])
    }

    func testRepeatedLinesInOrdinaryCaptionsAreNotMerged() throws {
        let parsed = try parseFixture("srt-repeated-lines-not-rolling.srt")
        assertSegments(parsed.segments, [
            seg(1000, 2000, "No."),
            seg(2000, 3000, "No."),
            seg(3000, 4000, "Are you sure? Yes."),
            seg(4000, 5000, "Yes. I am sure."),
            seg(5000, 6000, "Okay then."),
            seg(6000, 7000, "Let's go."),
            seg(7000, 8000, "Right now."),
        ])
    }

    func testFileNameStartingWithDash() throws {
        let parsed = try parseFixture("-cmlmaVSONg.srt")
        assertSegments(parsed.segments, [seg(809, 2833, "- Okay, so now it's time to teach you")])
        let viaURL = try TranscriptReader.read(contentsOf: Self.fixtures.appendingPathComponent("-cmlmaVSONg.srt"))
        XCTAssertEqual(viaURL, parsed)
    }

    // MARK: WebVTT

    func testWebVTTBlocksTagsAndEntities() throws {
        let parsed = try parseFixture("vtt-blocks-and-tags.vtt")
        XCTAssertEqual(parsed.format, .vtt)
        assertSegments(parsed.segments, [
            seg(1000, 2500, "Hello and welcome", "Dr. Chuck"),
            seg(2500, 4000, "Coloured class italic under"),
            seg(4000, 5000, "漢字 and English"),
            seg(5000, 6000, "karaoke words here"),
            seg(6000, 7000, "& < > \" ' a b x é é 😀 &bogus;"),
            seg(3_723_004, 3_724_000, "Long video, hours present.", "Esme Rose"),
        ])
    }

    func testYouTubeRollingCuesKeepEachPhraseOnce() throws {
        let parsed = try parseFixture("vtt-youtube-rolling.vtt")
        XCTAssertEqual(parsed.format, .vtt)
        assertSegments(parsed.segments, [
            seg(160, 2480, "hi everyone welcome"),
            seg(2480, 5040, "to the course"),
            seg(5040, 7920, "[Music]"),
            seg(7920, 10000, "today we start"),
        ])
    }

    func testRollingCuesInSRT() throws {
        // yt-dlp's conversion of auto captions to SRT keeps the rolling structure.
        let srt = """
        1
        00:00:00,160 --> 00:00:02,470
        hi everyone

        2
        00:00:02,470 --> 00:00:02,480
        hi everyone

        3
        00:00:02,480 --> 00:00:05,030
        hi everyone
        so today we

        4
        00:00:05,030 --> 00:00:05,040
        so today we

        5
        00:00:05,040 --> 00:00:07,000
        so today we
        talk about parsing
        """
        let parsed = try TranscriptReader.parse(Data(srt.utf8), fileName: "auto.en.srt")
        assertSegments(parsed.segments, [
            seg(160, 2480, "hi everyone"),
            seg(2480, 5040, "so today we"),
            seg(5040, 7000, "talk about parsing"),
        ])
    }

    func testHeaderlessVTTUsesExtensionHint() throws {
        let text = "00:01.000 --> 00:02.000\n<v Ann>Hi\n\n00:02.000 --> 00:03.000\nthere\n"
        let parsed = try TranscriptReader.parse(Data(text.utf8), fileName: "clip.vtt")
        XCTAssertEqual(parsed.format, .vtt)
        assertSegments(parsed.segments, [seg(1000, 2000, "Hi", "Ann"), seg(2000, 3000, "there")])
    }

    func testVTTContentNamedSRTIsDetectedAsVTT() throws {
        let text = "WEBVTT\n\n00:01.000 --> 00:02.000\nhello\n"
        let parsed = try TranscriptReader.parse(Data(text.utf8), fileName: "x.srt")
        XCTAssertEqual(parsed.format, .vtt)
        assertSegments(parsed.segments, [seg(1000, 2000, "hello")])
    }

    func testVTTWithLeadingBlankLinesAndNoBlankAfterHeader() throws {
        let text = "\n\nWEBVTT\nKind: captions\n00:01.000 --> 00:02.000\nhello\n00:02.000 --> 00:03.000\nworld\n"
        let parsed = try TranscriptReader.parse(Data(text.utf8), fileName: "lead.vtt")
        XCTAssertEqual(parsed.format, .vtt)
        assertSegments(parsed.segments, [seg(1000, 2000, "hello"), seg(2000, 3000, "world")])
    }

    func testVTTHeaderOnlyIsEmpty() throws {
        let parsed = try TranscriptReader.parse(Data("WEBVTT\nKind: captions\n\nNOTE nothing yet\n".utf8), fileName: "a.vtt")
        XCTAssertEqual(parsed, ParsedTranscript(format: .vtt, segments: []))
    }

    // MARK: SBV

    func testSBVDetectedByContentDespiteSRTName() throws {
        let parsed = try parseFixture("sbv-named-as.srt")
        XCTAssertEqual(parsed.format, .sbv)
        assertSegments(parsed.segments, [
            seg(2460, 4320, "Welcome to the course on captions."),
            seg(4320, 6000, "Second cue & more"),
            seg(6000, 7500, "Third cue"),
        ])
    }

    func testSBV() throws {
        let parsed = try parseFixture("youtube.sbv")
        XCTAssertEqual(parsed.format, .sbv)
        assertSegments(parsed.segments, [
            seg(0, 1000, ">> Hello there."),
            seg(3_723_400, 3_725_000, "Late cue."),
        ])
    }

    // MARK: JSON

    func testJSONMilliseconds() throws {
        let parsed = try parseFixture("json-ms.json")
        XCTAssertEqual(parsed.format, .json)
        assertSegments(parsed.segments, [
            seg(0, 1500, "First segment", "Alice"),
            seg(1500, 3001, "Floats are rounded"),
            seg(3000, 3000, "End before start"),
            seg(5000, 6000, "Unicode é😀 escapes and a newline"),
        ])
    }

    func testJSONYouTubeTranscriptAPI() throws {
        let parsed = try parseFixture("json-youtube-transcript-api.json")
        XCTAssertEqual(parsed.format, .json)
        assertSegments(parsed.segments, [
            seg(0, 2500, "[Music]"),
            seg(2500, 3734, "it's a new line"),
            seg(5000, 7000, "last one"),
        ])
    }

    func testJSONWrappedArrays() throws {
        assertSegments(try parseFixture("json-wrapped-segments.json").segments, [seg(10, 20, "wrapped")])
        assertSegments(try parseFixture("json-wrapped-transcript.json").segments, [seg(1500, 2000, "also wrapped")])
    }

    func testJSON3Events() throws {
        let json = """
        {"wireMagic": "pb3", "events": [
          {"tStartMs": 0, "dDurationMs": 5000, "id": 1},
          {"tStartMs": 160, "dDurationMs": 2310, "segs": [{"utf8": "hi"}, {"utf8": " everyone", "tOffsetMs": 320}]},
          {"tStartMs": 2470, "dDurationMs": 10, "aAppend": 1, "segs": [{"utf8": "\\n"}]},
          {"tStartMs": 2480, "dDurationMs": 2550, "segs": [{"utf8": "so today"}]}
        ]}
        """
        let parsed = try TranscriptReader.parse(Data(json.utf8), fileName: "v.json3")
        XCTAssertEqual(parsed.format, .json)
        assertSegments(parsed.segments, [seg(160, 2470, "hi everyone"), seg(2480, 5030, "so today")])
    }

    func testJSONEmptyArrayIsEmptyTranscript() throws {
        XCTAssertEqual(try TranscriptReader.parse(Data("[]".utf8), fileName: "a.json").segments, [])
    }

    // MARK: Empty input and encodings

    func testEmptyAndBlankFilesYieldNoSegments() throws {
        XCTAssertEqual(try parseFixture("empty.srt"), ParsedTranscript(format: .srt, segments: []))
        XCTAssertEqual(try parseFixture("blank.vtt"), ParsedTranscript(format: .vtt, segments: []))
        XCTAssertEqual(try TranscriptReader.parse(Data([0xEF, 0xBB, 0xBF]), fileName: "bom-only.sbv").segments, [])
    }

    func testUTF16WithBOMIsTranscoded() throws {
        let text = "1\r\n00:00:01,000 --> 00:00:02,000\r\nnaïve café\r\n"
        var le = Data([0xFF, 0xFE])
        for unit in text.utf16 { le.append(UInt8(unit & 0xFF)); le.append(UInt8(unit >> 8)) }
        var be = Data([0xFE, 0xFF])
        for unit in text.utf16 { be.append(UInt8(unit >> 8)); be.append(UInt8(unit & 0xFF)) }
        for data in [le, be] {
            assertSegments(try TranscriptReader.parse(data, fileName: "u16.srt").segments, [seg(1000, 2000, "naïve café")])
        }
    }

    func testUTF16WithoutBOMIsRecognised() throws {
        let text = "00:00:01,000 --> 00:00:02,000\nplain ASCII in UTF-16\n"
        var le = Data()
        for unit in text.utf16 { le.append(UInt8(unit & 0xFF)); le.append(UInt8(unit >> 8)) }
        assertSegments(try TranscriptReader.parse(le, fileName: "u16.srt").segments, [seg(1000, 2000, "plain ASCII in UTF-16")])
    }

    func testTimestampVariants() throws {
        let srt = """
        1:02:03,4 --> 1:02:03,45
        short fractions

        047:00:00,000 --> 047:00:01,000
        three-digit hours

        75:00.000 --> 75:01.000
        minutes only
        """
        let parsed = try TranscriptReader.parse(Data(srt.utf8), fileName: "t.srt")
        assertSegments(parsed.segments, [
            seg(3_723_400, 3_723_450, "short fractions"),
            seg(4_500_000, 4_501_000, "minutes only"),
            seg(169_200_000, 169_201_000, "three-digit hours"),  // within the 48-hour bound (`CueTimeLimit`)
        ])
    }

    func testOutOfOrderCuesAreSortedStably() throws {
        let srt = "00:00:05,000 --> 00:00:06,000\nlater\n\n00:00:01,000 --> 00:00:02,000\nfirst\n\n00:00:01,000 --> 00:00:03,000\nsecond\n"
        let parsed = try TranscriptReader.parse(Data(srt.utf8), fileName: "o.srt")
        assertSegments(parsed.segments, [seg(1000, 2000, "first"), seg(1000, 3000, "second"), seg(5000, 6000, "later")])
    }

    // MARK: Errors

    func testBadTimeLineNamesItsLine() throws {
        let srt = try XCTUnwrap(try problem("error-bad-time-line.srt"))
        XCTAssertEqual(srt.file, "error-bad-time-line.srt")
        XCTAssertEqual(srt.line, 6)
        XCTAssertEqual(srt.description, "error-bad-time-line.srt:6: invalid time line '00:00:02,000 --> 00:00:0x,000'")

        let vtt = try XCTUnwrap(try problem("error-bad-time-line.vtt"))
        XCTAssertEqual(vtt.line, 6)
        XCTAssertTrue(vtt.message.hasPrefix("invalid time line"), vtt.message)

        let sbv = try XCTUnwrap(try problem("error-bad-time-line.sbv"))
        XCTAssertEqual(sbv.line, 4)
        XCTAssertTrue(sbv.message.hasPrefix("invalid time line"), sbv.message)
    }

    func testBadJSONShapeNamesElementAndField() throws {
        let missing = try XCTUnwrap(try problem("error-missing-text.json"))
        XCTAssertNil(missing.line)
        XCTAssertEqual(missing.message, "element 3: missing field 'text'")
        XCTAssertEqual(missing.description, "error-missing-text.json: element 3: missing field 'text'")

        let wrongType = try XCTUnwrap(try problem("error-bad-field-type.json"))
        XCTAssertEqual(wrongType.message, "element 0: field 'start' must be a number, found a string")

        let notArray = try XCTUnwrap(problem(Data(#"{"items": []}"#.utf8), name: "o.json"))
        XCTAssertEqual(notArray.message, "expected an array of segments, or an object with a 'segments' or 'transcript' array")

        let notObject = try XCTUnwrap(problem(Data(#"[{"text": "a", "start": 1, "duration": 1}, 42]"#.utf8), name: "n.json"))
        XCTAssertEqual(notObject.message, "element 1: expected an object, found a number")

        let noTiming = try XCTUnwrap(problem(Data(#"[{"text": "a"}]"#.utf8), name: "t.json"))
        XCTAssertEqual(noTiming.message, "element 0: missing field 'start_ms' (or 'start')")

        let negative = try XCTUnwrap(problem(Data(#"[{"text": "a", "start_ms": -5, "end_ms": 1}]"#.utf8), name: "neg.json"))
        XCTAssertEqual(negative.message, "element 0: field 'start_ms' must not be negative")
    }

    func testJSONSyntaxErrorNamesLine() throws {
        let syntax = try XCTUnwrap(try problem("error-json-syntax.json"))
        XCTAssertEqual(syntax.line, 4)
        XCTAssertEqual(syntax.message, "invalid JSON: expected ',' or '}'")
    }

    func testInvalidUTF8NamesLine() throws {
        let bad = try XCTUnwrap(try problem("error-invalid-utf8.srt"))
        XCTAssertEqual(bad.line, 7)
        XCTAssertEqual(bad.message, "invalid UTF-8 (byte 0xE9 at column 11)")

        // Line counting is the same for CRLF and bare CR files.
        let crlf = try XCTUnwrap(problem(Data([0x61, 0x0D, 0x0A, 0x62, 0x0D, 0x63, 0x0A, 0xC0, 0x80]), name: "c.srt"))
        XCTAssertEqual(crlf.line, 4)
    }

    func testNonBlankFileWithoutCuesIsAProblem() throws {
        let noCues = try XCTUnwrap(try problem("error-no-cues.srt"))
        XCTAssertNil(noCues.line)
        XCTAssertEqual(noCues.message, "no cues found (not SRT, WebVTT, SBV or JSON)")

        // Starts with "[" but is not JSON.
        let music = try XCTUnwrap(problem(Data("[Music]\nsome words\n".utf8), name: "m.srt"))
        XCTAssertEqual(music.message, "no cues found (not SRT, WebVTT, SBV or JSON)")

        let strayVTT = try XCTUnwrap(problem(Data("WEBVTT\n\njust some text\nwithout timing\n".utf8), name: "s.vtt"))
        XCTAssertEqual(strayVTT.message, "no cues found")
    }

    func testUnreadableFileIsAProblem() throws {
        let missing = Self.fixtures.appendingPathComponent("does-not-exist.srt")
        do {
            _ = try TranscriptReader.read(contentsOf: missing)
            XCTFail("expected a problem")
        } catch {
            XCTAssertEqual(error.file, missing.path)
            XCTAssertNil(error.line)
            XCTAssertEqual(error.message, "cannot read file: no such file")
        }
        do {
            _ = try TranscriptReader.read(contentsOf: Self.fixtures)
            XCTFail("expected a problem")
        } catch {
            XCTAssertEqual(error.message, "cannot read file: is a directory")
        }
    }

    // MARK: API details

    func testFileExtensionsAndFormats() {
        XCTAssertEqual(TranscriptReader.fileExtensions, ["srt", "vtt", "sbv", "json"])
        XCTAssertEqual(TranscriptFormat(fileExtension: ".VTT"), .vtt)
        XCTAssertNil(TranscriptFormat(fileExtension: "txt"))
    }

    func testCaptionTextClean() {
        XCTAssertEqual(CaptionText.clean("  <v Bob>Hi&nbsp;&amp;\n bye </v> ").text, "Hi & bye")
        XCTAssertEqual(CaptionText.clean("<v Bob>Hi").speaker, "Bob")
        XCTAssertEqual(CaptionText.clean("\u{200B}\u{FEFF}").text, "")
    }
}
