import HTTPKit
import HTTPTestServer
import TestHarness
import XCTest

/// Requests over real loopback sockets to `HTTPTestServer`.
final class HTTPClientTests: XCTestCase {
    func testJSONPostRoundTripWithCapturedRequest() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/v1/chat/completions") { request in
            .json(#"{"echo":\#(request.text),"n":1}"#, headers: [("X-Request-Id", "abc")])
        }
        var request = HTTPRequest.json(url: server.baseURL + "/v1/chat/completions?stream=false",
                                       body: #"{"model":"m","messages":[{"role":"user","content":"héllo"}]}"#)
        request.setBearerToken("sk-test-0123456789")
        let response = try await client.send(request)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-type"], "application/json")
        XCTAssertEqual(response.headers["x-request-id"], "abc")
        XCTAssertEqual(response.text, #"{"echo":{"model":"m","messages":[{"role":"user","content":"héllo"}]},"n":1}"#)

        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(received.method, "POST")
        XCTAssertEqual(received.path, "/v1/chat/completions")
        XCTAssertEqual(received.target, "/v1/chat/completions?stream=false")
        XCTAssertEqual(received.header("Content-Type"), "application/json")
        XCTAssertEqual(received.header("Accept"), "application/json")
        XCTAssertEqual(received.header("Authorization"), "Bearer sk-test-0123456789", "the secret is sent on the wire")
        XCTAssertEqual(received.header("User-Agent"), "ytce/\(ytceVersion)")
        XCTAssertNil(received.header("Expect"), "no 100-continue round trip")
        XCTAssertEqual(received.text, #"{"model":"m","messages":[{"role":"user","content":"héllo"}]}"#)
    }

    func testMethodsAndEmptyBodies() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        for method in ["GET", "PUT", "DELETE", "PATCH", "POST"] {
            server.route(method, "/thing") { request in .text("\(request.method) \(request.body.count)") }
        }
        server.route("HEAD", "/thing", response: .text("ignored"))
        for method: HTTPMethod in [.get, .put, .delete, .patch, .post] {
            let response = try await client.send(HTTPRequest(method: method, url: server.baseURL + "/thing"))
            XCTAssertEqual(response.text, "\(method) 0")
        }
        let put = try await client.send(HTTPRequest(method: .put, url: server.baseURL + "/thing", body: [1, 2, 3]))
        XCTAssertEqual(put.text, "PUT 3")
        let head = try await client.send(HTTPRequest(method: .head, url: server.baseURL + "/thing"))
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.body, [])
        XCTAssertEqual(head.headers["Content-Length"], "7")
    }

