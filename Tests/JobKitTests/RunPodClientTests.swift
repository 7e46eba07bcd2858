import Foundation
import HTTPKit
import HTTPTestServer
import JobKit
import PackKit
import XCTest

final class RunPodClientTests: XCTestCase {
    private var fake: FakeRunPod!
    private var client: RunPodClient!
    /// Every error a test saw, checked for the key in `tearDown`.
    private var seenErrors: [RunPodError] = []

    override func setUp() async throws {
        fake = try FakeRunPod()
        client = makeClient(key: fake.apiKey)
        seenErrors = []
    }

    override func tearDown() async throws {
        for error in seenErrors {
            for text in [error.description, error.message, String(reflecting: error), "\(error)"] {
                XCTAssertFalse(text.contains(fake.apiKey), "the key leaked into: \(text)")
            }
        }
        fake.stop()
    }

    private func makeClient(key: String, url: String? = nil) -> RunPodClient {
        var client = RunPodClient(endpointURL: url ?? fake.endpointURL, apiKey: key, http: HTTPClient(proxy: .none))
        client.queryRetryPolicy = RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02, maxRetryAfter: 1,
                                              retryableStatuses: [502, 503, 504])
        client.timeouts = HTTPTimeouts(connect: 2, idle: 5, total: 5)
        return client
    }

    /// The error a call throws (nil when it succeeds), remembered for the key check.
    private func runPodError<T>(_ body: () async throws(RunPodError) -> T) async -> RunPodError? {
        do {
            _ = try await body()
            return nil
        } catch {
            seenErrors.append(error)
            return error
        }
    }

    private func submitOne(_ prompt: String = "Summarise this.") async throws(RunPodError) -> String {
        try await client.submit(prompt: prompt, settings: JobSettings()).id
    }

    // MARK: /run

    func testSubmitSendsTheSpecifiedBody() async throws {
        let (id, status) = try await client.submit(prompt: "Summarise \"this\":\nline two", settings: JobSettings())
        XCTAssertEqual(status, .inQueue)
        XCTAssertEqual(fake.jobIDs, [id])
        let request = try XCTUnwrap(fake.server.requests.last)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/v2/fake-endpoint/run")
        XCTAssertEqual(request.text,
                       #"{"input":{"prompt":"Summarise \"this\":\nline two","max_new_tokens":16000,"temperature":0.7,"top_p":0.9}}"#)
        XCTAssertEqual(request.header("Authorization"), "Bearer \(fake.apiKey)")
        XCTAssertEqual(request.header("Content-Type"), "application/json")
        XCTAssertEqual(fake.prompt(of: id), "Summarise \"this\":\nline two")
    }

    func testSubmitSendsOnlyThePolicyKeysThatAreSet() async throws {
        var settings = JobSettings()
        settings.executionTimeoutMs = 600_000
        settings.ttlMs = 3_600_000
        settings.maxNewTokens = 2048
        settings.temperature = 0.2
        settings.topP = 1
        let both = try await client.submit(prompt: "p", settings: settings).id
        XCTAssertEqual(fake.runBody(of: both),
                       #"{"input":{"prompt":"p","max_new_tokens":2048,"temperature":0.2,"top_p":1},"policy":{"executionTimeout":600000,"ttl":3600000}}"#)
        settings.executionTimeoutMs = nil
        let ttlOnly = try await client.submit(prompt: "p", settings: settings).id
        XCTAssertEqual(fake.runBody(of: ttlOnly),
                       #"{"input":{"prompt":"p","max_new_tokens":2048,"temperature":0.2,"top_p":1},"policy":{"ttl":3600000}}"#)
        settings.ttlMs = nil
        settings.executionTimeoutMs = 5000
        let timeoutOnly = try await client.submit(prompt: "p", settings: settings).id
        XCTAssertEqual(fake.runBody(of: timeoutOnly),
                       #"{"input":{"prompt":"p","max_new_tokens":2048,"temperature":0.2,"top_p":1},"policy":{"executionTimeout":5000}}"#)
    }

    func testRunIsNeverRepeated() async throws {
        fake.inject(.serverError(503), on: .run)
        let unavailable = await runPodError { () async throws(RunPodError) in try await submitOne() }
        XCTAssertEqual(unavailable?.kind, .transient)
        XCTAssertEqual(unavailable?.httpStatus, 503)
        XCTAssertEqual(fake.requestCount(.run), 1, "a 503 on /run is not retried")

        fake.inject(.reset, on: .run)
        let reset = await runPodError { () async throws(RunPodError) in try await submitOne() }
        XCTAssertEqual(reset?.kind, .transient, "\(reset.map(String.init(describing:)) ?? "")")
        XCTAssertTrue(reset?.description.contains("reset by peer") ?? false, reset?.description ?? "")
        XCTAssertEqual(fake.requestCount(.run), 2, "a reset /run is not retried")
        XCTAssertTrue(fake.jobIDs.isEmpty)
    }

    func testEndpointURLIsNormalised() async throws {
        let client = makeClient(key: fake.apiKey, url: "  \(fake.endpointURL)/run/ ")
        XCTAssertEqual(client.endpointURL, fake.endpointURL)
        let id = try await client.submit(prompt: "p", settings: JobSettings()).id
        XCTAssertEqual(fake.jobIDs, [id])
    }

    // MARK: /status

    func testStatusesThroughToCompletion() async throws {
        fake.enqueue(.init([.polls(1, .inQueue), .polls(1, .running), .polls(1, .inProgress),
                            .forever(.completed(text: "the summary"))]))
        let id = try await submitOne()
        var seen: [RunPodStatus] = []
        for _ in 0..<4 { seen.append(try await client.status(id: id).status) }
        XCTAssertEqual(seen, [.inQueue, .inProgress, .inProgress, .completed])
        let done = try await client.status(id: id)
        XCTAssertEqual(done.id, id)
        XCTAssertEqual(done.output, "the summary")
        XCTAssertNil(done.error)
        XCTAssertNotNil(done.executionTimeMs)
        XCTAssertNotNil(done.delayTimeMs)
        XCTAssertEqual(fake.statusPolls(of: id).count, 5)
        XCTAssertEqual(fake.requestCount(.status), 5)
    }

    func testStagesAdvanceByTime() async throws {
        // Wide windows: the machine may be busy. In progress from 0.3 s to 0.8 s after creation.
        let id = fake.addJob(script: .completing(text: "timed", queuedFor: 0.3, runningFor: 0.5))
        let first = try await client.status(id: id)
        XCTAssertEqual(first.status, .inQueue)
        XCTAssertNil(first.delayTimeMs)
        try await Task.sleep(for: .milliseconds(350))
        let second = try await client.status(id: id).status
        XCTAssertEqual(second, .inProgress)
        try await Task.sleep(for: .milliseconds(500))
        let done = try await client.status(id: id)
        XCTAssertEqual(done.status, .completed)
        XCTAssertEqual(done.output, "timed")
        XCTAssertEqual(Double(try XCTUnwrap(done.delayTimeMs)), 300, accuracy: 2)
        XCTAssertEqual(Double(try XCTUnwrap(done.executionTimeMs)), 500, accuracy: 2)
    }

    func testCompletedOutputShapesOverTheWire() async throws {
        let vllm = #"[{"choices":[{"tokens":["Part one. "]}],"usage":{"input":3,"output":3}},{"choices":[{"tokens":["Part two."]}],"usage":{"input":3,"output":6}}]"#
        let cases: [(output: String, text: String?)] = [
            (vllm, "Part one. Part two."),
            (#"{"choices":[{"message":{"role":"assistant","content":"openai"}}]}"#, "openai"),
            (#"[{"text":"generation"}]"#, "generation"),
            (#"{"other":true}"#, #"{"other":true}"#),
            ("null", nil),
        ]
        for (output, expected) in cases {
            let id = fake.addJob(script: .staying(.completed(output: output)))
            let state = try await client.status(id: id)
            XCTAssertEqual(state.status, .completed)
            XCTAssertEqual(state.output, expected, output)
        }
    }

    func testFailedWithAStringError() async throws {
        let id = fake.addJob(script: .failing(error: "Input too long\nfor the model", queuedPolls: 0, runningPolls: 0))
        let state = try await client.status(id: id)
        XCTAssertEqual(state.status, .failed)
        XCTAssertEqual(state.error, "Input too long for the model")
        XCTAssertNil(state.output)
    }

    func testFailedWithAJSONEncodedError() async throws {
        let id = fake.addJob(script: .staying(.failed(type: "ValueError", message: "max_new_tokens too large")))
        let state = try await client.status(id: id)
        XCTAssertEqual(state.status, .failed)
        XCTAssertEqual(state.error, "ValueError: max_new_tokens too large")
        let empty = fake.addJob(script: .staying(.failed(error: "")))
        let emptyError = try await client.status(id: empty).error
        XCTAssertEqual(emptyError, "the job failed without an error message")
    }

    func testTimedOutAndCancelled() async throws {
        let timedOut = fake.addJob(script: .ending(in: .timedOut, queuedPolls: 0, runningPolls: 0))
        let timedOutState = try await client.status(id: timedOut)
        XCTAssertEqual(timedOutState.status, .timedOut)
        XCTAssertTrue(timedOutState.status.isFinished)
        let cancelled = fake.addJob(script: .staying(.cancelled))
        let cancelledStatus = try await client.status(id: cancelled).status
        XCTAssertEqual(cancelledStatus, .cancelled)
    }

    func testExecutionTimeoutAndTTLAreHonoured() async throws {
        fake.defaultScript = .staying(.inProgress)
        var settings = JobSettings()
        settings.executionTimeoutMs = 300
        let slow = try await client.submit(prompt: "p", settings: settings).id
        settings.executionTimeoutMs = nil
        settings.ttlMs = 300
        let shortLived = try await client.submit(prompt: "p", settings: settings).id
        let running = try await client.status(id: slow).status
        XCTAssertEqual(running, .inProgress)
        try await Task.sleep(for: .milliseconds(350))
        let timedOut = try await client.status(id: slow).status
        XCTAssertEqual(timedOut, .timedOut)
        let lost = await runPodError { () async throws(RunPodError) in try await client.status(id: shortLived) }
        XCTAssertEqual(lost?.kind, .lost)
    }

    func testNotFoundMeansLostWithTheExplanation() async throws {
        let expired = fake.addJob(script: .init([.polls(1, .completed(text: "gone soon")), .forever(.expired)]))
        let lastOutput = try await client.status(id: expired).output
        XCTAssertEqual(lastOutput, "gone soon")
        for id in [expired, "never-existed-u1"] {
            let error = await runPodError { () async throws(RunPodError) in try await client.status(id: id) }
            XCTAssertEqual(error?.kind, .lost)
            XCTAssertEqual(error?.jobID, id)
            XCTAssertEqual(error?.httpStatus, 404)
            XCTAssertFalse(error?.isTransient ?? true)
            XCTAssertTrue(error?.description.contains(id) ?? false)
            XCTAssertTrue(error?.description.contains("30 minutes") ?? false, error?.description ?? "")
            XCTAssertTrue(error?.description.contains("ttl") ?? false)
        }
    }

    func testJobIDsAreEscapedInThePath() async throws {
        let error = await runPodError { () async throws(RunPodError) in try await client.status(id: "a b/c") }
        XCTAssertEqual(error?.kind, .lost)
        XCTAssertEqual(fake.server.requests.last?.path, "/v2/fake-endpoint/status/a%20b%2Fc")
        XCTAssertEqual(fake.statusPolls(of: "a b/c").count, 1)
    }

    // MARK: failures

    func testUnauthorizedNeverShowsTheKey() async throws {
        let wrongKey = "rpa_WRONGKEY0123456789abcdefghijklmnopqrstuv"
        let wrong = makeClient(key: wrongKey)
        let id = fake.addJob(script: .staying(.inQueue))
        // (One call at a time: an array of typed-throws closures crashes the 6.3.1 compiler.)
        let errors: [RunPodError?] = [
            await runPodError { () async throws(RunPodError) in try await wrong.submit(prompt: "p", settings: JobSettings()) },
            await runPodError { () async throws(RunPodError) in try await wrong.status(id: id) },
            await runPodError { () async throws(RunPodError) in try await wrong.cancel(id: id) },
            await runPodError { () async throws(RunPodError) in try await wrong.retry(id: id) },
            await runPodError { () async throws(RunPodError) in try await wrong.health() },
        ]
        for error in errors {
            XCTAssertEqual(error?.kind, .auth)
            XCTAssertEqual(error?.httpStatus, 401)
            XCTAssertFalse(error?.isTransient ?? true)
            for text in [error?.description ?? "", String(reflecting: error as Any)] {
                XCTAssertFalse(text.contains(wrongKey), text)
                XCTAssertFalse(text.contains("WRONGKEY"), text)
            }
        }
        XCTAssertEqual(fake.unauthorizedCount, 5)
        XCTAssertTrue(FakeRunPod.Route.allCases.allSatisfy { fake.requestCount($0) == 1 })
        XCTAssertEqual(fake.state(of: id), .inQueue, "nothing changed")
        XCTAssertEqual(fake.server.requests.last?.header("Authorization"), "Bearer \(wrongKey)")
        for text in [String(describing: wrong), String(reflecting: wrong), { var s = ""; dump(wrong, to: &s); return s }()] {
            XCTAssertFalse(text.contains(wrongKey), text)
        }
    }

    func testMissingKeyFailsWithoutARequest() async throws {
        let keyless = makeClient(key: " ")
        let error = await runPodError { () async throws(RunPodError) in try await keyless.submit(prompt: "p", settings: JobSettings()) }
        XCTAssertEqual(error?.kind, .auth)
        XCTAssertTrue(fake.server.requests.isEmpty)
    }

    func testRateLimitIsTransientWithRetryAfter() async throws {
        let id = fake.addJob(script: .staying(.inQueue))
        fake.injectOnStatus(of: id, .rateLimited(retryAfter: 30))
        let error = await runPodError { () async throws(RunPodError) in try await client.status(id: id) }
        XCTAssertEqual(error?.kind, .transient)
        XCTAssertEqual(error?.httpStatus, 429)
        XCTAssertEqual(error?.retryAfter, 30)
        XCTAssertEqual(error?.jobID, id)
        XCTAssertTrue(error?.description.contains("retry after 30 s") ?? false, error?.description ?? "")
        XCTAssertEqual(fake.statusPolls(of: id).count, 1, "the client leaves 429s to the poller")
        let later = try await client.status(id: id).status
        XCTAssertEqual(later, .inQueue)
    }

    func testServerErrorsAreTransient() async throws {
        let id = fake.addJob(script: .staying(.inProgress))
        fake.inject(.serverError(500), on: .status)
        let error = await runPodError { () async throws(RunPodError) in try await client.status(id: id) }
        XCTAssertEqual(error?.kind, .transient)
        XCTAssertEqual(error?.httpStatus, 500)
        XCTAssertTrue(error?.description.contains("HTTP 500") ?? false, error?.description ?? "")
        XCTAssertEqual(fake.requestCount(.status), 1, "a 500 is not retried by the client")

        fake.inject(.serverError(503), times: 1, on: .status)
        let retried = try await client.status(id: id).status
        XCTAssertEqual(retried, .inProgress, "one 503 is retried once")
        fake.inject(.serverError(503), times: 2, on: .status)
        let twice = await runPodError { () async throws(RunPodError) in try await client.status(id: id) }
        XCTAssertEqual(twice?.kind, .transient)
        XCTAssertEqual(fake.requestCount(.status), 1 + 2 + 2, "at most 2 attempts")
    }

    func testConnectionResetIsTransient() async throws {
        let id = fake.addJob(script: .staying(.inQueue))
        fake.injectOnStatus(of: id, .reset, times: 2)
        let error = await runPodError { () async throws(RunPodError) in try await client.status(id: id) }
        XCTAssertEqual(error?.kind, .transient, error?.description ?? "")
        XCTAssertNil(error?.httpStatus)
        XCTAssertEqual(fake.statusPolls(of: id).count, 2)
        fake.injectOnStatus(of: id, .hangUp)
        let recovered = try await client.status(id: id).status
        XCTAssertEqual(recovered, .inQueue, "one lost connection is retried")
    }

    func testSlowAnswerTimesOutAsTransient() async throws {
        let id = fake.addJob(script: .staying(.inQueue))
        client.timeouts = HTTPTimeouts(connect: 2, idle: nil, total: 0.3)
        fake.injectOnStatus(of: id, .slow(1))
        let started = ContinuousClock.now
        let error = await runPodError { () async throws(RunPodError) in try await client.status(id: id) }
        XCTAssertEqual(error?.kind, .transient, error?.description ?? "")
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(900))
        client.timeouts = HTTPTimeouts(connect: 2, idle: nil, total: 3)
        fake.injectOnStatus(of: id, .slow(0.1))
        let patient = try await client.status(id: id).status
        XCTAssertEqual(patient, .inQueue, "a slow answer within the timeout is fine")
    }

    func testNetworkFailureIsTransient() async throws {
        let port = try { () throws -> Int in
            let server = try HTTPTestServer()
            defer { server.stop() }
            return server.port
        }()
        let nowhere = makeClient(key: fake.apiKey, url: "http://127.0.0.1:\(port)/v2/x")
        let error = await runPodError { () async throws(RunPodError) in try await nowhere.health() }
        XCTAssertEqual(error?.kind, .transient)
        XCTAssertTrue(error?.description.contains("network error") ?? false, error?.description ?? "")
    }

    func testWrongEndpointIsNotFound() async throws {
        let other = makeClient(key: fake.apiKey, url: "\(fake.server.baseURL)/v2/no-such-endpoint")
        let error = await runPodError { () async throws(RunPodError) in try await other.submit(prompt: "p", settings: JobSettings()) }
        XCTAssertEqual(error?.kind, .notFound)
        XCTAssertTrue(error?.description.contains("endpoint URL") ?? false)
    }

    func testUnexpectedAnswersAreBadResponses() async throws {
        fake.server.route("GET", "/v2/fake-endpoint/status/html", response: .text("<html>oops</html>", contentType: "text/html"))
        fake.server.route("GET", "/v2/fake-endpoint/status/odd", response: .json(#"{"id":"odd","status":"PAUSED"}"#))
        fake.server.route("POST", "/v2/fake-endpoint/run", response: .json(#"{"status":"IN_QUEUE"}"#))
        for id in ["html", "odd"] {
            let error = await runPodError { () async throws(RunPodError) in try await client.status(id: id) }
            XCTAssertEqual(error?.kind, .badResponse)
            XCTAssertFalse(error?.isTransient ?? true)
        }
        let noID = await runPodError { () async throws(RunPodError) in try await submitOne() }
        XCTAssertEqual(noID?.kind, .badResponse)
        XCTAssertTrue(noID?.description.contains("no job id") ?? false)
    }

    func testCancelledByTheCaller() async throws {
        let id = fake.addJob(script: .staying(.inQueue))
        let cancellation = HTTPCancellation()
        cancellation.cancel()
        let error = await runPodError { () async throws(RunPodError) in try await client.status(id: id, cancellation: cancellation) }
        XCTAssertEqual(error?.kind, .cancelled)
    }

    // MARK: /cancel, /retry, /health

    func testCancelRoundTrip() async throws {
        let id = fake.addJob(script: .staying(.inQueue))
        let cancelled = try await client.cancel(id: id)
        XCTAssertEqual(cancelled, .cancelled)
        let afterwards = try await client.status(id: id).status
        XCTAssertEqual(afterwards, .cancelled)
        XCTAssertEqual(fake.cancels(of: id), 1)
        let done = fake.addJob(script: .staying(.completed(text: "kept")))
        let afterCancel = try await client.cancel(id: done)
        XCTAssertEqual(afterCancel, .completed, "a finished job stays finished")
        let error = await runPodError { () async throws(RunPodError) in try await client.cancel(id: "unknown") }
        XCTAssertEqual(error?.kind, .lost)
    }

    func testRetryRoundTrip() async throws {
        let id = fake.addJob(script: .staying(.failed(error: "flaky GPU")))
        fake.onRetry(of: id, use: .completing(text: "second time lucky", queuedPolls: 1, runningPolls: 0))
        let failure = try await client.status(id: id).error
        XCTAssertEqual(failure, "flaky GPU")
        let retried = try await client.retry(id: id)
        XCTAssertEqual(retried, .inQueue)
        let requeued = try await client.status(id: id).status
        XCTAssertEqual(requeued, .inQueue)
        let done = try await client.status(id: id)
        XCTAssertEqual(done.status, .completed)
        XCTAssertEqual(done.output, "second time lucky")
        XCTAssertEqual(fake.retries(of: id), 1)

        let running = fake.addJob(script: .staying(.inProgress))
        let refused = await runPodError { () async throws(RunPodError) in try await client.retry(id: running) }
        XCTAssertEqual(refused?.kind, .badRequest)
        XCTAssertEqual(refused?.httpStatus, 400)
        XCTAssertTrue(refused?.description.contains("only FAILED or TIMED_OUT") ?? false, refused?.description ?? "")
    }

    func testHealthRoundTrip() async throws {
        fake.workers = 4
        fake.addJob(script: .staying(.inQueue))
        fake.addJob(script: .staying(.inQueue))
        fake.addJob(script: .staying(.running))
        fake.addJob(script: .staying(.completed(text: "x")))
        let failed = fake.addJob(script: .staying(.timedOut))
        fake.onRetry(of: failed, use: .staying(.failed(error: "again")))
        try await client.retry(id: failed)
        let health = try await client.health()
        XCTAssertEqual(health.jobs.inQueue, 2)
        XCTAssertEqual(health.jobs.inProgress, 1)
        XCTAssertEqual(health.jobs.completed, 1)
        XCTAssertEqual(health.jobs.failed, 1)
        XCTAssertEqual(health.jobs.retried, 1)
        XCTAssertEqual(health.workers.running, 1)
        XCTAssertEqual(health.workers.idle, 3)
        XCTAssertEqual(fake.requestCount(.health), 1)
    }

    /// Found by the fuzz suite (target runpod): a count of 1e4001 (infinity once parsed) or 1e300 trapped in Int(_:)
    /// and took the TUI's health poll down with it. (1e4001 is now refused by the JSON parser itself.)
    func testHealthCountsThatAreNotCountsAreBadResponses() async throws {
        fake.server.route("GET", "/v2/fake-endpoint/health", response: .json(#"{"jobs":{"completed":6,"failed":1e4001}}"#))
        let beyondDouble = await runPodError { () async throws(RunPodError) in try await client.health() }
        XCTAssertEqual(beyondDouble?.kind, .badResponse, beyondDouble?.description ?? "no error for 1e4001")
        for (body, field) in [(#"{"jobs":{"completed":6,"failed":1e19}}"#, "jobs.failed"),
                              (#"{"workers":{"idle":1e300}}"#, "workers.idle"),
                              (#"{"jobs":{"inQueue":-1}}"#, "jobs.inQueue"),
                              (#"{"jobs":{"retried":2.5}}"#, "jobs.retried")] {
            fake.server.route("GET", "/v2/fake-endpoint/health", response: .json(body))
            let error = await runPodError { () async throws(RunPodError) in try await client.health() }
            XCTAssertEqual(error?.kind, .badResponse, body)
            XCTAssertTrue(error?.description.contains("'\(field)' is not a count") ?? false, error?.description ?? "no error for \(body)")
        }
        fake.server.route("GET", "/v2/fake-endpoint/health", response: .json(#"{"jobs":{"completed":3,"failed":null},"workers":{}}"#))
        let health = try await client.health()
        XCTAssertEqual(health.jobs.completed, 3)
        XCTAssertEqual(health.jobs.failed, 0)
    }

    // MARK: the fake at scale

    /// 500 live jobs, driven like the poller does: submitted, then polled round by round, 32 requests in flight.
    func testFiveHundredConcurrentJobs() async throws {
        fake.scriptForPrompt { prompt in
            let n = Int(prompt.dropFirst("job ".count)) ?? 0
            return .completing(text: "summary \(n)", queuedPolls: n % 3, runningPolls: 1)
        }
        let client = self.client!
        let started = ContinuousClock.now
        let ids = try await concurrently(Array(0..<500), width: 32) { n in
            try await client.submit(prompt: "job \(n)", settings: JobSettings()).id
        }
        var outputs: [Int: String] = [:]
        var pending = Array(0..<500)
        while !pending.isEmpty {
            let states = try await concurrently(pending, width: 32) { n in try await client.status(id: ids[n]!) }
            for (n, state) in states where state.status.isFinished { outputs[n] = state.output ?? "" }
            pending.removeAll { outputs[$0] != nil }
        }
        XCTAssertTrue((0..<500).allSatisfy { outputs[$0] == "summary \($0)" })
        XCTAssertEqual(fake.requestCount(.run), 500)
        XCTAssertEqual(fake.requestCount(.status), (0..<500).reduce(0) { $0 + $1 % 3 + 2 })
        let health = try await client.health()
        XCTAssertEqual(health.jobs.completed, 500)
        print("500 jobs submitted and polled to completion in \(ContinuousClock.now - started)")
    }

    /// `body` over `items`, at most `width` at a time.
    private func concurrently<T: Sendable>(_ items: [Int], width: Int,
                                           _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [Int: T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results: [Int: T] = [:]
            var next = 0
            func start() {
                guard next < items.count else { return }
                let item = items[next]
                next += 1
                group.addTask { (item, try await body(item)) }
            }
            for _ in 0..<width { start() }
            while let (item, result) = try await group.next() {
                results[item] = result
                start()
            }
            return results
        }
    }
}
