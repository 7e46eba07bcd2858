import HTTPKit
import HTTPTestServer
import XCTest

/// Streamed responses over real sockets: chunks reach the consumer as they arrive.
final class StreamingTests: XCTestCase {
    func testConsumerSeesTheFirstEventBeforeTheRestIsSent() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        let gate = TestGate()
        server.route("POST", "/v1/chat/completions", response: TestResponse(
            headers: [("Content-Type", "text/event-stream")], framing: .chunked,
            steps: [.send(Array("data: {\"t\":\"Hel\"}\n\n".utf8)), .wait(gate),
                    .send(Array("data: {\"t\":\"lo\"}\n\nda".utf8)), .pause(0.05),
                    .send(Array("ta: [DONE]\n\n".utf8))]))
        let stream = client.stream(.json(url: server.baseURL + "/v1/chat/completions", body: #"{"stream":true}"#))
        var data: [String] = []
        for try await event in stream.serverSentEvents() {
            data.append(event.data)
            if data.count == 1 {
                // The server logs a send just after its write returns, which may be after we got it.
                let isSend: (HTTPTestServer.Event) -> Bool = { if case .sent = $0.kind { true } else { false } }
                XCTAssertNotNil(server.waitForEvent(timeout: 2, isSend))
                XCTAssertEqual(server.events.filter(isSend).count, 1, "the rest is held back until the gate opens")
                gate.open()
            }
        }
        XCTAssertEqual(data, [#"{"t":"Hel"}"#, #"{"t":"lo"}"#, "[DONE]"])
    }

    func testHeadComesFirstWithStatusAndHeaders() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/events", response: .eventStream([(0, "data: a\n\n"), (0.02, "data: b\n\n")]))
        let (events, error) = await drain(client.stream(HTTPRequest(url: server.baseURL + "/events")))
        XCTAssertNil(error)
        guard case .head(let head)? = events.first else { return XCTFail("no head first: \(events)") }
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-type"], "text/event-stream")
        XCTAssertEqual(String(decoding: bodyBytes(events), as: UTF8.self), "data: a\n\ndata: b\n\n")
    }

    func testMidStreamDisconnectIsAClearError() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/events", response: .eventStream([(0, "data: one\n\n"), (0.02, "data: tw")], then: .close))
        var received: [String] = []
        var thrown: HTTPError?
        do {
            for try await event in client.stream(HTTPRequest(url: server.baseURL + "/events")).serverSentEvents() {
                received.append(event.data)
            }
        } catch {
            thrown = error
        }
        XCTAssertEqual(received, ["one"], "the partial event is not delivered")
        XCTAssertEqual(thrown?.kind, .connectionLost)
        XCTAssertEqual(thrown?.attempts, 1, "a stream that reached its consumer is never retried")
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertTrue(thrown?.description.hasPrefix("connection to 127.0.0.1:\(server.port) lost before the response was complete")
                      == true, thrown?.description ?? "")
    }

    func testStallPastTheIdleTimeout() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/events", response: .eventStream([(0, "data: one\n\n")], then: .stall))
        let started = ContinuousClock.now
        let (events, error) = await drain(client.stream(HTTPRequest(url: server.baseURL + "/events",
                                                                    timeouts: HTTPTimeouts(connect: 5, idle: 0.25))))
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(String(decoding: bodyBytes(events), as: UTF8.self), "data: one\n\n")
        XCTAssertEqual(error?.kind, .timeout(.idle))
        XCTAssertEqual(error?.description, "timed out: no data from 127.0.0.1:\(server.port) within the idle timeout (0.25 s)")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(240))
        XCTAssertLessThan(elapsed, .milliseconds(700))
        XCTAssertNotNil(server.waitForEvent(timeout: 2) { $0.kind == .clientClosed }, "the connection is freed")
    }

    func testCancellingTheConsumingTaskMidStreamReturnsWithin200ms() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/v1/chat/completions", response: .eventStream([(0, "data: first\n\n")], then: .stall))
        let request = HTTPRequest.json(url: server.baseURL + "/v1/chat/completions", body: "{}")
        let gotFirst = expectation(description: "first event")
        let task = Task { () -> (Int, HTTPError?) in
            var count = 0
            do throws(HTTPError) {
                for try await _ in client.stream(request).serverSentEvents() {
                    count += 1
                    if count == 1 { gotFirst.fulfill() }
                }
            } catch {
                return (count, error)
            }
            return (count, nil)
        }
        await fulfillment(of: [gotFirst], timeout: 5)
        let cancelledAt = ContinuousClock.now
        task.cancel()
        let (count, error) = await task.value
        let returnedAfter = ContinuousClock.now - cancelledAt
        XCTAssertEqual(count, 1)
        XCTAssertEqual(error?.kind, .cancelled)
        XCTAssertLessThan(returnedAfter, .milliseconds(200))
        let closed = try XCTUnwrap(server.waitForEvent(timeout: 2) { $0.kind == .clientClosed })
        XCTAssertLessThan(closed.at - cancelledAt, .milliseconds(200), "the connection is freed at once")
        print("[HTTPKit] cancel mid-stream: consumer returned after \(String(format: "%.2f", returnedAfter.milliseconds)) ms, "
              + "server saw the close after \(String(format: "%.2f", (closed.at - cancelledAt).milliseconds)) ms")
    }

    func testCancelHandleMidStreamThrowsCancelled() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/events", response: .eventStream([(0, "data: first\n\n")], then: .stall))
        let cancellation = HTTPCancellation()
        let stream = client.stream(HTTPRequest(url: server.baseURL + "/events"), cancellation: cancellation)
        var cancelledAt: ContinuousClock.Instant?
        var thrown: HTTPError?
        do {
            for try await event in stream where cancelledAt == nil {
                if case .bytes = event {
                    cancelledAt = .now
                    cancellation.cancel()  // as Esc would, from anywhere
                }
            }
        } catch {
            thrown = error
        }
        XCTAssertEqual(thrown?.kind, .cancelled)
        XCTAssertEqual(thrown?.description, "request to 127.0.0.1:\(server.port) cancelled")
        let elapsed = ContinuousClock.now - cancelledAt!
        XCTAssertLessThan(elapsed, .milliseconds(200))
    }

    func testNon2xxStreamThrowsTheStatusWithTheBody() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/v1/chat/completions",
                     response: .json(#"{"error":{"message":"model not found"}}"#, status: 404))
        let (events, error) = await drain(client.stream(.json(url: server.baseURL + "/v1/chat/completions", body: "{}")))
        XCTAssertEqual(events.count, 0, "nothing is streamed for an error status")
        XCTAssertEqual(error?.kind, .status(404))
        XCTAssertEqual(error?.body, #"{"error":{"message":"model not found"}}"#)
    }

    func testStreamRetriesBeforeTheHead() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("POST", "/v1/chat/completions", responses: [
            .text("busy", status: 503), .eventStream([(0, "data: ok\n\n")]),
        ])
        var request = HTTPRequest.json(url: server.baseURL + "/v1/chat/completions", body: "{}")
        request.isSafeToRepeat = true
        request.retryPolicy = quickRetries
        var data: [String] = []
        for try await event in client.stream(request).serverSentEvents() { data.append(event.data) }
        XCTAssertEqual(data, ["ok"])
        XCTAssertEqual(server.requests.count, 2)
    }

    /// The time from the server's write of a chunk to the consumer holding it, over many chunks that each
    /// follow a pause (as tokens do). Run in release for the figure that matters:
    /// `swift build -c release` then the test binary, or `swift test -c release --filter StreamingTests`.
    func testFirstByteLatencyFromSocketToConsumer() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        let count = 60
        var steps: [TestResponse.Step] = [.pause(0.05)]
        for index in 0..<count { steps += [.send(Array("data: {\"token\":\(index)}\n\n".utf8)), .pause(0.008)] }
        server.route("POST", "/v1/chat/completions", response: TestResponse(
            headers: [("Content-Type", "text/event-stream")], framing: .chunked, steps: steps))
        var arrivals: [ContinuousClock.Instant] = []
        var tokens = 0
        let stream = client.stream(.json(url: server.baseURL + "/v1/chat/completions", body: "{}"))
        for try await event in stream.serverSentEvents() {
            arrivals.append(.now)
            XCTAssertEqual(event.data, "{\"token\":\(tokens)}")
            tokens += 1
        }
        let sent = server.events.compactMap { event -> ContinuousClock.Instant? in
            if case .sent = event.kind { return event.at }
            return nil
        }
        XCTAssertEqual(arrivals.count, count)
        XCTAssertEqual(sent.count, count)
        let latencies = zip(sent, arrivals).map { ($1 - $0).milliseconds }.sorted()
        let median = latencies[latencies.count / 2]
        let p95 = latencies[latencies.count * 95 / 100]
        let first = (arrivals[0] - sent[0]).milliseconds
        print("[HTTPKit] socket-to-consumer latency over \(count) chunks: first \(String(format: "%.3f", first)) ms, "
              + "median \(String(format: "%.3f", median)) ms, p95 \(String(format: "%.3f", p95)) ms, "
              + "max \(String(format: "%.3f", latencies.last!)) ms")
        // The median, not every sample: on a loaded 2-core machine the scheduler alone can add milliseconds.
        XCTAssertLessThan(median, 5)
    }
}
