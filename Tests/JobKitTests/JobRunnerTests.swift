import Foundation
import HTTPKit
import HTTPTestServer
import XCTest
@testable import JobKit
@testable import PackKit

/// The job runner against a fake RunPod endpoint speaking the real API over loopback: jobs are recorded before
/// they are sent, polled until done, and every summary is saved and delivered.
final class JobRunnerTests: XCTestCase {
    var fake: FakeRunPod!
    var dir: URL!

    override func setUpWithError() throws {
        fake = try FakeRunPod()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-jobs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        fake.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func runner(_ adjust: (inout JobSettings) -> Void = { _ in }) throws -> JobRunner {
        var settings = JobSettings()
        settings.pollInterval = 0.05
        settings.maxWait = 20
        adjust(&settings)
        let store = try JobStore(path: dir.appendingPathComponent("jobs.sqlite").path)
        return JobRunner(store: store, client: RunPodClient(endpointURL: fake.endpointURL, apiKey: fake.apiKey), settings: settings)
    }

    func transcript(_ name: String = "episode-7", words: Int = 50) -> TranscriptText {
        TranscriptText(name: name, text: (0..<words).map { "word\($0 % 97)" }.joined(separator: " "))
    }

    /// Polls until nothing is open (or 20 s pass).
    func drain(_ runner: JobRunner) async {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, runner.secondsUntilNextPoll() != nil || ((try? runner.store.waitingParents()) ?? []).contains(where: \.isOpen) {
            await runner.pollDue()
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    func testAJobIsPolledToCompletionAndItsSummaryWrittenToAFile() async throws {
        fake.enqueue(.completing(text: "A fine summary.", queuedPolls: 2, runningPolls: 2))
        let runner = try runner()
        let out = dir.appendingPathComponent("out").path
        let submitted = try await runner.submit(transcript(), source: "/data/episode-7.txt", outputs: JobOutputs(directory: out))
        XCTAssertEqual(submitted.state, .queued)
        XCTAssertNotNil(submitted.runpodID)
        await drain(runner)
        let job = try runner.store.job(submitted.id)
        XCTAssertEqual(job.state, .completed)
        XCTAssertEqual(try runner.store.summary(job.id), "A fine summary.")
        XCTAssertEqual(try String(contentsOfFile: out + "/episode-7_summary.txt", encoding: .utf8), "A fine summary.")
        XCTAssertEqual(try runner.store.deliveries(job.id).map(\.sink), ["file"])
        XCTAssertGreaterThanOrEqual(job.polls, 5)
        let body = try XCTUnwrap(fake.server.requests.first { $0.path.hasSuffix("/run") })
        let json = try JSONValue.parse(Data(body.body))
        XCTAssertEqual(json["input"]?["max_new_tokens"], .number(16000))
        XCTAssertTrue(json["input"]?["prompt"]?.stringValue?.contains("word1 word2") ?? false)
    }

    func testTransientErrorsNeverFailAJob() async throws {
        fake.enqueue(.completing(text: "Survived.", queuedPolls: 1, runningPolls: 1))
        let runner = try runner()
        let job = try await runner.submit(transcript(), source: "x.txt", outputs: JobOutputs())
        fake.inject(.serverError(500), times: 2, on: .status)
        fake.inject(.rateLimited(retryAfter: 1), times: 1, on: .status)
        fake.inject(.reset, times: 1, on: .status)
        await drain(runner)
        XCTAssertEqual(try runner.store.job(job.id).state, .completed)
        XCTAssertEqual(try runner.store.summary(job.id), "Survived.")
    }

    func testFailuresLostJobsAndTimeoutsAreExplained() async throws {
        fake.enqueue(.ending(in: .failed(type: "torch.cuda.OutOfMemoryError", message: "CUDA out of memory")),
                     .expired, .ending(in: .timedOut))
        let runner = try runner()
        let failed = try await runner.submit(transcript("a"), source: "a.txt", outputs: JobOutputs())
        let lost = try await runner.submit(transcript("b"), source: "b.txt", outputs: JobOutputs())
        let timedOut = try await runner.submit(transcript("c"), source: "c.txt", outputs: JobOutputs())
        await drain(runner)
        let f = try runner.store.job(failed.id)
        XCTAssertEqual(f.state, .failed)
        XCTAssertTrue(f.detail.contains("CUDA out of memory"), f.detail)
        XCTAssertFalse(f.detail.contains("Traceback"), f.detail)
        let l = try runner.store.job(lost.id)
        XCTAssertEqual(l.state, .lost)
        XCTAssertTrue(l.detail.contains("30 minutes"), l.detail)
        XCTAssertEqual(try runner.store.job(timedOut.id).state, .timedOut)
    }

    func testAJobStillQueuedAtTheMaximumWaitIsGivenUpAndCanWaitAgain() async throws {
        fake.enqueue(.staying(.inQueue))
        let runner = try runner { $0.maxWait = 0.3 }
        let job = try await runner.submit(transcript(), source: "x.txt", outputs: JobOutputs())
        await drain(runner)
        let given = try runner.store.job(job.id)
        XCTAssertEqual(given.state, .gaveUp)
        XCTAssertTrue(given.detail.contains("maximum wait"), given.detail)
        let again = try await runner.retry(job.id)
        XCTAssertEqual(again.state, .inProgress)
        XCTAssertGreaterThan(again.deadline, Date().timeIntervalSince1970)
    }

    func testASubmissionWhoseAnswerWasLostIsNotSentTwiceSilently() async throws {
        fake.inject(.reset, times: 1, on: .run)
        fake.enqueue(.completing(text: "Second try."))
        let runner = try runner()
        let job = try await runner.submit(transcript(), source: "x.txt", outputs: JobOutputs())
        XCTAssertEqual(job.state, .submissionUnknown)
        await drain(runner)
        XCTAssertEqual(fake.requestCount(.run), 1, "no automatic second /run")
        let resent = try await runner.retry(job.id)
        XCTAssertEqual(resent.state, .queued)
        await drain(runner)
        XCTAssertEqual(try runner.store.summary(job.id), "Second try.")
    }

    func testSubmissionsOfADeadProcessBecomeUnknown() throws {
        let runner = try runner()
        let job = try runner.store.create(source: "x.txt", name: "x", role: .single, endpoint: fake.endpointURL, prompt: "p",
                                          outputs: JobOutputs(), maxWait: 60)
        // A process id that is surely not running.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        try runner.store.rewriteOwner(job.id, pid: dead.processIdentifier)
        XCTAssertEqual(try runner.store.markOrphanedSubmissions(), 1)
        XCTAssertEqual(try runner.store.job(job.id).state, .submissionUnknown)
        XCTAssertTrue(try runner.store.job(job.id).detail.contains("may or may not"))
    }

    func testALongTranscriptIsSummarisedInPartsThenCombined() async throws {
        // Each part's summary names the part; the combining job echoes what it was given.
        fake.scriptForPrompt { prompt in
            if prompt.contains("summaries of consecutive parts") {
                let parts = prompt.components(separatedBy: "Part ").count - 1
                return .completing(text: "combined \(parts) parts")
            }
            let part = prompt.range(of: #"part \d+ of \d+"#, options: .regularExpression).map { String(prompt[$0]) } ?? "whole"
            return .completing(text: "summary of \(part)")
        }
        let runner = try runner { $0.contextTokens = 16_000 + 3_000; $0.maxNewTokens = 16_000 }
        let out = dir.appendingPathComponent("out").path
        let long = transcript("lecture", words: 5_000)
        XCTAssertGreaterThan(long.estimatedTokens, runner.transcriptBudget)
        let parent = try await runner.submit(long, source: "lecture.srt", outputs: JobOutputs(directory: out))
        XCTAssertEqual(parent.state, .waitingForParts)
        await drain(runner)
        let parts = try runner.store.parts(of: parent.id)
        XCTAssertGreaterThanOrEqual(parts.filter { $0.role == .part }.count, 2)
        XCTAssertEqual(parts.filter { $0.role == .combine }.count, 1)
        let count = parts.filter { $0.role == .part }.count
        XCTAssertEqual(try runner.store.job(parent.id).state, .completed)
        XCTAssertEqual(try runner.store.summary(parent.id), "combined \(count) parts")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["lecture_summary.txt"], "only the whole summary is delivered")
    }

    func testASummaryCanGoIntoAPack() async throws {
        let pack = dir.appendingPathComponent("coffee.pack")
        try FileManager.default.copyItem(at: TestSupportPaths.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack"), to: pack)
        let cache = PackCache(directory: dir.appendingPathComponent("cache"))
        let opened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        let video = try XCTUnwrap(try opened.database.strings("SELECT video_id FROM video ORDER BY video_id").last)
        let text = try TranscriptText.packVideo(opened, videoID: video, timestamps: true)
        XCTAssertTrue(text.text.hasPrefix("[00:"), String(text.text.prefix(40)))
        fake.enqueue(.completing(text: "What the episode covers."))
        let runner = try runner()
        let job = try await runner.submit(text, source: "pack:\(pack.path)#\(video)", outputs: JobOutputs(packPath: pack.path, videoID: video))
        await drain(runner)
        XCTAssertEqual(try runner.store.deliveries(job.id).map(\.error), [nil])
        let reopened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        XCTAssertEqual(try reopened.database.strings("SELECT text FROM summary WHERE video_id = '\(video)'"), ["What the episode covers."])
    }
}

enum TestSupportPaths {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
