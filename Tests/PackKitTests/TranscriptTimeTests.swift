import Foundation
import XCTest
@testable import PackKit

/// Caption times from outside: a timestamp far in the future is refused with its file and line (never turned
/// into millions of windows), cues past the video's known duration are a warning, windows follow the speech,
/// and zero-length cues stay searchable.
final class TranscriptTimeTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
    }

    private func problem(_ text: String, name: String, file: StaticString = #filePath, line: UInt = #line) -> TranscriptProblem? {
        do {
            let parsed = try TranscriptReader.parse(Data(text.utf8), fileName: name)
            XCTFail("\(name): expected a problem, got \(parsed.segments.count) segments", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    // MARK: The 48-hour bound, in every format

    func testACueFarInTheFutureIsRefusedWithItsLineInEveryFormat() throws {
        let srt = try XCTUnwrap(problem("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n99999:00:00,000 --> 99999:00:05,000\nlate\n", name: "a.srt"))
        XCTAssertEqual(srt.description, "a.srt:6: cue starts at 99999:00:00, past the 48-hour limit on caption times")

        let vtt = try XCTUnwrap(problem("WEBVTT\n\n00:01.000 --> 99999:59:59.000\nlong\n", name: "b.vtt"))
        XCTAssertEqual(vtt.description, "b.vtt:3: cue ends at 99999:59:59, past the 48-hour limit on caption times")

        let sbv = try XCTUnwrap(problem("0:00:01.000,0:00:02.000\nfine\n\n9999999:00:00.000,9999999:00:01.000\nlate\n", name: "c.sbv"))
        XCTAssertEqual(sbv.description, "c.sbv:4: cue starts at 9999999:00:00, past the 48-hour limit on caption times")

        let seconds = try XCTUnwrap(problem(#"[{"text": "x", "start": 359996400, "duration": 2}]"#, name: "d.json"))
        XCTAssertEqual(seconds.description, "d.json: element 0: field 'start' is 359996400 s, past the 48-hour limit on caption times")

        let milliseconds = try XCTUnwrap(problem(#"[{"text": "a", "start_ms": 0, "end_ms": 10}, {"text": "x", "start_ms": 0, "duration_ms": 9e12}]"#, name: "e.json"))
        XCTAssertEqual(milliseconds.description, "e.json: element 1: field 'duration_ms' is 9000000000000 ms, past the 48-hour limit on caption times")

        // Each field within the bound, their sum past it.
        let sum = try XCTUnwrap(problem(#"[{"text": "x", "start": 100000, "duration": 100000}]"#, name: "f.json"))
        XCTAssertEqual(sum.description, "f.json: element 0: cue ends at 55:33:20, past the 48-hour limit on caption times")

        let json3 = try XCTUnwrap(problem(#"{"events": [{"tStartMs": 1e15, "dDurationMs": 1, "segs": [{"utf8": "x"}]}]}"#, name: "g.json"))
        XCTAssertEqual(json3.description, "g.json: event 0: field 'tStartMs' is 1000000000000000 ms, past the 48-hour limit on caption times")
    }

    func testTimesUpToTheBoundParse() throws {
        let parsed = try TranscriptReader.parse(Data("1\n47:59:59,999 --> 48:00:00,000\nlast words\n".utf8), fileName: "ok.srt")
        XCTAssertEqual(parsed.segments, [TranscriptSegment(startMs: CueTimeLimit.maxMs - 1, endMs: CueTimeLimit.maxMs, text: "last words")])
    }

    /// The issue's case: one cue spanning 99999 hours used to build 12 million chunks (22 GB); it is now refused
    /// at once, and the build names the file and line.
    func testABuildWithACueFarInTheFutureFailsAtOnceNamingFileAndLine() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("v1", ""), ("v2", "")], transcripts: [
            "v1.srt": "1\n00:00:00,000 --> 99999:00:00,000\none endless cue\n",
            "v2.sbv": "0:00:01.000,0:00:02.000\nfine\n\n99999:00:00.000,99999:00:01.000\nfar away\n",
        ])
        let started = Date()
        XCTAssertThrowsError(try PackBuilder().build(input: input, output: dir.appendingPathComponent("o.pack"))) { error in
            guard case .transcripts(let problems) = error as? PackBuildError else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.map { "\(URL(fileURLWithPath: $0.file).lastPathComponent):\($0.line ?? 0)" }.sorted(), ["v1.srt:2", "v2.sbv:4"])
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "refused before any window is made")
    }

    // MARK: The video's own duration

    func testCuesPastTheKnownDurationAreKeptWithAWarning() throws {
        let input = dir.appendingPathComponent("input")
        // writeInput gives every video a duration of 600 s.
        try TestSupport.writeInput(at: input, videos: [("v1", ""), ("v2", "")], transcripts: [
            "v1.srt": TestSupport.srt(cues: 10) + "\n11\n01:00:00,000 --> 01:00:03,000\nmisplaced afterword\n\n12\n02:00:00,000 --> 02:00:03,000\nanother\n",
            "v2.srt": TestSupport.srt(cues: 10) + "\n11\n00:10:05,000 --> 00:10:08,000\nlingering outro\n",
        ])
        let output = dir.appendingPathComponent("o.pack")
        let report = try PackBuilder().build(input: input, output: output)
        XCTAssertEqual(report.warnings.map { URL(fileURLWithPath: $0.file).lastPathComponent }, ["v1.srt"],
                       "a cue ending within 10 s of the end is rounding, not a warning")
        let warning = try XCTUnwrap(report.warnings.first)
        XCTAssertEqual(warning.line, 42)
        XCTAssertEqual(warning.message, "cue ends at 1:00:03, past the video's duration of 0:10:00 in videos.json (and 1 later cue); kept as written")
        let pack = try TestSupport.open(output.path, cacheIn: dir)
        XCTAssertGreaterThan(try pack.database.scalarInt("SELECT count(*) FROM micro_chunk WHERE text LIKE '%misplaced afterword%'") ?? 0, 0)
    }

    func testTheBuildCommandPrintsWarningsWithFileAndLine() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("v1", "")], transcripts: [
            "v1.vtt": "WEBVTT\n\n00:01.000 --> 00:04.000\nhello\n\n05:00:00.000 --> 05:00:04.000\nlate\n",
        ])
        var environment = ProcessInfo.processInfo.environment
        environment["YTCE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
        let result = try TestSupport.run(try TestSupport.ytceBinary(), ["pack", "build", "--input", input.path, "--out", dir.appendingPathComponent("o.pack").path],
                                         environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("warning: \(input.path)/transcripts/v1.vtt:6: cue ends at 5:00:04, past the video's duration"), result.stderr)
    }

    // MARK: Windows follow the speech

    func testTenHoursOfSilenceMakeNoWindows() {
        let segments = [TranscriptSegment(startMs: 0, endMs: 3000, text: "before"),
                        TranscriptSegment(startMs: 36_000_000, endMs: 36_003_000, text: "after")]
        let chunks = MicroChunker.chunks(of: segments, settings: ChunkingSettings())
        // The later cue falls in two overlapping windows, as any cue near a window's edge does.
        XCTAssertEqual(chunks.map(\.text), ["before", "after", "after"])
        XCTAssertEqual(chunks.map(\.startMs), [0, 35_970_000, 36_000_000])
    }

    /// A cue lasting 40 hours would be copied into 4,800 windows: refused by its size before any is built.
    func testACueLastingHoursIsRefusedBeforeItsWindowsAreBuilt() throws {
        let input = dir.appendingPathComponent("input")
        let words = Array(repeating: "endless words of one cue", count: 1000).joined(separator: " ")  // 25 KB
        try TestSupport.writeInput(at: input, videos: [("v1", "")], transcripts: [
            "v1.srt": "1\n00:00:00,000 --> 40:00:00,000\n\(words)\n",
        ])
        XCTAssertThrowsError(try PackBuilder().build(input: input, output: dir.appendingPathComponent("o.pack"))) { error in
            guard case .transcripts(let problems) = error as? PackBuildError, let problem = problems.first else { return XCTFail("\(error)") }
            XCTAssertTrue(problem.file.hasSuffix("v1.srt"))
            XCTAssertTrue(problem.message.hasPrefix("its chunks would copy its text into 114.5 MiB of overlapping windows, more than the 64 MiB a video may have"), problem.message)
            XCTAssertTrue(problem.message.hasSuffix("(its longest cue, at 0:00:00, lasts 40:00:00)"), problem.message)
        }
        let segments = [TranscriptSegment(startMs: 0, endMs: 144_000_000, text: words)]
        XCTAssertGreaterThan(MicroChunker.textBytesBound(of: segments, settings: ChunkingSettings()), MicroChunker.maxTextBytesPerVideo)
        // Ordinary captions stay near one and a half times their text.
        let ordinary = (0..<1000).map { TranscriptSegment(startMs: $0 * 3000, endMs: $0 * 3000 + 2900, text: "twenty bytes of text") }
        XCTAssertLessThan(MicroChunker.textBytesBound(of: ordinary, settings: ChunkingSettings()), 1000 * 21 * 3)
    }

    // MARK: Zero-length cues

    func testAZeroLengthCueAtTheFirstStartIsChunked() {
        let segments = [TranscriptSegment(startMs: 5000, endMs: 5000, text: "zebra"),
                        TranscriptSegment(startMs: 5000, endMs: 8000, text: "then the talk")]
        let chunks = MicroChunker.chunks(of: segments, settings: ChunkingSettings())
        XCTAssertEqual(chunks.map(\.text), ["zebra then the talk"])
        XCTAssertEqual(chunks.first?.segmentIndices, [0, 1])
    }

    func testATranscriptOfOnlyZeroLengthCuesIsChunkedAndSearchable() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("v1", ""), ("v2", "")], transcripts: [
            "v1.srt": "1\n00:00:10,000 --> 00:00:10,000\nthe quokka smiles\n\n2\n00:00:20,000 --> 00:00:20,000\nat the camera\n",
            "v2.srt": TestSupport.srt(cues: 20),
        ])
        let output = dir.appendingPathComponent("o.pack")
        let report = try PackBuilder().build(input: input, output: output)
        XCTAssertEqual(report.emptyTranscripts, [])
        XCTAssertEqual(report.videosWithTranscript, 2)
        let pack = try TestSupport.open(output.path, cacheIn: dir)
        XCTAssertEqual(try pack.database.strings("SELECT text FROM micro_chunk WHERE video_id = 'v1'"), ["the quokka smiles at the camera"])
        let hit = try XCTUnwrap(try Retriever(pack: pack, cache: TestSupport.cache(in: dir)).search("quokka", topK: 3).hits.first)
        XCTAssertEqual(hit.videoID, "v1")
        XCTAssertEqual(SearchHit.text(of: hit.segments), "the quokka smiles at the camera", "the zero-length segment at the moment's start resolves too")
    }

    func testATranscriptWithoutSearchableTextIsNamed() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("v1", ""), ("v2", "")], transcripts: [
            "v1.vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n<c></c>\n",
            "v2.srt": TestSupport.srt(cues: 5),
        ])
        let report = try PackBuilder().build(input: input, output: dir.appendingPathComponent("o.pack"))
        XCTAssertEqual(report.emptyTranscripts.map { URL(fileURLWithPath: $0).lastPathComponent }, ["v1.vtt"])
    }
}
