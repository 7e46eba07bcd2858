import HTTPKit
import HTTPTestServer
import XCTest

/// Retries over real sockets: which failures, how often, how long apart.
final class RetryTests: XCTestCase {
    func testTooManyRequestsWithRetryAfterIsRetriedAfterTheDelay() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/v1/chat/completions", responses: [
            .json(#"{"error":"rate limited"}"#, status: 429, headers: [("Retry-After", "1")]),
            .json(#"{"ok":true}"#),
        ])
        var request = HTTPRequest.json(url: server.baseURL + "/v1/chat/completions", body: "{}")
        request.isSafeToRepeat = true
        request.retryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: 0.01)
        let started = ContinuousClock.now
        let response = try await client.send(request)
        XCTAssertEqual(response.text, #"{"ok":true}"#)
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(990))
        let requests = server.requests
        XCTAssertEqual(requests.count, 2)
        XCTAssertGreaterThanOrEqual(requests[1].receivedAt - requests[0].receivedAt, .milliseconds(990),
                                    "Retry-After: 1 honoured, not the 10 ms backoff")
        XCTAssertEqual(requests[1].text, "{}", "the same body sent again")
    }

    func testServiceUnavailableIsRetriedThenGivesUp() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/v2/status", response: .text("overloaded", status: 503))
        let error = await failure {
            try await client.send(HTTPRequest(url: server.baseURL + "/v2/status", retryPolicy: quickRetries))
        }
        XCTAssertEqual(error?.kind, .status(503))
        XCTAssertEqual(error?.attempts, 3)
        XCTAssertEqual(server.requests.count, 3)
        XCTAssertEqual(error?.description, "HTTP 503 Service Unavailable from 127.0.0.1:\(server.port) after 3 attempts: overloaded")
    }

    func testGatewayErrorsAreRetried() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/x", responses: [.text("", status: 502), .text("", status: 504), .text("fine")])
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/x", retryPolicy: quickRetries))
        XCTAssertEqual(response.text, "fine")
        XCTAssertEqual(server.requests.count, 3)
    }

    func testPostIsNotRetriedUnlessMarkedSafe() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/run", responses: [.text("busy", status: 503), .text("busy", status: 503), .text("queued")])
        var request = HTTPRequest(method: .post, url: server.baseURL + "/run", body: Array("{}".utf8), retryPolicy: quickRetries)
        let error = await failure { try await client.send(request) }
        XCTAssertEqual(error?.kind, .status(503))
        XCTAssertEqual(error?.attempts, 1)
        XCTAssertEqual(server.requests.count, 1)

        request.isSafeToRepeat = true
        let response = try await client.send(request)
        XCTAssertEqual(response.text, "queued")
        XCTAssertEqual(server.requests.count, 3)
    }

    func testConnectionErrorsAreRetriedForSafeRequests() async throws {
        let port = try closedPort()
        let error = await failure {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/", retryPolicy: quickRetries))
        }
        XCTAssertEqual(error?.kind, .connect)
        XCTAssertEqual(error?.attempts, 3)
        XCTAssertEqual(error?.description, "connect failed to 127.0.0.1:\(port) (Connection refused) after 3 attempts")
    }

    func testDisconnectBeforeAnyResponseIsRetried() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/flaky", responses: [TestResponse(steps: [.close], sendsHead: false), .text("second time")])
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/flaky", retryPolicy: quickRetries))
        XCTAssertEqual(response.text, "second time")
        XCTAssertEqual(server.requests.count, 2)
    }

    func testRetryAfterBeyondTheLimitIsNotWaitedFor() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/x", response: .text("later", status: 429, headers: [("Retry-After", "3600")]))
        let started = ContinuousClock.now
        let error = await failure {
            try await client.send(HTTPRequest(url: server.baseURL + "/x",
                                              retryPolicy: RetryPolicy(maxAttempts: 3, maxRetryAfter: 60)))
        }
        XCTAssertEqual(error?.kind, .status(429))
        XCTAssertEqual(error?.retryAfter, 3600)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
    }

    func testCancellingDuringTheBackoffStopsAtOnce() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/x", response: .text("wait", status: 503, headers: [("Retry-After", "5")]))
        let cancellation = HTTPCancellation()
        let request = HTTPRequest(url: server.baseURL + "/x")
        let task = Task { await failure { try await client.send(request, cancellation: cancellation) } }
        XCTAssertNotNil(server.waitForEvent(timeout: 5) { $0.kind == .request("GET /x") })
        try await Task.sleep(for: .milliseconds(50))
        let cancelledAt = ContinuousClock.now
        cancellation.cancel()
        let error = await task.value
        XCTAssertEqual(error?.kind, .cancelled)
        XCTAssertLessThan(ContinuousClock.now - cancelledAt, .milliseconds(200))
        XCTAssertEqual(server.requests.count, 1)
    }
}
