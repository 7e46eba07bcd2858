/// A request as the test server received it, for assertions.
public struct RecordedRequest: Sendable {
    public let method: String
    /// The request target: path and query, as sent.
    public let target: String
    /// Header fields in order, names as sent.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]
    public let receivedAt: ContinuousClock.Instant
    /// Which connection it came on (1, 2, ... in accept order).
    public let connection: Int

    /// The target without its query.
    public var path: String { String(target.prefix { $0 != "?" }) }
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The first value of `name`, case-insensitive.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The whole request as text (request line, headers, body), to check that something is absent.
    public var raw: String {
        "\(method) \(target) HTTP/1.1\r\n" + headers.map { "\($0.name): \($0.value)\r\n" }.joined() + "\r\n" + text
    }
}
