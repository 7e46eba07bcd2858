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
        f.driver.press(.alt("5"))
        let screen = f.screen
        XCTAssertTrue(screen.contains("completed"), screen)
        XCTAssertTrue(screen.contains(video.videoID), screen)
        XCTAssertTrue(screen.contains("jobs 0 open 1 done"), screen)
        // Enter shows the summary; p attaches it to the pack (an atomic rewrite).
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.popup != nil }
        XCTAssertTrue(f.screen.contains("Grind finer for espresso"), f.screen)
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
        server.route("POST", "/chat/completions") { _ in
            var parts: [(delay: Double, text: String)] = [(0, #"data: {"choices":[{"delta":{"content":"Grind finer "}}]}"# + "\n\n")]
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
        XCTAssertTrue(f.screen.contains(" offline │"), f.screen)
        await f.ask("how fine should I grind for espresso")
        XCTAssertEqual(f.driver.model.ask.entries.last?.state, .done)
        XCTAssertTrue(f.driver.model.ask.entries.last?.text.contains("[bN4oY8wJ-s0 @") ?? false)
        f.driver.press(.character(":"))
        f.driver.type("backend model")
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.backendLabel != "offline" }
        XCTAssertTrue(f.screen.contains("openai slow-model"), f.screen)
    }

    func testOpeningAnotherPackStopsTheRunningAnswer() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/chat/completions") { _ in
            .eventStream((0..<400).map { (0.02, #"data: {"choices":[{"delta":{"content":"piece\#($0) "}}]}"# + "\n\n") })
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
