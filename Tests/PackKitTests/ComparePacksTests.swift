import Foundation
import HTTPTestServer
import XCTest
@testable import PackKit

/// One question put to two packs: `pack search` and `pack ask` given --pack twice, and the ranking that merges them.
final class ComparePacksTests: XCTestCase {
    var sample: String { TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path }

    /// Each pack's best moment scores the share of the question's words it says (weighted by rarity over both
    /// packs): a pack that says only a common word of the question ranks below one that says its rare words.
    func testMergedScoresFollowWhatEachMomentSaysNotEachPacksOwnScale() async throws {
        let dir = TestSupport.temporaryDirectory(self)
        let cache = TestSupport.cache(in: dir)
        let found = try await PackComparison.search("espresso grind size", packs: [sample, try TestSupport.referencePack("hf-course.pack")],
                                              cache: cache, topK: 10)
        let first = try XCTUnwrap(found.hits.first)
        XCTAssertEqual(first.pack, "Coffee Lab")
        XCTAssertLessThanOrEqual(first.score, 1)
        for hit in found.hits where hit.pack != "Coffee Lab" {
            XCTAssertFalse(hit.hit.text.lowercased().contains("espresso"))
            XCTAssertLessThan(hit.score, first.score / 2, "a hf-course moment naming only 'size' is far below: \(hit.hit.text.prefix(80))")
        }
        XCTAssertEqual(found.hits.map(\.score), found.hits.map(\.score).sorted(by: >))
    }

