import HTTPKit
import HTTPTestServer
import XCTest

/// The error a call throws, or nil when it succeeds. (Closures infer untyped throws, so the
/// `HTTPError` is recovered by a cast; anything else fails the test.)
func failure<T>(_ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async -> HTTPError? {
    do {
        _ = try await body()
        return nil
    } catch let error as HTTPError {
        return error
    } catch {
        XCTFail("not an HTTPError: \(error)", file: file, line: line)
        return nil
    }
}

/// Starts a request the server never answers, in the task `start` makes, cancels that task once the request has
/// arrived, and checks the send fails as cancelled within 200 ms.
func assertCancellingTheTaskStopsASend(_ start: @escaping @Sendable (HTTPRequest) -> Task<HTTPError?, Never>,
                                       file: StaticString = #filePath, line: UInt = #line) async throws {
    let server = try HTTPTestServer()
    defer { server.stop() }
    server.route("GET", "/wait", response: .silent)
    let task = start(HTTPRequest(url: server.baseURL + "/wait"))
    XCTAssertNotNil(server.waitForEvent(timeout: 5) { $0.kind == .request("GET /wait") }, file: file, line: line)
    let cancelledAt = ContinuousClock.now
    task.cancel()
    let error = await task.value
    XCTAssertEqual(error?.kind, .cancelled, file: file, line: line)
    XCTAssertLessThan(ContinuousClock.now - cancelledAt, .milliseconds(200), file: file, line: line)
}

/// Consumes a stream, recording its events and how it ended.
func drain(_ stream: HTTPStream) async -> (events: [HTTPStreamEvent], error: HTTPError?) {
    var events: [HTTPStreamEvent] = []
    do {
        for try await event in stream { events.append(event) }
        return (events, nil)
    } catch {
        return (events, error)
    }
}

func bodyBytes(_ events: [HTTPStreamEvent]) -> [UInt8] {
    events.flatMap { event -> [UInt8] in
        if case .bytes(let chunk) = event { return chunk }
        return []
    }
}

/// A port with nothing listening on it (a server that was started and stopped).
func closedPort() throws -> Int {
    let server = try HTTPTestServer()
    let port = server.port
    server.stop()
    return port
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

/// Direct connections only, whatever proxy the machine's environment names: these tests talk to loopback.
let client = HTTPClient(proxy: .none)

/// Fast retries for tests.
let quickRetries = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05)
