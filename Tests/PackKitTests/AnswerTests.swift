import Foundation
import XCTest
@testable import PackKit

final class ExtractiveAnswererTests: XCTestCase {
    func answerer(_ name: String) throws -> (QuestionAnswerer, ChannelPack) {
        let dir = TestSupport.temporaryDirectory(self)
        let cache = TestSupport.cache(in: dir)
        let pack = try ChannelPack.open(try TestSupport.referencePack(name), options: .init(cache: cache))
        return (QuestionAnswerer(pack: pack, retriever: try Retriever(pack: pack, cache: cache)), pack)
    }

    /// Every sentence of an answer ends with a citation, and every citation resolves to real segments.
    func testEverySentenceIsCitedAndEveryCitationResolves() throws {
        for (packName, question) in [("py4e.pack", "How do dictionaries count word frequencies?"),
                                     ("hf-course.pack", "What does the tokenizer do with padding?")] {
            let (answerer, pack) = try answerer(packName)
            let prepared = try answerer.prepare(question, forModel: false)
            let answer = try XCTUnwrap(prepared.offline)
            XCTAssertTrue(answer.isGrounded, packName)
            let matches = CitationParser.citations(in: answer.text)
            XCTAssertFalse(matches.isEmpty)
            // Text between citations is a sentence; none is left uncited at the end.
            XCTAssertTrue(answer.text.hasSuffix("]"), answer.text)
            let spans = prepared.hits.map { Citation(videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs) }
            for match in matches {
                XCTAssertNotEqual(CitationCheck.verdict(for: match.citation, evidence: spans), .invented, "\(match.citation)")
                let source = try XCTUnwrap(answer.sources.first { $0.citation.description == match.citation.description })
                XCTAssertFalse(source.segmentIDs.isEmpty)
                for id in source.segmentIDs {
                    let row = try pack.database.prepare("SELECT video_id, start_ms, end_ms FROM transcript_segment WHERE segment_id = ?")
                    row.bind(1, id)
                    XCTAssertTrue(try row.step(), "segment \(id) exists")
                    XCTAssertEqual(row.string(0), match.citation.videoID)
                    XCTAssertLessThan(row.int(1), match.citation.endMs + 1000)
                    XCTAssertGreaterThan(row.int(2), match.citation.startMs)
                }
            }
        }
    }

    func testOffTopicQuestionGetsTheNothingRelevantAnswer() throws {
        let (answerer, _) = try answerer("py4e.pack")
        for question in ["What is the capital of France?", "Who won the 1998 football world cup?", "the and of"] {
            let answer = try XCTUnwrap(try answerer.prepare(question, forModel: false).offline)
            XCTAssertFalse(answer.isGrounded, question)
            XCTAssertEqual(answer.text, ExtractiveAnswerer.nothingRelevant)
            XCTAssertEqual(answer.sources, [])
        }
    }

    func testPromptFollowsTheReferenceContract() {
        let hit = SearchHit(videoID: "abc", title: "T", url: "", startMs: 65_000, endMs: 110_000, score: 1,
                            segments: [.init(id: 1, startMs: 65_000, endMs: 110_000, text: "loops repeat")])
        let messages = PromptBuilder.messages(question: "What is a loop?", channelTitle: "Chan", sections: ["abc Intro (0s–60s)"], evidence: [hit])
        XCTAssertEqual(messages.map(\.role), ["system", "user"])
        XCTAssertTrue(messages[0].text.contains("[video_id @ mm:ss-mm:ss]"))
        XCTAssertTrue(messages[0].text.contains("Do not invent citations."))
        XCTAssertEqual(messages[1].text, """
            Channel: Chan
            Question: What is a loop?

            Relevant sections (summaries):
            - abc Intro (0s–60s)

            Evidence snippets (verbatim transcript excerpts):
            [abc @ 01:05-01:50] loops repeat

            Write the best possible answer. Use citations inline.
            """)
    }

    func testAskCLIJSONAndTextOutput() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let sample = TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path
        let ytce = try TestSupport.ytceBinary()
        let json = try TestSupport.run(ytce, ["pack", "ask", "--pack", sample, "--question", "How long should cold brew steep?", "--json", "--cache-dir", dir.path])
        XCTAssertEqual(json.status, 0, json.stderr)
        let value = try JSONValue.parse(Data(json.stdout.utf8))
        XCTAssertEqual(value["grounded"]?.boolValue, true)
        XCTAssertEqual(value["backend"]?.stringValue, "extractive")
        guard case .array(let citations)? = value["citations"], let first = citations.first else { return XCTFail(json.stdout) }
        XCTAssertTrue(first["url"]?.stringValue?.contains("&t=") ?? false)
        XCTAssertTrue(value["answer"]?.stringValue?.contains("hours") ?? false, json.stdout)

        let text = try TestSupport.run(ytce, ["pack", "ask", "--pack", sample, "--question", "How long should cold brew steep?", "--cache-dir", dir.path])
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.contains("\nCitations:\n[1] "), text.stdout)

        let config = dir.appendingPathComponent("c.json")
        try Data(#"{"llm": {"backend": "llmhub"}}"#.utf8).write(to: config)
        let refused = try TestSupport.run(ytce, ["pack", "ask", "--pack", sample, "--question", "q", "--config", config.path, "--cache-dir", dir.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("ytce: \(config.path): 'llm.model' is required"), refused.stderr)
    }
}
