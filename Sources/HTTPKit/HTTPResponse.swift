/// The status line and header fields of a response.
public struct HTTPResponseHead: Sendable, Hashable {
    public let status: Int
    public let headers: HTTPHeaders

    public init(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }
}

/// A complete response. The body is returned as received (decoding JSON is the caller's job).
public struct HTTPResponse: Sendable, Hashable {
    public let head: HTTPResponseHead
    public let body: [UInt8]

    public init(head: HTTPResponseHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
    /// The body decoded as UTF-8 (invalid sequences become U+FFFD).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