    func testSearchAndAskOverTwoPacksNameEachPack() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let ytce = try TestSupport.ytceBinary()
        let hf = try TestSupport.referencePack("hf-course.pack")
        let env = ["YTCE_CACHE_DIR": dir.appendingPathComponent("cache").path]
        let search = try TestSupport.run(ytce, ["pack", "search", "--pack", sample, "--pack", hf, "--question", "water temperature tokenizer", "--json"],
                                         environment: env)
        XCTAssertEqual(search.status, 0, search.stderr)
        let hits = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [String: Any])?["hits"] as? [[String: Any]])
        XCTAssertEqual(Set(hits.compactMap { $0["pack"] as? String }), ["Coffee Lab", "Hugging Face Course"])
        let text = try TestSupport.run(ytce, ["pack", "search", "--pack", sample, "--pack", hf, "--question", "espresso", "--top-k", "3"], environment: env)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.hasPrefix("1. [Coffee Lab] "), text.stdout)

        let ask = try TestSupport.run(ytce, ["pack", "ask", "--pack", sample, "--pack", hf, "--question", "how fine should I grind for espresso", "--json"],
                                      environment: env)
        XCTAssertEqual(ask.status, 0, ask.stderr)
        let packs = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(ask.stdout.utf8)) as? [String: Any])?["packs"] as? [[String: Any]])
        XCTAssertEqual(packs.compactMap { $0["pack"] as? String }, ["Coffee Lab", "Hugging Face Course"])
        XCTAssertEqual(packs[0]["grounded"] as? Bool, true)
        let plain = try TestSupport.run(ytce, ["pack", "ask", "--pack", sample, "--pack", hf, "--question", "how fine should I grind for espresso"], environment: env)
        XCTAssertTrue(plain.stdout.hasPrefix("== Coffee Lab ==\n"), plain.stdout)
        XCTAssertTrue(plain.stdout.contains("\n== Hugging Face Course ==\n"), plain.stdout)

        let info = try TestSupport.run(ytce, ["pack", "info", "--pack", sample, "--pack", hf], environment: env)
        XCTAssertNotEqual(info.status, 0)
        XCTAssertEqual(info.stderr, "ytce: this command reads one pack: give --pack once (search and ask compare several)\n")
        let missing = try TestSupport.run(ytce, ["pack", "ask", "--pack", sample, "--pack", dir.appendingPathComponent("nope.pack").path, "--question", "x"],
                                          environment: env)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("nope.pack"), missing.stderr)
    }

    /// With the config's model: one model call per pack, both in flight together (the server answers only once
    /// both have arrived), each given only its own channel's evidence, and each answer's citations checked
    /// against that evidence and printed under that channel's name.
    func testCompareWithAModelAnswersEachPackFromItsOwnEvidence() throws {
        let hf = try TestSupport.referencePack("hf-course.pack")
        let server = try HTTPTestServer()
        defer { server.stop() }
        let bothArrived = TestGate()
        let arrivals = Counter()  // PackBuildTests'
        // An OpenAI-compatible model that names the channel of its prompt and cites the prompt's first evidence line.
        server.route("POST", "/chat/completions") { request in
            if arrivals.next() == 2 { bothArrived.open() }
            let prompt = (try? JSONValue.parse(Data(request.body)))?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""
            let channel = prompt.split(separator: "\n").first { $0.hasPrefix("Channel: ") }?.dropFirst(9) ?? "?"
            let cited = CitationParser.citations(in: prompt).first?.citation.description ?? "[none @ 00:00-00:01]"
            let content = JSONValue.serialize(.string("\(channel) says so \(cited)."))
            let body = #"{"choices":[{"message":{"role":"assistant","content":"# + content + #"},"finish_reason":"stop"}]}"#
            return TestResponse(headers: [("Content-Type", "application/json")], steps: [.wait(bothArrived), .send(Array(body.utf8))])
        }
        let dir = TestSupport.temporaryDirectory(self)
        let config = dir.appendingPathComponent("model.json")
        try Data(#"{"llm": {"backend": "openai", "model": "m", "extra": {"base_url": "\#(server.baseURL)", "api_key_env": "YTCE_TEST_KEY"}}}"#.utf8)
            .write(to: config)
        let env = ["YTCE_CACHE_DIR": dir.appendingPathComponent("cache").path, "YTCE_TEST_KEY": "k"]
        let started = Date()
        let ask = try TestSupport.run(try TestSupport.ytceBinary(), ["pack", "ask", "--pack", sample, "--pack", hf, "--config", config.path,
                                                                     "--question", "how fine should I grind for espresso", "--json"], environment: env)
        XCTAssertEqual(ask.status, 0, ask.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 9, "the second call went out only after the first was answered (the gate waits 10 s)")
        let requests = server.requests(to: "/chat/completions")
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(Set(requests.map { $0.text.contains("Channel: Coffee Lab") }), [true, false])
        let packs = try XCTUnwrap(try JSONValue.parse(Data(ask.stdout.utf8))["packs"]?.arrayValue)
        XCTAssertEqual(packs.compactMap { $0["pack"]?.stringValue }, ["Coffee Lab", "Hugging Face Course"])
        let cache = TestSupport.cache(in: dir)
        for (side, path) in zip(packs, [sample, hf]) {
            XCTAssertEqual(side["backend"], .string("openai"))
            XCTAssertTrue(side["answer"]?.stringValue?.hasPrefix("\(side["pack"]?.stringValue ?? "") says so [") ?? false, "\(side)")
            XCTAssertEqual(side["invented_citations"], .number(0))
            let cited = try XCTUnwrap(side["citations"]?.arrayValue?.first?["video_id"]?.stringValue)
            let videos = try VideoListing.all(in: try ChannelPack.open(path, options: .init(cache: cache))).map(\.videoID)
            XCTAssertTrue(videos.contains(cited), "\(cited) is a video of \(path)")
        }
        let plain = try TestSupport.run(try TestSupport.ytceBinary(), ["pack", "ask", "--pack", sample, "--pack", hf, "--config", config.path,
                                                                       "--question", "how fine should I grind for espresso"], environment: env)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stdout.hasPrefix("== Coffee Lab ==\nCoffee Lab says so ["), plain.stdout)
        XCTAssertTrue(plain.stdout.contains("\n== Hugging Face Course ==\nHugging Face Course says so ["), plain.stdout)
        XCTAssertFalse(plain.stderr.contains("answers offline"), plain.stderr)
    }

    /// The config's embeddings endpoint serves one pack's model: that pack's question vector comes from it (asked
    /// once), and the other pack says why it is not used, as `pack ask` and `pack search` do for one pack.
    func testCompareUsesTheConfigsEmbeddingsEndpointForThePackItServes() async throws {
        let minilm = try TestSupport.referencePack("py4e.minilm.pack")
        let dir = TestSupport.temporaryDirectory(self)
        let cache = TestSupport.cache(in: dir)
        let pack = try ChannelPack.open(minilm, options: .init(cache: cache))
        let matrix = try XCTUnwrap(pack.chunkEmbeddings)
        let row = 1234
        let vector = Array(matrix.row(row)).map { Double($0) * 3 }
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/v1/embeddings") { _ in
            .json(JSONValue.serialize(.object(["data": .array([.object(["embedding": .array(vector.map { .number($0) })])])])))
        }
        var config = try PackConfig.parse(Data("""
            {"embedding": {"backend": "openai", "base_url": "\(server.baseURL)/v1", "model": "all-MiniLM-L6-v2"}}
            """.utf8), file: "c.json")
        config.answer.moments = 3
        let chunk = try pack.database.prepare("SELECT video_id, start_ms FROM micro_chunk ORDER BY chunk_id LIMIT 1 OFFSET \(row)")
        XCTAssertTrue(try chunk.step())
        // No word of "zzqx" is in either pack: only the endpoint's vector finds anything in py4e.
        let sides = try await PackComparison.ask("zzqx", packs: [sample, minilm], cache: cache, config: config,
                                                 modelDirectory: dir.appendingPathComponent("no-model").path)
        XCTAssertEqual(server.requests(to: "/v1/embeddings").count, 1)
        let hit = try XCTUnwrap(sides[1].answer.hits.first)
        XCTAssertEqual(hit.videoID, chunk.string(0))
        XCTAssertLessThanOrEqual(hit.startMs, chunk.int(1))
        XCTAssertLessThanOrEqual(sides[1].answer.hits.count, 3, "the config's answer block: 3 moments")
        XCTAssertTrue(sides[0].answer.notes.contains { $0.contains("serves 'all-MiniLM-L6-v2', not the pack's model") }, "\(sides[0].answer.notes)")
        XCTAssertFalse(sides[1].answer.notes.contains { $0.contains("not used") || $0.contains("lexical search only") }, "\(sides[1].answer.notes)")
        let found = try await PackComparison.search("zzqx", packs: [sample, minilm], cache: cache, config: config,
                                                    modelDirectory: dir.appendingPathComponent("no-model").path, topK: 4)
        // No moment says the question's word, so every merged score is 0: each pack's own order stands, the packs
        // taking turns (it was video order, which cut py4e's best moment off the list).
        XCTAssertEqual(found.hits.prefix(2).map(\.pack), ["Coffee Lab", found.hits[1].pack])
        XCTAssertEqual(found.hits[1].hit.videoID, chunk.string(0), "\(found.hits.map(\.hit.videoID))")
        XCTAssertEqual(server.requests(to: "/v1/embeddings").count, 2)
    }

    /// One answer over two packs: the channel that answers first (its comparable score the higher), every source
    /// named by its channel, and the open engines used as they are: a pack already open (the explorer's) is not
    /// opened again, so its file may even be gone.
    func testTogetherIsOneAnswerWithSourcesNamedByChannelOverOpenEngines() async throws {
        let dir = TestSupport.temporaryDirectory(self)
        let cache = TestSupport.cache(in: dir)
        let copy = dir.appendingPathComponent("coffee.pack").path
        try FileManager.default.copyItem(atPath: sample, toPath: copy)
        let engines = try PackComparison.engines([copy, try TestSupport.referencePack("hf-course.pack")], cache: cache)
        try FileManager.default.removeItem(atPath: copy)
        let question = "how fine should I grind for espresso"
        let sides = try await PackComparison.ask(question, engines: engines)
        let combined = PackComparison.combine(sides, engines: engines)
        XCTAssertTrue(combined.isGrounded)
        XCTAssertEqual(combined.ranking.first?.pack, "Coffee Lab")
        XCTAssertGreaterThan(combined.ranking[0].score, combined.ranking[1].score)
        XCTAssertTrue(combined.text.hasPrefix("Coffee Lab: "), combined.text)
        XCTAssertFalse(combined.sources.isEmpty)
        // Each source is its channel's: the one whose answer cites it.
        for labelled in combined.sources {
            let side = try XCTUnwrap(sides.first { $0.label == labelled.pack })
            XCTAssertTrue(side.answer.sources.contains(labelled.source))
        }
        XCTAssertTrue(combined.listing.hasPrefix("Citations:\n[1] [Coffee Lab] "), combined.listing)
        // Nothing in either pack: one refusal naming both.
        let none = PackComparison.combine(try await PackComparison.ask("zzqx qqzv", engines: engines), engines: engines)
        XCTAssertFalse(none.isGrounded)
        XCTAssertEqual(none.text, "None of these packs holds anything that answers the question (Coffee Lab, Hugging Face Course).")
    }

    func testAskTogetherOnTheCommandLine() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let ytce = try TestSupport.ytceBinary()
        let hf = try TestSupport.referencePack("hf-course.pack")
        let env = ["YTCE_CACHE_DIR": dir.appendingPathComponent("cache").path]
        let ask = try TestSupport.run(ytce, ["pack", "ask", "--pack", hf, "--pack", sample, "--question", "how fine should I grind for espresso", "--together"],
                                      environment: env)
        XCTAssertEqual(ask.status, 0, ask.stderr)
        XCTAssertTrue(ask.stdout.hasPrefix("Coffee Lab: "), ask.stdout)
        XCTAssertTrue(ask.stdout.contains("\nCitations:\n[1] [Coffee Lab] "), ask.stdout)
        XCTAssertTrue(ask.stderr.contains("note: scores compare across channels: Coffee Lab "), ask.stderr)
        let json = try TestSupport.run(ytce, ["pack", "ask", "--pack", hf, "--pack", sample, "--question", "how fine should I grind for espresso",
                                              "--together", "--json"], environment: env)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let sources = try XCTUnwrap(object["sources"] as? [[String: Any]])
        XCTAssertEqual(sources.first?["pack"] as? String, "Coffee Lab")
        let one = try TestSupport.run(ytce, ["pack", "ask", "--pack", hf, "--question", "x", "--together"], environment: env)
        XCTAssertNotEqual(one.status, 0)
        XCTAssertTrue(one.stderr.contains("--together answers over several packs"), one.stderr)
    }
}
