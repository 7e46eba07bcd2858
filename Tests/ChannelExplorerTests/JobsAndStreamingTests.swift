@testable import ChannelExplorer
import Foundation
import HTTPTestServer
import JobKit
import PackKit
import TUI
import XCTest

/// The jobs panel against a RunPod test server on loopback, and a streamed LLM answer cancelled with Esc.
final class JobsAndStreamingTests: XCTestCase {
    func testSubmittingAVideoFromTheLibraryPollsToCompletionAndAttachesTheSummary() async throws {
        let fake = try FakeRunPod()
        defer { fake.stop() }
        fake.enqueue(.completing(text: "Grind finer for espresso; coarser for cold brew.", queuedPolls: 2, runningPolls: 2))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-jobs-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let pack = work.appendingPathComponent("coffee-lab.pack")
        try FileManager.default.copyItem(atPath: ExplorerFixture.samplePack, toPath: pack.path)
        var config = PackConfig()
        config.jobs = ["poll_interval_s": .number(0.1)]
        let f = try ExplorerFixture(packs: [pack.path], environment: ["RUNPOD_ENDPOINT_URL": fake.endpointURL, "RUNPOD_API_KEY": fake.apiKey],
                                    config: config)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        let video = f.driver.model.library.videos[0]
        f.driver.press(.character("s"))
        XCTAssertEqual(f.driver.model.jobs.submitting, 1)
        let finished = await f.driver.waitUntil(timeout: 20) { model in model.jobs.jobs.first?.state == .completed }
        XCTAssertTrue(finished, "job did not complete: \(f.driver.model.jobs.jobs.map { "\($0.state) \($0.detail)" })")
        XCTAssertEqual(f.driver.model.jobs.submitting, 0)
        let notified = await f.driver.waitUntil { $0.status.notice?.contains("completed") ?? false }
        XCTAssertTrue(notified, "a finished job shows in the status bar: \(f.driver.model.status.notice ?? "nil")")
        XCTAssertGreaterThanOrEqual(fake.requestCount(.status), 3)
        // The library's s sends the summary into the pack too: it is there before any p.
        let delivered = try ChannelPack.open(pack.path, options: .init(cache: PackCache(directory: work.appendingPathComponent("cache-delivered"))))
        XCTAssertEqual(try VideoTranscript.load(video.videoID, from: delivered).summary, "Grind finer for espresso; coarser for cold brew.")
        f.driver.press(.alt("5"))
        let screen = f.screen
        XCTAssertTrue(screen.contains("completed"), screen)
        XCTAssertTrue(screen.contains(video.videoID), screen)
        XCTAssertTrue(screen.contains("jobs 0 open 1 done"), screen)
        // Enter shows the summary; p attaches it to the pack (an atomic rewrite).
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.popup != nil }
        XCTAssertTrue(f.screen.contains("Grind finer for espresso"), f.screen)
        XCTAssertTrue(f.screen.contains("y copy") && f.screen.contains("w save") && f.screen.contains("a attach"), f.screen)
        // w asks where to save it (a path suggested); Enter saves there.
        f.driver.press(.character("w"))
        XCTAssertTrue(f.screen.contains("Save to"), f.screen)
        f.driver.press(.escape)
        let saved = work.appendingPathComponent("summary.md").path
        f.driver.press(.character(":"))
        f.driver.type("save-summary \(saved)")
        f.driver.press(.enter)
        let written = await f.driver.waitUntil { $0.status.notice?.contains("saved to") ?? false }
        XCTAssertTrue(written, f.driver.model.status.error ?? "")
        XCTAssertEqual(try String(contentsOfFile: saved, encoding: .utf8), "Grind finer for espresso; coarser for cold brew.")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.popup != nil }
        f.driver.press(.escape)
        f.driver.press(.character("p"))
        let attached = await f.driver.waitUntil { $0.status.notice?.contains("attached") ?? false }
        XCTAssertTrue(attached, f.driver.model.status.error ?? "")
        let reopened = try ChannelPack.open(pack.path, options: .init(cache: PackCache(directory: work.appendingPathComponent("cache"))))
        XCTAssertEqual(try VideoTranscript.load(video.videoID, from: reopened).summary, "Grind finer for espresso; coarser for cold brew.")
    }

    func testWithoutAnEndpointTheJobsPanelSaysWhatIsMissing() async throws {
        let f = try ExplorerFixture()
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("5"))
        XCTAssertTrue(f.screen.contains("no RunPod endpoint: set RUNPOD_ENDPOINT_URL"), f.screen)
        f.driver.press(.character("a"))
        f.driver.type("/tmp/episode.txt")
        f.driver.press(.enter)
        XCTAssertTrue(f.driver.model.status.error?.contains("RUNPOD_ENDPOINT_URL") ?? false)
    }

    func testAStreamedAnswerAppearsAsItIsWrittenAndEscCancelsIt() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/chat/completions") { request in
            // The answer cites at once (a draft is shown from its first citation on).
            let cited = CitationParser.citations(in: request.text).first?.citation.description ?? "[none @ 00:00-00:01]"
            var parts: [(delay: Double, text: String)] = [(0, #"data: {"choices":[{"delta":{"content":"Grind finer \#(cited) "}}]}"# + "\n\n")]
            for i in 0..<200 { parts.append((0.05, #"data: {"choices":[{"delta":{"content":"and finer \#(i) "}}]}"# + "\n\n")) }
            return .eventStream(parts)
        }
        let json = """
            {"llm": {"backend": "openai", "provider": "openai", "model": "slow-model", "max_new_tokens": 200, "context_tokens": 4000,
                     "extra": {"base_url": "\(server.baseURL)", "api_key_env": "YTCE_TEST_KEY"}}}
            """
        let config = try PackConfig.parse(Data(json.utf8), file: "test.json")
        let f = try ExplorerFixture(environment: ["YTCE_TEST_KEY": "sk-test"], config: config)
        defer { f.cleanUp() }
        await f.waitForPack()
        XCTAssertTrue(f.screen.contains("openai slow-model"), "the status bar names the backend:\n\(f.screen)")
        f.driver.type("how fine for espresso")
        f.driver.press(.enter)
        let streaming = await f.driver.waitUntil(timeout: 10) { $0.ask.entries.last?.text.contains("and finer 2") ?? false }
        XCTAssertTrue(streaming, "deltas arrive while the answer is written")
        XCTAssertTrue(f.screen.contains("Grind finer"), f.screen)
        XCTAssertTrue(f.screen.contains("Esc cancels"), f.screen)
        f.driver.press(.escape)
        XCTAssertEqual(f.driver.model.ask.entries.last?.state, .cancelled)
        XCTAssertTrue(f.screen.contains("(cancelled)"), f.screen)
        // The request is abandoned: the server sees the connection close long before the 10 s stream ends.
        let closed = server.waitForEvent(timeout: 3) { $0.kind == .clientClosed }
        XCTAssertNotNil(closed, "the stream's connection was not closed after Esc")
        // The next question still works.
        XCTAssertTrue(f.driver.model.ask.editing)
        // `:backend offline` switches to the extractive answerer at run time, `:backend model` back.
        f.driver.press(.character(":"))
        f.driver.type("backend offline")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.backendLabel == "offline" }
        XCTAssertTrue(f.screen.contains(" offline · hash "), f.screen)
        await f.ask("how fine should I grind for espresso")
        XCTAssertEqual(f.driver.model.ask.entries.last?.state, .done)
        XCTAssertTrue(f.driver.model.ask.entries.last?.text.contains("[bN4oY8wJ-s0 @") ?? false)
        f.driver.press(.character(":"))
        f.driver.type("backend model")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.backendLabel != "offline" }
        XCTAssertTrue(f.screen.contains("openai slow-model"), f.screen)
    }

    func testAModelThatCitesItsEvidenceStreamsOnScreenBeforeItFinishes() async throws {
        // `ytce-bench --tui` times keys while this model's answer streams: it cites the evidence lines of its prompt,
        // as a real model does, so the explorer shows its draft from the first citation on. Were the prompt's
        // evidence lines no longer found, or a cited draft held back, the bench would time keys with nothing
        // streaming ("the answer did not stream"): this fails first.
        let llm = try FakeChatModel(words: 150, interval: 0.02)
        defer { llm.stop() }
        let config = try PackConfig.parse(Data("""
            {"llm": {"backend": "openai", "model": "bench-model", "max_new_tokens": 4000, "context_tokens": 16000,
                     "extra": {"base_url": "\(llm.baseURL)", "api_key_env": "YTCE_TEST_KEY"}}}
            """.utf8), file: "test.json")
        let f = try ExplorerFixture(environment: ["YTCE_TEST_KEY": "sk-test"], config: config)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.type("how fine should I grind for espresso")
        f.driver.press(.enter)
        let streaming = await f.driver.waitUntil(timeout: 10) { $0.ask.entries.last?.text.contains("word12") ?? false }
        XCTAssertTrue(streaming, "no delta reached the conversation: \(f.driver.model.ask.entries.last?.text ?? "no entry")")
        XCTAssertEqual(f.driver.model.ask.entries.last?.state, .running, "the words were shown only when the answer was done")
        XCTAssertTrue(f.screen.contains("word12"), f.screen)
        XCTAssertTrue(f.screen.contains("answering"), f.screen)
        XCTAssertFalse(llm.citations.isEmpty, "the model found no evidence line in its prompt to cite")
        let done = await f.driver.waitUntil(timeout: 20) { $0.ask.entries.last?.state == .done }
        XCTAssertTrue(done, f.screen)
        XCTAssertEqual(llm.requestCount, 1, "the cited draft was kept, not asked for again")
        let outcome = try XCTUnwrap(f.driver.model.ask.entries.last?.outcome)
        XCTAssertEqual(outcome.invented, [], "every citation it wrote is in the evidence it was given")
        XCTAssertFalse(outcome.sources.isEmpty)
    }

    func testADraftThatCitesNothingIsNeverShown() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/chat/completions") { request in
            guard request.text.contains("cited nothing") else {
                return .eventStream([
                    (0, #"data: {"choices":[{"delta":{"content":"A first draft "}}]}"# + "\n\n"),
                    (0.2, #"data: {"choices":[{"delta":{"content":"that cites nothing."}}]}"# + "\n\n"),
                    (0, "data: [DONE]\n\n"),
                ])
            }
            let cited = CitationParser.citations(in: request.text).first?.citation.description ?? "[none @ 00:00-00:01]"
            return .eventStream([
                (0, #"data: {"choices":[{"delta":{"content":"Grind finer \#(cited)"}}]}"# + "\n\n"),
                (0.05, #"data: {"choices":[{"delta":{"content":" for espresso."}}]}"# + "\n\n"),
                (0, "data: [DONE]\n\n"),
            ])
        }
        let config = try PackConfig.parse(Data("""
            {"llm": {"backend": "openai", "model": "m", "extra": {"base_url": "\(server.baseURL)", "api_key_env": "YTCE_TEST_KEY"}}}
            """.utf8), file: "test.json")
        let f = try ExplorerFixture(environment: ["YTCE_TEST_KEY": "sk-test"], config: config)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.type("how fine for espresso")
        f.driver.press(.enter)
        var seen: [String] = []
        let done = await f.driver.waitUntil(timeout: 10) { model in
            seen.append(model.ask.entries.last?.text ?? "")
            return model.ask.entries.last?.state == .done
        }
        XCTAssertTrue(done, f.screen)
        XCTAssertEqual(server.requests(to: "/chat/completions").count, 2, "the model was asked twice (the case under test)")
        XCTAssertFalse(seen.contains { $0.contains("A first draft") }, "the discarded draft was shown: \(seen)")
        XCTAssertFalse(f.screen.contains("A first draft"), f.screen)
        XCTAssertTrue(f.driver.model.ask.entries.last?.text.hasPrefix("Grind finer [") ?? false, f.driver.model.ask.entries.last?.text ?? "")
        XCTAssertTrue(f.driver.model.ask.entries.last?.outcome?.notes.contains { $0.contains("asked once more") } ?? false,
                      "the retry is noted under the answer")
    }

    func testOpeningAnotherPackStopsTheRunningAnswer() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/chat/completions") { request in
            let cited = CitationParser.citations(in: request.text).first?.citation.description ?? "[none @ 00:00-00:01]"
            // Then nothing more, never finishing: only the client going away ends this stream, however slowly the
            // second pack opens on a loaded machine (an answer that ran its course left nothing to stop).
            return .eventStream((0..<50).map { (0.02, #"data: {"choices":[{"delta":{"content":"piece\#($0) \#(cited) "}}]}"# + "\n\n") },
                                then: .stall)
        }
        let config = try PackConfig.parse(Data("""
            {"llm": {"backend": "openai", "model": "slow-model", "extra": {"base_url": "\(server.baseURL)", "api_key_env": "YTCE_TEST_KEY"}}}
            """.utf8), file: "test.json")
        let f = try ExplorerFixture(environment: ["YTCE_TEST_KEY": "sk-test"], config: config)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.type("how fine for espresso")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil(timeout: 10) { $0.ask.entries.last?.text.contains("piece3") ?? false }
        let firstSession = f.driver.model.session
        f.driver.press(.character(":"))
        f.driver.type("open \(ExplorerFixture.samplePack)")
        f.driver.press(.enter)
        let reopened = await f.driver.waitUntil(timeout: 20) { $0.session != nil && $0.session !== firstSession }
        XCTAssertTrue(reopened)
        XCTAssertNotNil(server.waitForEvent(timeout: 3) { $0.kind == .clientClosed }, "the old answer's stream was not stopped")
        // Nothing of the old answer lands in the new session's conversation.
        try await Task.sleep(nanoseconds: 300_000_000)
        _ = await f.driver.settle(timeout: 1)
        XCTAssertTrue(f.driver.model.ask.entries.isEmpty, "\(f.driver.model.ask.entries.map(\.text))")
    }
}
