import Foundation
import HTTPKit
import HTTPTestServer
import XCTest
@testable import PackKit

/// The LLM backends over real loopback sockets: fake llmhub and OpenAI servers speak the real wire formats.
final class LLMBackendTests: XCTestCase {
    static let key = "sk-test-SECRET-4f9a"
    var server: HTTPTestServer!

    override func setUpWithError() throws { server = try HTTPTestServer() }
    override func tearDown() { server.stop() }

    /// Settings as a user writes them in a config file.
    func settings(_ backend: String, timeout: Double = 5, extra: String = "") throws -> LLMSettings {
        let json = """
            {"llm": {"backend": "\(backend)", "provider": "openai", "model": "test-model", "max_new_tokens": 200,
                     "context_tokens": 2000, "extra": {"base_url": "\(server.baseURL)", "timeout_s": \(timeout),
                     "api_key_env": "YTCE_TEST_KEY"\(extra)}}}
            """
        return try LLMSettings.resolve(try PackConfig.parse(Data(json.utf8), file: "test.json").llm, file: "test.json")
    }

    func client(_ backend: String, timeout: Double = 5) throws -> any LLMClient {
        let resolved = try settings(backend, timeout: timeout)
        return try XCTUnwrap(LLMClients.make(resolved, environment: ["YTCE_TEST_KEY": Self.key]))
    }

    let hits = [SearchHit(videoID: "a-b_c1", title: "Brewing", url: "", startMs: 60_000, endMs: 105_000, score: 1,
                          segments: [.init(id: 4, startMs: 60_000, endMs: 80_000, text: "Grind coarse for a French press."),
                                     .init(id: 5, startMs: 80_000, endMs: 105_000, text: "")]),
                SearchHit(videoID: "zz_9", title: "Milk", url: "", startMs: 3_600_000, endMs: 3_645_000, score: 0.5,
                          segments: [.init(id: 9, startMs: 3_600_000, endMs: 3_645_000, text: "Steam the milk to 60 degrees.")])]

    static func sse(_ event: String, _ data: String) -> String { "event: \(event)\ndata: \(data)\n\n" }

    func llmError(_ body: () async throws -> some Any) async -> LLMError? {
        do { _ = try await body(); return nil } catch let error as LLMError { return error } catch {
            XCTFail("not an LLMError: \(error)")
            return nil
        }
    }

    // MARK: llmhub

