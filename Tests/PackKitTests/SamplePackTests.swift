import Foundation
import XCTest
@testable import PackKit

/// The committed sample pack is exactly what today's builder makes from the committed sample input.
final class SamplePackTests: XCTestCase {
    func testCommittedSamplePackMatchesAFreshBuild() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let samples = TestSupport.repoRoot.appendingPathComponent("sample-packs")
        let committed = samples.appendingPathComponent("coffee-lab.pack")
        let manifest = try TestSupport.open(committed.path, cacheIn: dir).manifest
        // The committed pack was built with SOURCE_DATE_EPOCH; rebuild with the same instant.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try XCTUnwrap(formatter.date(from: manifest.createdAt.replacingOccurrences(of: ".000000", with: ".000")))
        let fresh = dir.appendingPathComponent("fresh.pack")
        _ = try PackBuilder(buildDate: date).build(input: samples.appendingPathComponent("coffee-lab"), output: fresh)

        func contents(_ path: URL) throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try ZipArchiveReader(path: path.path).entries.map { ($0.name, "\($0.uncompressedSize) bytes, crc \($0.crc32)") })
        }
        XCTAssertEqual(try contents(fresh), try contents(committed),
                       "sample-packs/coffee-lab.pack is stale: rebuild it with `SOURCE_DATE_EPOCH=1767225600 ytce pack build --input sample-packs/coffee-lab --out sample-packs/coffee-lab.pack`")
    }

    func testSampleChannelIsComplete() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let pack = try TestSupport.open(TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path, cacheIn: dir)
        XCTAssertEqual(pack.counts.videos, 5)
        XCTAssertEqual(pack.counts.videosWithTranscript, 5)
        XCTAssertEqual(try pack.database.scalarInt("SELECT count(DISTINCT video_id) FROM section"), 5)
        // Chapters from descriptions become titled sections.
        XCTAssertGreaterThan(try pack.database.scalarInt("SELECT count(*) FROM section WHERE title NOT LIKE 'Section %'") ?? 0, 10)
    }
}

/// The sample pack answers the questions its QUESTIONS.md documents (what a new user asks first, with
/// `scripts/run`): `ytce eval` and `ytce eval --answers` on them, read from the document itself.
final class SamplePackQuestionsTests: XCTestCase {
    /// QUESTIONS.md's questions as an eval file: each "## N. question" with its "- Type:" and the
    /// `` `video` mm:ss–mm:ss `` spans of its "- Answer:" and "- Also:" lines.
    static func questionFile(from markdown: String) throws -> JSONValue {
        var items: [JSONValue] = []
        let span = try NSRegularExpression(pattern: "`([^`]+)` (\\d+):(\\d\\d)–(\\d+):(\\d\\d)")
        for block in markdown.components(separatedBy: "\n## ").dropFirst() {
            let lines = block.components(separatedBy: "\n")
            guard let heading = lines.first, let dot = heading.firstIndex(of: "."), let number = Int(heading[..<dot]) else { continue }
            let kind = lines.first { $0.hasPrefix("- Type: ") }.map { String($0.dropFirst(8)) } ?? ""
            var gold: [JSONValue] = []
            for line in lines where line.hasPrefix("- Answer: ") || line.hasPrefix("- Also: ") {
                for match in span.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                    func part(_ i: Int) -> String { Range(match.range(at: i), in: line).map { String(line[$0]) } ?? "" }
                    func ms(_ m: Int, _ s: Int) -> JSONValue { .number(Double(((Int(part(m)) ?? 0) * 60 + (Int(part(s)) ?? 0)) * 1000)) }
                    gold.append(.object(["video_id": .string(part(1)), "start_ms": ms(2, 3), "end_ms": ms(4, 5)]))
                }
            }
            items.append(.object(["id": .string("coffee-\(number)"), "kind": .string(kind),
                                  "question": .string(heading[heading.index(after: dot)...].trimmingCharacters(in: .whitespaces)),
                                  "gold": .array(gold)]))
        }
        return .object(["questions": .array(items)])
    }

    func testTheSamplePackAnswersItsDocumentedQuestions() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let samples = TestSupport.repoRoot.appendingPathComponent("sample-packs")
        let markdown = try String(contentsOf: samples.appendingPathComponent("coffee-lab/QUESTIONS.md"), encoding: .utf8)
        let questions = dir.appendingPathComponent("questions.json")
        let file = try Self.questionFile(from: markdown)
        guard case .array(let items)? = file["questions"] else { return XCTFail("no questions") }
        XCTAssertEqual(items.count, 15)
        XCTAssertTrue(items.allSatisfy { ($0["gold"]?.arrayValue?.count ?? 0) >= 1 && !($0["kind"]?.stringValue ?? "").isEmpty }, "\(items)")
        try Data(JSONValue.serialize(file).utf8).write(to: questions)
        let pack = samples.appendingPathComponent("coffee-lab.pack").path
        let ytce = try TestSupport.ytceBinary()
        let ranking = try TestSupport.run(ytce, ["eval", "--pack", pack, "--questions", questions.path, "--json", "--cache-dir", dir.path])
        XCTAssertEqual(ranking.status, 0, ranking.stderr)
        let overall = try XCTUnwrap(try JSONValue.parse(Data(ranking.stdout.utf8))["overall"])
        XCTAssertEqual(overall["hit@5"]?.doubleValue, 1, "\(overall)")
        let answers = try TestSupport.run(ytce, ["eval", "--answers", "--pack", pack, "--questions", questions.path, "--json", "--cache-dir", dir.path])
        XCTAssertEqual(answers.status, 0, answers.stderr)
        let judged = try XCTUnwrap(try JSONValue.parse(Data(answers.stdout.utf8))["overall"])
        // Every one is answered ("What extraction percentage…" was refused while the channel says "percent"), and
        // most answers cite where the sample's document says the answer is.
        XCTAssertEqual(judged["answered"]?.doubleValue, 1, "\(judged)")
        XCTAssertGreaterThanOrEqual(judged["cites_gold"]?.doubleValue ?? 0, 0.8, "\(judged)")
        XCTAssertLessThanOrEqual(judged["mean_words"]?.doubleValue ?? 100, 80, "\(judged)")
    }
}
