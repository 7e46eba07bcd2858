import Foundation
import HTTPKit
import HTTPTestServer
import XCTest
@testable import JobKit
@testable import PackKit

/// Sending `/run`: a request RunPod refused (a 429, a 503) or never received (no connection) queued nothing, so it
/// is sent again after `Retry-After`; only an answer that never came back leaves the job unknown. Against the fake
/// RunPod over loopback, rate limit included.
final class JobSubmissionTests: XCTestCase {
    var fake: FakeRunPod!
    var dir: URL!

    override func setUpWithError() throws {
        fake = try FakeRunPod()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-submit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        fake.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func runner(endpoint: String? = nil, _ adjust: (inout JobSettings) -> Void = { _ in }) throws -> JobRunner {
        var settings = JobSettings()
        settings.pollInterval = 0.05
        settings.maxWait = 30
        adjust(&settings)
        let store = try JobStore(path: dir.appendingPathComponent("jobs.sqlite").path)
        return JobRunner(store: store, client: RunPodClient(endpointURL: endpoint ?? fake.endpointURL, apiKey: fake.apiKey), settings: settings)
    }

    func transcript(_ name: String) -> TranscriptText { TranscriptText(name: name, text: "words of \(name)") }

    func testARateLimitedRunIsSentAgainAfterRetryAfterAndRunsOnce() async throws {
        fake.inject(.rateLimited(retryAfter: 1), times: 2, on: .run)
        let runner = try runner()
        let states = EventLog()
        runner.onEvent = { if case .changed(let job) = $0 { states.add(job.state.rawValue + ": " + job.detail) } }
        let started = ContinuousClock.now
        let job = try await runner.submit(transcript("talk"), source: "talk.txt", outputs: JobOutputs())
        let waited = started.duration(to: .now)
        XCTAssertEqual(job.state, .queued, job.detail)
        XCTAssertNotNil(job.runpodID)
        XCTAssertEqual(fake.requestCount(.run), 3, "refused twice, then sent")
        XCTAssertEqual(fake.jobIDs.count, 1, "one job on RunPod")
        XCTAssertGreaterThanOrEqual(waited, .seconds(2), "Retry-After was honoured each time")
        XCTAssertTrue(states.all.contains { $0.hasPrefix("waiting_to_submit: ") && $0.contains("429") }, "\(states.all)")
    }

    func testAServiceUnavailableIsSentAgainButAnAnswerThatNeverCameBackIsNot() async throws {
        fake.inject(.serverError(503), times: 1, on: .run)
        let runner = try runner()
        let sent = try await runner.submit(transcript("a"), source: "a.txt", outputs: JobOutputs())
        XCTAssertEqual(sent.state, .queued)
        XCTAssertEqual(fake.jobIDs.count, 1)

        // A 502 or a reset after the request went out: RunPod may have the job. Not sent again.
        fake.inject(.serverError(502), times: 1, on: .run)
        let unknown = try await runner.submit(transcript("b"), source: "b.txt", outputs: JobOutputs())
        XCTAssertEqual(unknown.state, .submissionUnknown)
        fake.inject(.reset, times: 1, on: .run)
        let reset = try await runner.submit(transcript("c"), source: "c.txt", outputs: JobOutputs())
        XCTAssertEqual(reset.state, .submissionUnknown)
        XCTAssertEqual(fake.requestCount(.run), 4)
    }

    func testARequestRefusedForGoodFailsAtOnce() async throws {
        fake.maxRunBodyBytes = 10
        let runner = try runner()
        let job = try await runner.submit(transcript("too-long"), source: "x.txt", outputs: JobOutputs())
        XCTAssertEqual(job.state, .failed)
        XCTAssertTrue(job.detail.contains("413"), job.detail)
        XCTAssertEqual(fake.requestCount(.run), 1)
    }

    func testAConnectionNeverMadeIsTriedAgainUntilTheMaximumWait() async throws {
        // A port nobody listens on: every connection is refused, so nothing ever reached RunPod.
        let closed = try HTTPTestServer()
        let url = "\(closed.baseURL)/v2/nowhere"
        closed.stop()
        let runner = try runner(endpoint: url) { $0.maxWait = 2.5 }
        let job = try await runner.submit(transcript("offline"), source: "x.txt", outputs: JobOutputs())
        XCTAssertEqual(job.state, .failed, job.detail)
        XCTAssertTrue(job.detail.contains("never submitted"), job.detail)
        XCTAssertTrue(job.detail.contains("ytce jobs retry \(job.id)"), job.detail)
    }

    /// The batch: 100 submissions against an endpoint that rate-limits `/run` end with 100 jobs, each
    /// on RunPod once.
    func testABatchOfOneHundredAgainstARateLimitedEndpointEndsWithOneHundredJobs() async throws {
        fake.rateLimit(.run, perSecond: 50, burst: 25, retryAfter: 1)
        fake.defaultScript = .staying(.inQueue)
        let runner = try runner { $0.maxWait = 120 }
        let started = ContinuousClock.now
        var jobs: [Job] = []
        for i in 0..<100 {
            jobs.append(try await runner.submit(transcript("talk\(i)"), source: "talk\(i).txt", outputs: JobOutputs()))
        }
        let took = started.duration(to: .now)
        print("100 submissions against /run limited to 50/s (bursts of 25, Retry-After: 1): \(took), "
              + "\(fake.rateLimitedCount(.run)) answered 429, \(fake.requestCount(.run)) requests")
        XCTAssertEqual(jobs.filter { $0.state == .queued }.count, 100, jobs.filter { $0.state != .queued }.map(\.detail).joined(separator: "; "))
        XCTAssertEqual(Set(jobs.compactMap(\.runpodID)).count, 100)
        XCTAssertEqual(fake.jobIDs.count, 100, "exactly one RunPod job per submission")
        XCTAssertGreaterThan(fake.rateLimitedCount(.run), 0, "the limit was hit (the case under test)")
        XCTAssertEqual(fake.requestCount(.run), 100 + fake.rateLimitedCount(.run))
    }

    /// A job RunPod took is polled and cancelled at the endpoint it was sent to, after the configured one changed
    /// (RunPod's job ids mean nothing at another endpoint); what is sent anew goes to the configured one, which the
    /// job then records.
    func testAJobIsAskedAboutAtTheEndpointItWasSentTo() async throws {
        fake.defaultScript = .completing(text: "summary", queuedPolls: 100, runningPolls: 100)
        let old = try runner()
        let job = try await old.submit(transcript("talk"), source: "talk.txt", outputs: JobOutputs())
        XCTAssertNotNil(job.runpodID)
        XCTAssertEqual(job.endpoint, fake.endpointURL)

        let other = try FakeRunPod()
        defer { other.stop() }
        let moved = try runner(endpoint: other.endpointURL)
        _ = await moved.pollDue(now: JobRunner.now() + 1)
        XCTAssertEqual(fake.requestCount(.status), 1, "polled where it runs")
        XCTAssertEqual(other.requestCount(.status), 0)
        try await moved.cancel(job.id)
        XCTAssertEqual(fake.requestCount(.cancel), 1)
        XCTAssertEqual(other.requestCount(.cancel), 0)

        // Left waiting to be sent (never taken), it goes to the endpoint configured now and records it.
        let waiting = try moved.store.create(source: "y.txt", name: "y", role: .single, endpoint: fake.endpointURL, prompt: "p",
                                             outputs: JobOutputs(), maxWait: 60)
        let now = JobRunner.now()
        try moved.store.waitToSubmit(waiting.id, detail: "RunPod did not take it", sendAt: now - 1, owner: "gone", leaseUntil: now - 0.5)
        _ = await moved.pollDue()
        XCTAssertEqual(other.requestCount(.run), 1)
        XCTAssertEqual(try moved.store.job(waiting.id).endpoint, other.endpointURL)
    }

    /// A submitter that stopped while a job waited to be sent again: a poller sends it once its lease is gone.
    func testAPollerSendsAJobLeftWaitingToBeSubmitted() async throws {
        let runner = try runner()
        let job = try runner.store.create(source: "x.txt", name: "x", role: .single, endpoint: fake.endpointURL, prompt: "p",
                                          outputs: JobOutputs(), maxWait: 60)
        let now = JobRunner.now()
        try runner.store.waitToSubmit(job.id, detail: "RunPod did not take it", sendAt: now - 1, owner: "gone", leaseUntil: now - 0.5)
        XCTAssertEqual(try runner.store.job(job.id).state, .waitingToSubmit)
        XCTAssertEqual(try runner.store.openCount(), 1, "a job waiting to be submitted is open")
        await runner.pollDue()
        let sent = try runner.store.job(job.id)
        XCTAssertEqual(sent.state, .queued, sent.detail)
        XCTAssertEqual(fake.jobIDs.count, 1)
    }

    /// A poller whose resend is refused again sends once more after Retry-After (it does not keep the job to itself).
    func testAPollerResendsARefusedJobAfterRetryAfter() async throws {
        fake.inject(.rateLimited(retryAfter: 1), times: 1, on: .run)
        let runner = try runner()
        let job = try runner.store.create(source: "x.txt", name: "x", role: .single, endpoint: fake.endpointURL, prompt: "p",
                                          outputs: JobOutputs(), maxWait: 60)
        let now = JobRunner.now()
        try runner.store.waitToSubmit(job.id, detail: "RunPod did not take it", sendAt: now - 1, owner: "gone", leaseUntil: now - 0.5)
        await runner.pollDue()
        XCTAssertEqual(try runner.store.job(job.id).state, .waitingToSubmit, "refused once more")
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, try runner.store.job(job.id).state == .waitingToSubmit {
            await runner.pollDue()
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTAssertEqual(try runner.store.job(job.id).state, .queued)
        XCTAssertEqual(fake.requestCount(.run), 2)
        XCTAssertEqual(fake.jobIDs.count, 1)
    }

    func testRetryingAJobWaitingToBeSubmittedSaysItIsSentByItself() async throws {
        let runner = try runner()
        let job = try runner.store.create(source: "x.txt", name: "x", role: .single, endpoint: fake.endpointURL, prompt: "p",
                                          outputs: JobOutputs(), maxWait: 60)
        try runner.store.waitToSubmit(job.id, detail: "RunPod did not take it", sendAt: JobRunner.now() + 30, owner: "other", leaseUntil: JobRunner.now() + 60)
        do {
            _ = try await runner.retry(job.id)
            XCTFail("retried")
        } catch {
            XCTAssertTrue(error.description.contains("sent by itself"), error.description)
        }
        XCTAssertEqual(fake.requestCount(.run), 0)
    }
}

/// Strings collected from event callbacks on any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
