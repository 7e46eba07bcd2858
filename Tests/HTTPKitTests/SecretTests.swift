import Foundation
import HTTPKit
import HTTPTestServer
import XCTest

/// An API key marked secret goes on the wire and nowhere else: not in errors (however printed), not in
/// descriptions or dumps of the request, not in echoed response bodies.
final class SecretTests: XCTestCase {
    let key = "sk-live-SECRET0123456789abcdef"
    let queryKey = "AIzaQUERYKEY987654321"

    private func everyRendering(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        var texts = ["\(value)", String(reflecting: value), dumped]
        if let error = value as? Error { texts.append(error.localizedDescription) }
        return texts
    }

    private func assertClean(_ value: Any?, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let value else { return XCTFail("nothing to check: \(context)", file: file, line: line) }
        for text in everyRendering(value) {
            XCTAssertFalse(text.contains(key), "\(context): \(text)", file: file, line: line)
            XCTAssertFalse(text.contains("SECRET0123456789"), "\(context): \(text)", file: file, line: line)
            XCTAssertFalse(text.contains(queryKey), "\(context): \(text)", file: file, line: line)
        }
    }

    private func request(_ url: String, method: HTTPMethod = .post) -> HTTPRequest {
        var request = HTTPRequest(method: method, url: url, body: Array("{}".utf8),
                                  timeouts: HTTPTimeouts(connect: 5, idle: 0.2), retryPolicy: quickRetries,
                                  isSafeToRepeat: true, secrets: [queryKey])
        request.setBearerToken(key)
        request.headers.add("X-Api-Key", key, secret: true)
        return request
    }

    func testNoKeyInAnyError() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        // Servers that echo what they got, as some error pages do.
        let echo: HTTPTestServer.Handler = { request in
            .text("rejected \(request.header("Authorization") ?? "") / \(request.header("X-Api-Key") ?? "") for \(request.target)",
                  status: 401)
        }
        server.route("POST", "/v1/echo401", echo)
        server.route("POST", "/v1/echo500") { request in .json(#"{"got":"\#(request.raw)"}"#, status: 500) }
        server.route("POST", "/v1/echo503") { request in .text(request.raw, status: 503) }
        server.route("POST", "/v1/silent", response: .silent)
        server.route("POST", "/v1/cut", response: TestResponse(framing: .contentLength(99), steps: [.send([1]), .close]))
        let base = server.baseURL

        var errors: [(String, HTTPError?)] = []
        for path in ["/v1/echo401", "/v1/echo500", "/v1/echo503", "/v1/silent", "/v1/cut"] {
            errors.append((path, await failure { try await client.send(request(base + path + "?key=\(queryKey)")) }))
        }
        errors.append(("refused", await failure {
            try await client.send(request("http://127.0.0.1:\(try closedPort())/v1?key=\(queryKey)"))
        }))
        errors.append(("bad URL", await failure { try await client.send(request("ftp://x/?key=\(queryKey)")) }))
        let cancellation = HTTPCancellation()
        cancellation.cancel()
        errors.append(("cancelled", await failure { try await client.send(request(base + "/v1/silent"), cancellation: cancellation) }))
        let (_, streamError) = await drain(client.stream(request(base + "/v1/echo401?key=\(queryKey)")))
        errors.append(("stream", streamError))

        XCTAssertEqual(errors.map { $0.1?.kind }, [.status(401), .status(500), .status(503), .timeout(.idle), .connectionLost,
                                                   .connect, .invalidRequest, .cancelled, .status(401)])
        for (context, error) in errors { assertClean(error, context) }
        XCTAssertTrue(errors[0].1!.description.contains("rejected [redacted] / [redacted] for /v1/echo401?key=[redacted]"),
                      errors[0].1!.description)
        XCTAssertTrue(errors[0].1!.body.contains("[redacted]"))

        // The key did go out, on every request.
        XCTAssertFalse(server.requests.isEmpty)
        for received in server.requests {
            XCTAssertEqual(received.header("Authorization"), "Bearer \(key)")
            XCTAssertEqual(received.header("X-Api-Key"), key)
        }
    }

    func testNoKeyInRequestDescriptions() {
        let request = request("https://api.example.com/v1/chat?key=\(queryKey)")
        assertClean(request, "request")
        assertClean(request.headers, "headers")
        assertClean(request.headers.fields[0], "header")
        XCTAssertEqual("\(request)",
                       "POST https://api.example.com:443/v1/chat [Authorization: [redacted], X-Api-Key: [redacted]] (2 bytes)")
    }
}
