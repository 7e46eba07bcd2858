import Foundation
import XCTest
@testable import PackKit

final class ChapterParserTests: XCTestCase {
    func testYouTubeChapterStyles() {
        let description = """
            Welcome! In this video at 3:45 we talk a lot.
            0:00 Intro
            1:15 - Grind size
            (12:30) Water: hardness
            1:02:03 Deep dive
            • 1:03:00 | Wrap-up
            99:99 not a time
            12:3 too short
            2:00
            """
        XCTAssertEqual(ChapterParser.parse(description), [
            Chapter(startMs: 0, title: "Intro"),
            Chapter(startMs: 75_000, title: "Grind size"),
            Chapter(startMs: 750_000, title: "Water: hardness"),
            Chapter(startMs: 3_723_000, title: "Deep dive"),
            Chapter(startMs: 3_780_000, title: "Wrap-up"),
        ])
    }

    func testReferenceStyleTwoDigitTimes() {
        XCTAssertEqual(ChapterParser.parse("00:00 Intro\n05:00 Tools\n12:00 Workflow\n").map(\.startMs), [0, 300_000, 720_000])
    }

    func testNoChapters() {
        XCTAssertEqual(ChapterParser.parse("No chapters provided."), [])
        XCTAssertEqual(ChapterParser.parse(""), [])
    }
}

final class MicroChunkerTests: XCTestCase {
    func seg(_ s: Int, _ e: Int, _ t: String) -> TranscriptSegment { TranscriptSegment(startMs: s, endMs: e, text: t) }

    /// The reference's algorithm, windows × segments, as the oracle.
    func naiveChunks(_ segments: [TranscriptSegment], settings: ChunkingSettings) -> [(Int, Int, String)] {
        guard let first = segments.first else { return [] }
        let end = segments.map(\.endMs).max()!
        let step = (settings.microChunkSec - settings.microOverlapSec) * 1000, window = settings.microChunkSec * 1000
        var out: [(Int, Int, String)] = []
        var t = first.startMs
        while t < end {
            let text = segments.filter { $0.endMs > t && $0.startMs < t + window }.map(\.text).joined(separator: " ")
            if !text.isEmpty { out.append((t, min(t + window, end), text)) }
            t += step
        }
        return out
    }

    func testMatchesTheReferenceWindowingOnRandomTranscripts() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var t = Int.random(in: 0...5000, using: &rng)
            var segments: [TranscriptSegment] = []
            for i in 0..<Int.random(in: 1...80, using: &rng) {
                // Mostly contiguous speech, sometimes overlaps, sometimes long silences (> a window).
                let gap = [0, 200, -500, 70_000, 130_000][Int.random(in: 0...4, using: &rng) * (Int.random(in: 0...5, using: &rng) == 0 ? 1 : 0)]
                t = max(0, t + gap)
                let length = Int.random(in: 500...8000, using: &rng)
                segments.append(seg(t, t + length, "s\(round)-\(i)"))
                t += length
            }
            segments.sort { $0.startMs < $1.startMs }
            let settings = ChunkingSettings()
            let fast = MicroChunker.chunks(of: segments, settings: settings)
            let slow = naiveChunks(segments, settings: settings)
            XCTAssertEqual(fast.map { "\($0.startMs) \($0.endMs) \($0.text)" }, slow.map { "\($0.0) \($0.1) \($0.2)" }, "round \(round)")
        }
    }

    func testSegmentRangesOfChunks() {
        let segments = (0..<30).map { seg($0 * 3000, $0 * 3000 + 3000, "w\($0)") }
        let chunks = MicroChunker.chunks(of: segments, settings: ChunkingSettings())
        XCTAssertEqual(chunks.first?.firstSegment, 0)
        XCTAssertEqual(chunks.first?.lastSegment, 14)
        XCTAssertEqual(chunks[1].startMs, 30_000)
        XCTAssertEqual(chunks[1].firstSegment, 10)
        XCTAssertEqual(chunks.last?.endMs, 90_000)
    }
}

final class SectionerTests: XCTestCase {
    func chunks(minutes: Int) -> [MicroChunk] {
        MicroChunker.chunks(of: (0..<(minutes * 20)).map { TranscriptSegment(startMs: $0 * 3000, endMs: $0 * 3000 + 3000, text: "topic\($0 / 100) word\($0 % 13)") },
                            settings: ChunkingSettings())
    }

    func testAutomaticSectionsStayWithinBoundsAndTileTheVideo() {
        for minutes in [3, 11, 13, 40, 95] {
            let c = chunks(minutes: minutes)
            let vectors = HashEmbedder().makeSession().embed(c.map(\.text), dimension: 384)
            let sections = Sectioner.automatic(chunks: c, embeddings: vectors, dim: 384, settings: ChunkingSettings())
            XCTAssertEqual(sections.first?.chunks.lowerBound, 0)
            XCTAssertEqual(sections.last?.chunks.upperBound, c.count)
            for (a, b) in zip(sections, sections.dropFirst()) {
                XCTAssertEqual(a.chunks.upperBound, b.chunks.lowerBound)
                XCTAssertEqual(a.endMs, b.startMs)
            }
            for s in sections {
                XCTAssertLessThanOrEqual(s.endMs - s.startMs, 12 * 60_000, "\(minutes) min video: \(s)")
                if sections.count > 1 { XCTAssertGreaterThanOrEqual(s.endMs - s.startMs, 3 * 60_000, "\(minutes) min video: \(s)") }
            }
            if minutes <= 12 { XCTAssertEqual(sections.count, 1) }
        }
    }

