import Foundation
import HTTPKit
import XCTest

/// TLS against a real `openssl s_server` with a self-signed certificate: refused by default, accepted
/// with `verifyTLS = false`. Skipped when the openssl tool is missing.
final class TLSTests: XCTestCase {
    func testSelfSignedCertificateIsRefusedUnlessVerificationIsOff() async throws {
        let openssl = "/usr/bin/openssl"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: openssl), "openssl not installed")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: openssl)
        make.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"]
        make.standardOutput = FileHandle.nullDevice
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        XCTAssertEqual(make.terminationStatus, 0)

        let port = try closedPort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: openssl)
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", cert, "-key", key, "-www", "-quiet"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        server.standardInput = Pipe()
        try server.run()
        defer {
            // SIGKILL: the child may inherit a mask that blocks the SIGTERM of `terminate()`.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }

        let url = "https://127.0.0.1:\(port)/"
        // Wait for the server to listen (a refused connect retries quickly).
        let error = await failure {
            try await client.send(HTTPRequest(url: url, retryPolicy: RetryPolicy(maxAttempts: 40, baseDelay: 0.05, maxDelay: 0.05)))
        }
        XCTAssertEqual(error?.kind, .tls)
        XCTAssertTrue(error?.description.hasPrefix("TLS failure with 127.0.0.1:\(port) (SSL certificate problem") == true,
                      error?.description ?? "")

        let response = try await client.send(HTTPRequest(url: url, verifyTLS: false))
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.text.contains("s_server"), String(response.text.prefix(200)))
    }
}