    func testMalformedJSONIsReturnedAsIs() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        let broken = #"{"choices": [{"message": {"content": "half"#
        server.route("POST", "/v1/chat", response: .json(broken))
        let response = try await client.send(.json(url: server.baseURL + "/v1/chat", body: "{}"))
        XCTAssertEqual(response.text, broken)
    }

    func testFiveMegabyteResponseArrivesIntact() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        var generator = SplitMix64(seed: 42)
        let payload = (0..<5 * 1024 * 1024).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        server.route("GET", "/big", response: .body(payload, headers: [("Content-Type", "application/octet-stream")]))
        let started = ContinuousClock.now
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/big"))
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(response.body.count, payload.count)
        XCTAssertTrue(response.body == payload)
        print("[HTTPKit] 5 MB response in \(Int(elapsed.milliseconds)) ms")

        // The same body streamed, chunk by chunk.
        let (events, error) = await drain(client.stream(HTTPRequest(url: server.baseURL + "/big")))
        XCTAssertNil(error)
        XCTAssertTrue(bodyBytes(events) == payload)
        XCTAssertGreaterThan(events.count, 10, "delivered in many chunks, not one buffer")
    }

    func testUnauthorizedIsNotRetriedAndNamesTheStatus() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/v1/models", response: .json(#"{"error":{"message":"Invalid API key"}}"#, status: 401))
        let error = await failure { try await client.send(HTTPRequest(url: server.baseURL + "/v1/models")) }
        XCTAssertEqual(error?.kind, .status(401))
        XCTAssertEqual(error?.status, 401)
        XCTAssertEqual(error?.attempts, 1)
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(error?.description,
                       #"HTTP 401 Unauthorized from 127.0.0.1:\#(server.port): {"error":{"message":"Invalid API key"}}"#)
    }

    func testServerErrorIsNotRetried() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/status", response: .text("boom\nwith a stack trace\n", status: 500))
        let error = await failure { try await client.send(HTTPRequest(url: server.baseURL + "/status")) }
        XCTAssertEqual(error?.kind, .status(500))
        XCTAssertEqual(server.requests.count, 1)
        let description = try XCTUnwrap(error?.description)
        XCTAssertFalse(description.contains("\n"), "one line: \(description)")
        XCTAssertTrue(description.hasSuffix("boom with a stack trace"), description)
    }

    func testConnectRefusedNamesHostAndPort() async throws {
        let port = try closedPort()
        let error = await failure {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/x", retryPolicy: .none))
        }
        XCTAssertEqual(error?.kind, .connect)
        XCTAssertEqual(error?.endpoint, "127.0.0.1:\(port)")
        XCTAssertEqual(error?.description, "connect failed to 127.0.0.1:\(port) (Connection refused)")
    }

    func testInvalidRequests() async {
        let bad = await failure { try await client.send(HTTPRequest(url: "ftp://example.com/file")) }
        XCTAssertEqual(bad?.kind, .invalidRequest)
        let malformed = await failure { try await client.send(HTTPRequest(url: "not a url")) }
        XCTAssertEqual(malformed?.kind, .invalidRequest)
        let injected = await failure {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:9/", headers: ["X-A": "1\r\nX-Evil: 2"]))
        }
        XCTAssertEqual(injected?.kind, .invalidRequest)
        XCTAssertEqual(injected?.description, "invalid HTTP request (header 'X-A' has an invalid name or value)")
    }

    func testUnknownHostFailsToResolve() async {
        let error = await failure {
            try await client.send(HTTPRequest(url: "http://no-such-host.invalid/", timeouts: HTTPTimeouts(connect: 3),
                                              retryPolicy: .none))
        }
        XCTAssertEqual(error?.kind, .resolve)
        XCTAssertTrue(error?.description.hasPrefix("could not resolve host no-such-host.invalid:80") == true,
                      error?.description ?? "")
    }

    func testIdleTimeoutOnASilentServer() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/slow", response: .silent)
        let started = ContinuousClock.now
        let error = await failure {
            try await client.send(HTTPRequest(method: .post, url: server.baseURL + "/slow",
                                              timeouts: HTTPTimeouts(connect: 5, idle: 0.3)))
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(error?.kind, .timeout(.idle))
        XCTAssertEqual(error?.description,
                       "timed out: no data from 127.0.0.1:\(server.port) within the idle timeout (0.3 s)")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(290))
        XCTAssertLessThan(elapsed, .milliseconds(800))
    }

    func testTotalTimeoutWhileDataKeepsFlowing() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        let trickle = TestResponse(framing: .chunked,
                                   steps: Array(repeating: [.send(Array("x".utf8)), .pause(0.05)], count: 100).flatMap { $0 })
        server.route("GET", "/trickle", response: trickle)
        let started = ContinuousClock.now
        let error = await failure {
            try await client.send(HTTPRequest(url: server.baseURL + "/trickle",
                                              timeouts: HTTPTimeouts(idle: 0.2, total: 0.4)))
        }
        XCTAssertEqual(error?.kind, .timeout(.total))
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(900))
    }

    func testMidBodyDisconnectWithContentLength() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/cut", response: TestResponse(framing: .contentLength(1000),
                                                           steps: [.send(Array(repeating: 65, count: 100)), .close]))
        let error = await failure {
            try await client.send(HTTPRequest(url: server.baseURL + "/cut", retryPolicy: .none))
        }
        XCTAssertEqual(error?.kind, .connectionLost)
        XCTAssertTrue(error?.description.contains("100 bytes of the response received") == true, error?.description ?? "")
        XCTAssertTrue(error?.description.hasPrefix("connection to 127.0.0.1:\(server.port) lost") == true)
    }

    func testCancellationHandleStopsASendAtOnce() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/wait", response: .silent)
        let cancellation = HTTPCancellation()
        let request = HTTPRequest(url: server.baseURL + "/wait")
        let task = Task { await failure { try await client.send(request, cancellation: cancellation) } }
        XCTAssertNotNil(server.waitForEvent(timeout: 5) { $0.kind == .request("GET /wait") })
        let cancelledAt = ContinuousClock.now
        cancellation.cancel()
        let error = await task.value
        XCTAssertEqual(error?.kind, .cancelled)
        XCTAssertLessThan(ContinuousClock.now - cancelledAt, .milliseconds(200))
        let closed = server.waitForEvent(timeout: 2) { $0.kind == .clientClosed }
        XCTAssertNotNil(closed, "the connection is closed")
        if let closed { XCTAssertLessThan(closed.at - cancelledAt, .milliseconds(200)) }

        // The handle stays cancelled: a new request under it fails before it starts.
        let again = await failure { try await client.send(request, cancellation: cancellation) }
        XCTAssertEqual(again?.kind, .cancelled)
        XCTAssertEqual(server.requests.count, 1)
    }

    func testTaskCancellationStopsASend() async throws {
        let client = client
        try await assertCancellingTheTaskStopsASend { request in Task { await failure { try await client.send(request) } } }
    }

    func testProxyEnvironmentIsHonoured() async throws {
        // The test server plays the proxy: curl sends it the absolute URL.
        let proxy = try HTTPTestServer()
        defer { proxy.stop() }
        proxy.route("GET", "http://ytce-proxy-test.invalid/ping", response: .text("via proxy"))
        setenv("http_proxy", proxy.baseURL, 1)
        defer { unsetenv("http_proxy") }
        let response = try await HTTPClient().send(HTTPRequest(url: "http://ytce-proxy-test.invalid/ping"))
        XCTAssertEqual(response.text, "via proxy")
        XCTAssertEqual(proxy.requests.first?.target, "http://ytce-proxy-test.invalid/ping")

        // no_proxy exempts a host; `.none` ignores the environment.
        let direct = try HTTPTestServer()
        defer { direct.stop() }
        direct.route("GET", "/ping", response: .text("direct"))
        setenv("no_proxy", "127.0.0.1", 1)
        defer { unsetenv("no_proxy") }
        let exempt = try await HTTPClient().send(HTTPRequest(url: direct.baseURL + "/ping"))
        XCTAssertEqual(exempt.text, "direct")
        unsetenv("no_proxy")
        let forced = try await HTTPClient(proxy: .none).send(HTTPRequest(url: direct.baseURL + "/ping"))
        XCTAssertEqual(forced.text, "direct")
        XCTAssertEqual(proxy.requests.count, 1)
    }
}