    func testLLMHubGenerateSendsTheDocumentedRequest() async throws {
        server.route("POST", "/generate", response: .json(#"{"text":"Grind coarse [a-b_c1 @ 01:00-01:45].","finishReason":"stop","usage":{"inputTokens":50,"outputTokens":9}}"#))
        let completion = try await client("llmhub").complete([.init(role: "system", text: "rules"), .init(role: "user", text: "q")],
                                                             stream: false, onDelta: { _ in })
        XCTAssertEqual(completion.text, "Grind coarse [a-b_c1 @ 01:00-01:45].")
        XCTAssertEqual(completion.finishReason, "stop")
        XCTAssertEqual(completion.completionTokens, 9)
        let request = try XCTUnwrap(server.requests(to: "/generate").first)
        XCTAssertEqual(request.header("Authorization"), "Bearer \(Self.key)")
        let body = try JSONValue.parse(Data(request.body))
        XCTAssertEqual(body["provider"], .string("openai"))
        XCTAssertEqual(body["model"], .string("test-model"))
        XCTAssertEqual(body["maxTokens"], .number(200))
        XCTAssertEqual(body["messages"]?.arrayValue?.first?["content"]?.arrayValue?.first?["type"], .string("text"))
        XCTAssertEqual(body["messages"]?.arrayValue?.last?["content"]?.arrayValue?.first?["text"], .string("q"))
    }

    func testLLMHubStreamDeliversDeltasInOrder() async throws {
        server.route("POST", "/generate/stream", response: .eventStream([
            (0, Self.sse("chunk", #"{"type":"delta","textDelta":"Grind "}"#)),
            (0.02, Self.sse("chunk", #"{"type":"delta","textDelta":"coarse."}"#)),
            (0.02, Self.sse("chunk", #"{"type":"message_end","finishReason":"stop","usage":{"outputTokens":2}}"#)),
            (0, Self.sse("done", "{}")),
        ]))
        let pieces = Pieces()
        let completion = try await client("llmhub").complete([.init(role: "user", text: "q")], stream: true,
                                                             onDelta: { pieces.add($0) })
        XCTAssertEqual(pieces.all, ["Grind ", "coarse."])
        XCTAssertEqual(completion.text, "Grind coarse.")
        XCTAssertEqual(completion.finishReason, "stop")
    }

    func testLLMHubHandlerErrorUnderStatus200IsSurfaced() async throws {
        // The reference client ignores this frame and shows an empty answer.
        server.route("POST", "/generate/stream", response: .eventStream([
            (0, Self.sse("error", #"{"kind":"provider_error","message":"upstream model is overloaded"}"#)),
        ]))
        let error = await llmError { try await self.client("llmhub").complete([.init(role: "user", text: "q")], stream: true, onDelta: { _ in }) }
        XCTAssertEqual(error?.kind, .server)
        XCTAssertTrue(error?.description.contains("upstream model is overloaded") ?? false, "\(String(describing: error))")
    }

    func testLLMHubErrorChunkIsSurfaced() async throws {
        server.route("POST", "/generate/stream", response: .eventStream([
            (0, Self.sse("chunk", #"{"type":"delta","textDelta":"Half an"}"#)),
            (0, Self.sse("chunk", #"{"type":"error","error":{"kind":"rate_limit","message":"quota exhausted"}}"#)),
        ]))
        let error = await llmError { try await self.client("llmhub").complete([.init(role: "user", text: "q")], stream: true, onDelta: { _ in }) }
        XCTAssertTrue(error?.description.contains("rate_limit: quota exhausted") ?? false, "\(String(describing: error))")
    }

    func testLLMHubErrorBodiesNameTheReason() async throws {
        server.route("POST", "/generate", response: .json(#"{"error":{"kind":"invalid_request","message":"unknown model test-model"}}"#, status: 400))
        let error = await llmError { try await self.client("llmhub").complete([.init(role: "user", text: "q")], stream: false, onDelta: { _ in }) }
        XCTAssertEqual(error?.kind, .badRequest)
        XCTAssertTrue(error?.description.contains("HTTP 400") ?? false)
        XCTAssertTrue(error?.description.contains("unknown model test-model") ?? false, "\(String(describing: error))")
    }

    // MARK: OpenAI-compatible

    func testOpenAIWholeAndStreamedAnswers() async throws {
        server.route("POST", "/chat/completions") { request in
            if request.text.contains(#""stream":true"#) {
                return .eventStream([(0, #"data: {"choices":[{"delta":{"role":"assistant"}}]}"# + "\n\n"),
                                     (0.01, #"data: {"choices":[{"delta":{"content":"Steam "}}]}"# + "\n\n"),
                                     (0.01, #"data: {"choices":[{"delta":{"content":"to 60."},"finish_reason":"stop"}]}"# + "\n\n"),
                                     (0, "data: [DONE]\n\n")])
            }
            return .json(#"{"choices":[{"message":{"role":"assistant","content":"Steam to 60."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":4}}"#)
        }
        let openai = try client("openai")
        let whole = try await openai.complete([.init(role: "user", text: "q")], stream: false, onDelta: { _ in })
        XCTAssertEqual(whole.text, "Steam to 60.")
        XCTAssertEqual(whole.promptTokens, 12)
        let pieces = Pieces()
        let streamed = try await openai.complete([.init(role: "user", text: "q")], stream: true, onDelta: { pieces.add($0) })
        XCTAssertEqual(streamed.text, "Steam to 60.")
        XCTAssertEqual(pieces.all, ["Steam ", "to 60."])
        let body = try JSONValue.parse(Data(try XCTUnwrap(server.requests(to: "/chat/completions").first).body))
        XCTAssertEqual(body["max_tokens"], .number(200))
        XCTAssertEqual(body["messages"]?.arrayValue?.first?["content"], .string("q"))
    }

    func testOpenAIErrorMidStream() async throws {
        server.route("POST", "/chat/completions", response: .eventStream([
            (0, #"data: {"choices":[{"delta":{"content":"Ste"}}]}"# + "\n\n"),
            (0, #"data: {"error":{"message":"context length exceeded","type":"invalid_request_error","code":"context_length_exceeded"}}"# + "\n\n"),
        ]))
        let error = await llmError { try await self.client("openai").complete([.init(role: "user", text: "q")], stream: true, onDelta: { _ in }) }
        XCTAssertTrue(error?.description.contains("context length exceeded") ?? false, "\(String(describing: error))")
    }

    func testMidStreamDisconnectAndStallAreClearErrors() async throws {
        server.route("POST", "/chat/completions", response: .eventStream([(0, #"data: {"choices":[{"delta":{"content":"Ste"}}]}"# + "\n\n")], then: .close))
        let cut = await llmError { try await self.client("openai").complete([.init(role: "user", text: "q")], stream: true, onDelta: { _ in }) }
        XCTAssertEqual(cut?.kind, .network, "\(String(describing: cut))")

        server.route("POST", "/generate/stream", response: .eventStream([(0, Self.sse("chunk", #"{"type":"delta","textDelta":"Gr"}"#))], then: .stall))
        let started = Date()
        let stalled = await llmError { try await self.client("llmhub", timeout: 0.5).complete([.init(role: "user", text: "q")], stream: true, onDelta: { _ in }) }
        XCTAssertEqual(stalled?.kind, .network)
        XCTAssertTrue(stalled?.description.contains("idle") ?? false, "\(String(describing: stalled))")
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
    }

    func testStatusErrorsRetriesAndNoKeyInAnyMessage() async throws {
        server.route("POST", "/chat/completions", responses: [
            .json(#"{"error":{"message":"slow down","type":"rate_limit"}}"#, status: 429, headers: [("Retry-After", "1")]),
            .json(#"{"choices":[{"message":{"content":"ok"}}]}"#),
        ])
        let started = Date()
        let retried = try await client("openai").complete([.init(role: "user", text: "q")], stream: false, onDelta: { _ in })
        XCTAssertEqual(retried.text, "ok")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "Retry-After is honoured")

        for (status, kind) in [(401, LLMError.Kind.authentication), (500, .server), (503, .server)] {
            server.route("POST", "/generate", response: .json(#"{"error":{"kind":"x","message":"said no to \#(Self.key)"}}"#, status: status))
            let error = await llmError { try await self.client("llmhub").complete([.init(role: "user", text: "q")], stream: false, onDelta: { _ in }) }
            XCTAssertEqual(error?.kind, kind, "\(status)")
            XCTAssertTrue(error?.description.contains("HTTP \(status)") ?? false)
            XCTAssertFalse(error?.description.contains(Self.key) ?? true, "the key never appears: \(String(describing: error))")
            XCTAssertFalse("\(String(describing: error))".contains(Self.key))
        }
    }

    func testMalformedAndHugeReplies() async throws {
        server.route("POST", "/generate", response: .json("{\"text\": \"unterminated"))
        let malformed = await llmError { try await self.client("llmhub").complete([.init(role: "user", text: "q")], stream: false, onDelta: { _ in }) }
        XCTAssertEqual(malformed?.kind, .badResponse)
        XCTAssertTrue(malformed?.description.contains("not JSON") ?? false)

        let big = String(repeating: "coffee ", count: 5 * 1024 * 1024 / 7)
        server.route("POST", "/chat/completions", response: .json(#"{"choices":[{"message":{"content":"\#(big)"}}]}"#))
        let completion = try await client("openai").complete([.init(role: "user", text: "q")], stream: false, onDelta: { _ in })
        XCTAssertEqual(completion.text.utf8.count, big.utf8.count)
    }

    /// PackKit's API is cancelled the Swift way: cancelling the task that asks closes the stream at once.
    func testCancellingMidStreamReturnsWithin200ms() async throws {
        server.route("POST", "/generate/stream", response: .eventStream([(0, Self.sse("chunk", #"{"type":"delta","textDelta":"Gr"}"#))], then: .stall))
        let llm = try client("llmhub", timeout: 30)
        let first = Pieces()
        let task = Task { () -> LLMError? in
            do { _ = try await llm.complete([.init(role: "user", text: "q")], stream: true, onDelta: { first.add($0) }); return nil }
            catch let error as LLMError { return error } catch { return nil }
        }
        while first.all.isEmpty { try await Task.sleep(nanoseconds: 5_000_000) }
        let started = Date()
        task.cancel()
        let error = await task.value
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.2)
        XCTAssertEqual(error?.kind, .cancelled)
    }

    // MARK: answering

    func testRegeneratesOnceWhenTheDraftCitesNothing() async throws {
        server.route("POST", "/generate", responses: [
            .json(#"{"text":"Use a coarse grind."}"#),
            .json(#"{"text":"Use a coarse grind [a-b_c1 @ 01:00-01:45]."}"#),
        ])
        let answerer = LLMAnswerer(client: try client("llmhub"), settings: try settings("llmhub"))
        let answer = try await answerer.answer(question: "How fine for a French press?", channelTitle: "Coffee", hits: hits, stream: false)
        XCTAssertTrue(answer.regenerated)
        XCTAssertEqual(answer.text, "Use a coarse grind [a-b_c1 @ 01:00-01:45].")
        XCTAssertEqual(answer.sources.map(\.segmentIDs), [[4, 5]])
        let requests = server.requests(to: "/generate")
        XCTAssertEqual(requests.count, 2)
        XCTAssertTrue(requests[1].text.contains("cited nothing"))
        XCTAssertTrue(requests[0].text.contains("[a-b_c1 @ 01:00-01:45] Grind coarse for a French press."), "evidence lines in the prompt")
    }

    func testInventedCitationsAreMarkedAndCounted() async throws {
        server.route("POST", "/chat/completions", response: .json(#"{"choices":[{"message":{"content":"Coarse [a-b_c1 @ 01:00-01:45]; milk at 60 [zz_9 @ 01:00:00-01:00:45]; and beans from Mars [qq_1 @ 00:10-00:20]."}}]}"#))
        let answerer = LLMAnswerer(client: try client("openai"), settings: try settings("openai"))
        let answer = try await answerer.answer(question: "q", channelTitle: "Coffee", hits: hits, stream: false)
        XCTAssertFalse(answer.regenerated)
        XCTAssertEqual(answer.invented, [Citation(videoID: "qq_1", startMs: 10_000, endMs: 20_000)])
        XCTAssertEqual(answer.sources.map(\.citation.videoID), ["a-b_c1", "zz_9"])
        XCTAssertTrue(answer.text.contains("[qq_1 @ 00:10-00:20] \(LLMAnswerer.inventedMark)"), answer.text)
        XCTAssertFalse(answer.text.contains("[a-b_c1 @ 01:00-01:45] \(LLMAnswerer.inventedMark)"))
    }

    /// A model's citation of part of a moment points at that part: its excerpt and segments are the cited
    /// segments, not the whole moment (which the citation browser would show from its first words).
    func testACitationOfPartOfAMomentKeepsOnlyThePartCited() {
        let moment = SearchHit(videoID: "a-b_c1", title: "Brewing", url: "", startMs: 60_000, endMs: 240_000, score: 1, segments: [
            .init(id: 4, startMs: 60_000, endMs: 70_000, text: "Hello again."),
            .init(id: 5, startMs: 150_000, endMs: 158_000, text: "Grind coarse for a French press."),
            .init(id: 6, startMs: 200_000, endMs: 240_000, text: "Then wait four minutes.")])
        let checked = LLMAnswerer.check("Go coarse [a-b_c1 @ 02:30-02:38].", evidence: [moment])
        XCTAssertEqual(checked.sources.map(\.segmentIDs), [[5]])
        XCTAssertEqual(checked.sources.first?.excerpt, "Grind coarse for a French press.")
        // A citation of the whole moment keeps all of it.
        XCTAssertEqual(LLMAnswerer.check("Go coarse [a-b_c1 @ 01:00-01:45].", evidence: hits).sources.first?.excerpt,
                       "Grind coarse for a French press.")
    }

    func testEvidenceIsTrimmedToTheContextWindow() throws {
        var resolved = try settings("openai")
        resolved.contextTokens = 400
        resolved.maxNewTokens = 100
        let long = (0..<20).map { i in
            SearchHit(videoID: "v\(i)", title: "", url: "", startMs: i * 60_000, endMs: i * 60_000 + 45_000, score: 1,
                      segments: [.init(id: Int64(i), startMs: i * 60_000, endMs: i * 60_000 + 45_000, text: String(repeating: "word ", count: 40))])
        }
        let answerer = LLMAnswerer(client: try client("openai"), settings: resolved)
        let (messages, used) = answerer.prompt(question: "q", channelTitle: "C", summaries: [], hits: long)
        let tokens = messages.reduce(0) { $0 + LLMAnswerer.estimateTokens($1.text) + 4 }
        XCTAssertLessThanOrEqual(tokens, 300)
        XCTAssertGreaterThan(used.count, 0)
        XCTAssertLessThan(used.count, long.count)
        XCTAssertEqual(used.map(\.videoID), long.prefix(used.count).map(\.videoID), "best evidence first")
    }

    func testConfigErrorsListWhatIsValid() {
        func problem(_ json: String) -> String {
            do {
                _ = try LLMSettings.resolve(try PackConfig.parse(Data(json.utf8), file: "c.json").llm, file: "c.json")
                return ""
            } catch { return error.description }
        }
        XCTAssertEqual(problem(#"{"llm":{"backend":"gpt"}}"#), "c.json: 'llm.backend' is 'gpt' (valid: extractive, llmhub, openai)")
        XCTAssertTrue(problem(#"{"llm":{"backend":"openai","extra":{"base_url":"http://x"}}}"#).contains("'llm.model' is required"))
        XCTAssertTrue(problem(#"{"llm":{"backend":"openai","model":"m"}}"#).contains("'llm.extra.base_url' is required"))
        XCTAssertTrue(problem(#"{"llm":{"backend":"llmhub","model":"m","extra":{"base_url":"http://x"}}}"#).contains("'llm.provider' is required"))
        XCTAssertTrue(problem(#"{"llm":{"backend":"openai","model":"m","extra":{"base_url":"http://x","verify":false}}}"#).contains("unknown key 'llm.extra.verify' (valid: base_url, timeout_s, verify_tls, api_key_env)"))
        XCTAssertEqual(problem(#"{"llm":{"backend":"mock"}}"#), "")
    }

    func testBroadQuestionsAreRecognised() {
        XCTAssertTrue(EpisodeSummaries.isBroad("What is the espresso episode about?"))
        XCTAssertTrue(EpisodeSummaries.isBroad("Summarise the milk video"))
        XCTAssertTrue(EpisodeSummaries.isBroad("main points of the grinder review"))
        XCTAssertFalse(EpisodeSummaries.isBroad("At what temperature should milk be steamed?"))
    }
}

/// Text pieces collected from a `@Sendable` callback.
final class Pieces: @unchecked Sendable {
    private let lock = NSLock()
    private var pieces: [String] = []
    func add(_ piece: String) { lock.lock(); pieces.append(piece); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return pieces }
}

/// `ytce pack ask` with a model: streamed to stdout as it arrives, citations checked, the key never shown.
final class LLMCLITests: XCTestCase {
    func testAskStreamsFromLLMHubAndListsCheckedCitations() throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        // The fake model cites the first evidence line of its prompt, and one span that was never given.
        server.route("POST", "/generate/stream") { request in
            let cited = CitationParser.citations(in: request.text).first?.citation.description ?? "[none @ 00:00-00:01]"
            return .eventStream([
                (0, LLMBackendTests.sse("chunk", #"{"type":"delta","textDelta":"Start from the recipe "}"#)),
                (0.01, LLMBackendTests.sse("chunk", #"{"type":"delta","textDelta":"\#(cited), not from taste [made_up @ 10:00-10:30]."}"#)),
                (0, LLMBackendTests.sse("chunk", #"{"type":"message_end","finishReason":"stop"}"#)),
                (0, LLMBackendTests.sse("done", "{}")),
            ])
        }
        let dir = TestSupport.temporaryDirectory(self)
        let config = dir.appendingPathComponent("llm.json")
        try Data("""
            {"llm": {"backend": "llmhub", "provider": "openai", "model": "m", "extra": {"base_url": "\(server.baseURL)"}}}
            """.utf8).write(to: config)
        let sample = TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path
        var environment = ProcessInfo.processInfo.environment
        environment["LLMHUB_API_KEY"] = LLMBackendTests.key
        let arguments = ["pack", "ask", "--pack", sample, "--cache-dir", dir.appendingPathComponent("cache").path,
                         "--question", "How do I dial in espresso?", "--config", config.path]
        let streamed = try TestSupport.run(try TestSupport.ytceBinary(), arguments + ["--stream"], environment: environment)
        XCTAssertEqual(streamed.status, 0, streamed.stderr)
        XCTAssertTrue(streamed.stdout.hasPrefix("Start from the recipe ["), streamed.stdout)
        XCTAssertTrue(streamed.stdout.contains("Citations:\n[1] "), streamed.stdout)
        XCTAssertTrue(streamed.stdout.contains("&t="), streamed.stdout)
        XCTAssertTrue(streamed.stderr.contains("warning: 1 citation point at no evidence"), streamed.stderr)
        XCTAssertEqual(server.requests(to: "/generate/stream").first?.header("Authorization"), "Bearer \(LLMBackendTests.key)")

        let json = try TestSupport.run(try TestSupport.ytceBinary(), arguments + ["--stream", "--json"], environment: environment)
        XCTAssertEqual(json.status, 0, json.stderr)
        let value = try JSONValue.parse(Data(json.stdout.utf8))
        XCTAssertEqual(value["invented_citations"], .number(1))
        XCTAssertEqual(value["citations"]?.arrayValue?.count, 1)
        XCTAssertEqual(value["backend"], .string("llmhub"))
        for output in [streamed.stdout, streamed.stderr, json.stdout, json.stderr] {
            XCTAssertFalse(output.contains(LLMBackendTests.key), "the API key never appears in output")
        }

        // A refused key: one line naming the backend and the status, no key.
        server.route("POST", "/generate", response: .json(#"{"error":{"kind":"auth","message":"bad key"}}"#, status: 401))
        let refused = try TestSupport.run(try TestSupport.ytceBinary(), arguments, environment: environment)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("ytce: llmhub: HTTP 401"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertFalse(refused.stderr.contains(LLMBackendTests.key))
    }
}

/// `ytce pack ask --stream` with a model whose first draft cites nothing: that draft is asked again and discarded,
/// so only the kept answer reaches stdout; the note goes to stderr.
final class LLMStreamRetryCLITests: XCTestCase {
    func testADiscardedDraftNeverReachesStdout() throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/generate/stream") { request in
            guard request.text.contains("cited nothing") else {
                return .eventStream([
                    (0, LLMBackendTests.sse("chunk", #"{"type":"delta","textDelta":"A first draft "}"#)),
                    (0.01, LLMBackendTests.sse("chunk", #"{"type":"delta","textDelta":"that cites nothing."}"#)),
                    (0, LLMBackendTests.sse("chunk", #"{"type":"message_end","finishReason":"stop"}"#)),
                    (0, LLMBackendTests.sse("done", "{}")),
                ])
            }
            let cited = CitationParser.citations(in: request.text).first?.citation.description ?? "[none @ 00:00-00:01]"
            return .eventStream([
                (0, LLMBackendTests.sse("chunk", #"{"type":"delta","textDelta":"Dial in by taste "}"#)),
                (0.01, LLMBackendTests.sse("chunk", #"{"type":"delta","textDelta":"\#(cited)"}"#)),
                (0.01, LLMBackendTests.sse("chunk", #"{"type":"delta","textDelta":" and time."}"#)),
                (0, LLMBackendTests.sse("chunk", #"{"type":"message_end","finishReason":"stop"}"#)),
                (0, LLMBackendTests.sse("done", "{}")),
            ])
        }
        let dir = TestSupport.temporaryDirectory(self)
        let config = dir.appendingPathComponent("llm.json")
        try Data("""
            {"llm": {"backend": "llmhub", "provider": "openai", "model": "m", "extra": {"base_url": "\(server.baseURL)"}}}
            """.utf8).write(to: config)
        var environment = ProcessInfo.processInfo.environment
        environment["LLMHUB_API_KEY"] = LLMBackendTests.key
        let result = try TestSupport.run(try TestSupport.ytceBinary(), [
            "pack", "ask", "--pack", TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path,
            "--cache-dir", dir.appendingPathComponent("cache").path, "--question", "How do I dial in espresso?",
            "--config", config.path, "--stream"], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(server.requests(to: "/generate/stream").count, 2, "the model was asked twice (the case under test)")
        XCTAssertTrue(result.stdout.hasPrefix("Dial in by taste ["), result.stdout)
        XCTAssertFalse(result.stdout.contains("first draft"), result.stdout)
        XCTAssertFalse(result.stdout.contains("cited nothing"), result.stdout)
        XCTAssertTrue(result.stderr.contains("note: that draft cited nothing; asking the model once more"), result.stderr)
        XCTAssertTrue(result.stdout.contains("Citations:\n[1] "), result.stdout)
    }

    func testAKeptAnswerStreamsOnceItCitesAndAnUncitedKeptAnswerAtTheEnd() {
        let pieces = Pieces()
        let kept = KeptAnswerStream { pieces.add($0) }
        kept.delta("Nothing cited ")
        kept.delta("here.")
        XCTAssertEqual(pieces.all, [], "held while it may be discarded")
        kept.discardDraft()
        kept.delta("Grind coarse ")
        kept.delta("[a-b_c1 @ 01:00-01:45]")
        XCTAssertEqual(pieces.all, ["Grind coarse [a-b_c1 @ 01:00-01:45]"])
        kept.delta(" for a press.")
        kept.finish()
        XCTAssertEqual(pieces.all.joined(), "Grind coarse [a-b_c1 @ 01:00-01:45] for a press.")

        let uncited = Pieces()
        let plain = KeptAnswerStream { uncited.add($0) }
        plain.delta("No evidence answers this.")
        plain.finish()
        XCTAssertEqual(uncited.all, ["No evidence answers this."], "a kept answer without citations comes out at the end")
    }
}

/// Question vectors from an OpenAI-compatible `/embeddings` endpoint for a pack built with a model ytce cannot
/// run (the reference's sentence-transformers pack).
final class EmbeddingEndpointTests: XCTestCase {
    func testEndpointVectorsSearchASentenceTransformerPack() async throws {
        let pack = try TestSupport.open(try TestSupport.referencePack("py4e.minilm.pack"), cacheIn: TestSupport.temporaryDirectory(self))
        let matrix = try XCTUnwrap(pack.chunkEmbeddings)
        let row = 1234
        // The fake endpoint answers with the vector of one chunk (scaled: ytce normalises), so that chunk must come first.
        let vector = Array(matrix.row(row)).map { Double($0) * 3 }
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/v1/embeddings") { request in
            guard request.text.contains(#""model":"all-MiniLM-L6-v2""#) else { return .json(#"{"error":{"message":"wrong model"}}"#, status: 400) }
            return .json(JSONValue.serialize(.object(["data": .array([.object(["embedding": .array(vector.map { .number($0) })])])])))
        }
        let config = try PackConfig.parse(Data("""
            {"embedding": {"backend": "openai", "base_url": "\(server.baseURL)/v1", "model": "all-MiniLM-L6-v2"}}
            """.utf8), file: "c.json")
        let endpoint = try XCTUnwrap(EmbeddingEndpoint.from(config.embedding, environment: [:]))
        let query = try await endpoint.embed("zzqx unrelated words")
        XCTAssertEqual(query.count, 384)
        // Without the model on this machine (a model folder that does not hold it), only the endpoint gives vectors.
        let retriever = try Retriever(pack: pack, cache: TestSupport.cache(in: TestSupport.temporaryDirectory(self)),
                                      modelDirectory: TestSupport.temporaryDirectory(self).appendingPathComponent("no-model").path)
        XCTAssertTrue(retriever.notes.first?.contains("lexical search only") ?? false)
        let result = try retriever.search("zzqx", topK: 3, queryVector: query)  // no lexical match: vectors alone rank
        XCTAssertEqual(result.notes, [], "with an endpoint the search is not lexical-only")
        let chunk = try pack.database.prepare("SELECT video_id, start_ms, end_ms FROM micro_chunk ORDER BY chunk_id LIMIT 1 OFFSET \(row)")
        XCTAssertTrue(try chunk.step())
        let first = try XCTUnwrap(result.hits.first)
        XCTAssertEqual(first.videoID, chunk.string(0))
        XCTAssertLessThanOrEqual(first.startMs, chunk.int(1))
        XCTAssertGreaterThanOrEqual(first.endMs, chunk.int(2))

        XCTAssertThrowsError(try retriever.search("q", queryVector: [1, 0, 0])) { error in
            XCTAssertTrue("\(error)".contains("3 dimensions but the pack's vectors have 384"), "\(error)")
        }
    }
}
