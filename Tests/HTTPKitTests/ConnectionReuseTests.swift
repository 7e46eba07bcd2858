import HTTPKit
import HTTPTestServer
import XCTest

/// One client's requests reuse open connections, except a request that must not run twice: curl resends a
/// request whose reused connection turns out dead, so those always get a fresh one.
final class ConnectionReuseTests: XCTestCase {
    func testRequestsReuseConnectionsButUnrepeatableOnesDoNot() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/status", response: .json(#"{"ok":true}"#))
        server.route("POST", "/run", response: .json(#"{"id":"x"}"#))
        let shared = HTTPClient()
        for _ in 0..<10 { _ = try await shared.send(HTTPRequest(url: server.baseURL + "/status")) }
        let accepted = { server.events.filter { $0.kind == .accepted }.count }
        XCTAssertEqual(accepted(), 1, "ten sequential GETs share one connection")
        for _ in 0..<3 {
            var run = HTTPRequest.json(url: server.baseURL + "/run", body: "{}")
            run.isSafeToRepeat = false
            _ = try await shared.send(run)
        }
        XCTAssertEqual(accepted(), 4, "each unrepeatable POST opens its own connection")
    }
}