    func testAutomaticSectionsCutAtTopicChanges() {
        // Topic changes every 5 minutes (100 segments of 3 s): cuts should land on them.
        let c = chunks(minutes: 30)
        let vectors = HashEmbedder().makeSession().embed(c.map(\.text), dimension: 384)
        let sections = Sectioner.automatic(chunks: c, embeddings: vectors, dim: 384, settings: ChunkingSettings())
        for s in sections.dropFirst() {
            XCTAssertEqual(s.startMs % 300_000 <= 30_000 || s.startMs % 300_000 >= 270_000, true, "cut at \(s.startMs) is not near a topic change")
        }
    }

    func testChapterSectionsAssignChunksByMidpoint() {
        let c = chunks(minutes: 10)
        let sections = Sectioner.fromChapters([Chapter(startMs: 0, title: "A"), Chapter(startMs: 200_000, title: "B"),
                                              Chapter(startMs: 900_000, title: "past the end")],
                                             chunks: c, videoEndMs: 600_000)
        XCTAssertEqual(sections.map(\.title), ["A", "B"])
        XCTAssertEqual(sections[1].endMs, 600_000)
        for i in sections[0].chunks { XCTAssertLessThan((c[i].startMs + c[i].endMs) / 2, 200_000) }
        for i in sections[1].chunks { XCTAssertGreaterThanOrEqual((c[i].startMs + c[i].endMs) / 2, 200_000) }
        XCTAssertEqual(sections[1].chunks.upperBound, c.count)
    }
}

final class PackConfigTests: XCTestCase {
    func testUnknownKeyIsNamed() {
        XCTAssertThrowsError(try PackConfig.parse(Data(#"{"chunking": {"micro_chunk_secs": 30}}"#.utf8), file: "c.json")) { error in
            XCTAssertTrue("\(error)".contains("'chunking.micro_chunk_secs'"), "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("c.json: "), "\(error)")
        }
        XCTAssertThrowsError(try PackConfig.parse(Data(#"{"embeding": {}}"#.utf8), file: "c.json")) { error in
            XCTAssertTrue("\(error)".contains("'embeding'"), "\(error)")
        }
    }

    func testWrongTypesAndRangesAreNamed() {
        XCTAssertThrowsError(try PackConfig.parse(Data(#"{"chunking": {"micro_chunk_sec": "45"}}"#.utf8), file: "c.json")) { error in
            XCTAssertTrue("\(error)".contains("'chunking.micro_chunk_sec'"), "\(error)")
        }
        XCTAssertThrowsError(try PackConfig.parse(Data(#"{"chunking": {"micro_chunk_sec": 10, "micro_overlap_sec": 10}}"#.utf8), file: "c.json"))
        XCTAssertThrowsError(try PackConfig.parse(Data(#"{"embedding": {"backend": "word2vec"}}"#.utf8), file: "c.json"))
        // The answer block: each length in its range, named with its path.
        for (field, value) in [("max_words", "2"), ("max_sentences", "0"), ("evidence_span_sec", "7200"), ("evidence_tokens", "\"many\"")] {
            XCTAssertThrowsError(try PackConfig.parse(Data(#"{"answer": {"\#(field)": \#(value)}}"#.utf8), file: "c.json")) { error in
                XCTAssertTrue("\(error)".contains("'answer.\(field)'"), "\(error)")
            }
        }
        let answer = try? PackConfig.parse(Data(#"{"answer": {"max_words": 120, "evidence_span_sec": 45}}"#.utf8), file: "c.json").answer
        XCTAssertEqual(answer?.maxWords, 120)
        XCTAssertEqual(answer?.evidenceSpanMs, 45_000)
    }

    func testReferenceShapedConfigLoads() throws {
        let config = try PackConfig.parse(Data("""
            {"schema_version": 1,
             "embedding": {"backend": "hash", "model_name": "hash-256", "dim": 256},
             "chunking": {"micro_chunk_sec": 30, "micro_overlap_sec": 10, "target_section_sec": 300, "max_section_sec": 600},
             "retrieval": {"top_sections": 3, "top_chunks": 8, "use_bm25": true, "bm25_top_k": 30},
             "llm": {"backend": "llmhub", "provider": "openai", "model": "gpt-4o-mini", "temperature": 0.1,
                     "extra": {"base_url": "http://localhost:8787", "timeout_s": 60}}}
            """.utf8), file: "c.json")
        XCTAssertEqual(config.embedding.dim, 256)
        XCTAssertEqual(config.chunking.microChunkSec, 30)
        XCTAssertEqual(config.retrieval.bm25TopK, 30)
        XCTAssertEqual(config.llm.extra["base_url"]?.stringValue, "http://localhost:8787")
    }
}
