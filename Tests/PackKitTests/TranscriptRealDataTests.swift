import Foundation
import XCTest
import PackKit

/// Parses every real transcript of the shared fixture channels. They are never copied; the
/// folder is found relative to this source file (repo root → ../shared).
final class TranscriptRealDataTests: XCTestCase {
    private func sharedChannels() throws -> URL {
        let repoRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // PackKitTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repo root
        let candidates = [repoRoot.appendingPathComponent("../shared/fixtures/channels").standardizedFileURL]
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.path) {
            return candidate
        }
        throw XCTSkip("../shared not found: \(candidates[0].path)")
    }

    /// Words of an SRT's cue text, computed naively (skip cue numbers, time lines, blanks).
    private func naiveWords(_ data: Data) -> [Substring] {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var words: [Substring] = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.contains("-->") || trimmed.allSatisfy(\.isNumber) { continue }
            words += line.split(whereSeparator: \.isWhitespace)
        }
        return words
    }

    private func check(channel: String, expectedFiles: Int) throws {
        let folder = try sharedChannels().appendingPathComponent(channel).appendingPathComponent("transcripts")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { TranscriptReader.fileExtensions.contains($0.pathExtension.lowercased()) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertEqual(files.count, expectedFiles, "\(channel): transcript count")
        for url in files {
            let name = url.lastPathComponent
            let parsed: ParsedTranscript
            do {
                parsed = try TranscriptReader.read(contentsOf: url)
            } catch {
                XCTFail("\(error)")
                continue
            }
            XCTAssertEqual(parsed.format, .srt, name)
            XCTAssertGreaterThan(parsed.segments.count, 0, name)

            let data = try Data(contentsOf: url)
            let timeLines = String(decoding: data, as: UTF8.self).components(separatedBy: "-->").count - 1
            XCTAssertLessThanOrEqual(parsed.segments.count, timeLines, name)
            XCTAssertGreaterThanOrEqual(parsed.segments.count * 100, timeLines * 95, "\(name): too many cues lost")

            var previousStart = 0
            for segment in parsed.segments {
                XCTAssertGreaterThanOrEqual(segment.startMs, previousStart, name)
                XCTAssertGreaterThanOrEqual(segment.endMs, segment.startMs, name)
                XCTAssertLessThan(segment.endMs, 24 * 3_600_000, name)
                XCTAssertFalse(segment.text.isEmpty, name)
                XCTAssertFalse(segment.text.contains("  ") || segment.text.contains("\n") || segment.text.contains("\r"), name)
                XCTAssertEqual(segment.text, segment.text.trimmingCharacters(in: .whitespacesAndNewlines), name)
                previousStart = segment.startMs
            }
            // Cues follow one another: no large overlaps of consecutive segments.
            let overlapping = zip(parsed.segments, parsed.segments.dropFirst()).filter { $0.endMs > $1.startMs + 1000 }.count
            XCTAssertLessThanOrEqual(overlapping * 100, parsed.segments.count * 5, "\(name): times not monotone")

            // No text lost or invented: these captions carry no markup, so the parsed words are
            // exactly the words of the cue text lines.
            let parsedWords = parsed.segments.flatMap { $0.text.split(separator: " ") }
            XCTAssertEqual(parsedWords, naiveWords(data), "\(name): words differ")
        }
    }

    func testPy4ETranscripts() throws {
        try check(channel: "py4e", expectedFiles: 93)
    }

    func testHFCourseTranscripts() throws {
        try check(channel: "hf-course", expectedFiles: 82)
    }
}
