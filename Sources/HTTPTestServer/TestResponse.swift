/// What the test server answers: a status line and headers, then a script of steps: bytes, pauses,
/// gates, an abrupt close or a stall.
public struct TestResponse: Sendable {
    /// How the body is delimited on the wire.
    public enum Framing: Sendable {
        /// `Content-Length`: the given value, or the total of the `send` steps when nil. Declare more
        /// than you send and `close` to cut a body short.
        case contentLength(Int?)
        /// `Transfer-Encoding: chunked`: each `send` step is one chunk, a last chunk ends the body
        /// (unless the script closes or stalls first).
        case chunked
        /// No length: the body ends when the server closes the connection.
        case untilClose
    }

    public enum Step: Sendable {
        case send([UInt8])
        /// Sleeps, watching for the client closing the connection.
        case pause(Double)
        /// Waits until the gate opens (at most 10 s).
        case wait(TestGate)
        /// Closes the connection at once (a mid-body disconnect when the body is incomplete).
        case close
        /// Says nothing more until the client goes away or the server stops.
        case stall
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var framing: Framing
    public var steps: [Step]
    /// False: read the request, then answer nothing at all (not even a status line) and stall.
    public var sendsHead: Bool

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], framing: Framing = .contentLength(nil),
                steps: [Step] = [], sendsHead: Bool = true) {
        self.status = status
        self.headers = headers
        self.framing = framing
        self.steps = steps
        self.sendsHead = sendsHead
    }

    /// A complete response with a `Content-Length`.
    public static func body(_ bytes: [UInt8], status: Int = 200, headers: [(name: String, value: String)] = []) -> TestResponse {
        TestResponse(status: status, headers: headers, steps: [.send(bytes)])
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain",
                            headers: [(name: String, value: String)] = []) -> TestResponse {
        body(Array(text.utf8), status: status, headers: [("Content-Type", contentType)] + headers)
    }

    public static func json(_ json: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> TestResponse {
        text(json, status: status, contentType: "application/json", headers: headers)
    }

    /// A chunked `text/event-stream` response; `parts` are sent as they are (write whole events, with their
    /// blank line, or pieces of them), each after its delay.
    public static func eventStream(_ parts: [(delay: Double, text: String)], then end: Step? = nil) -> TestResponse {
        var steps: [Step] = []
        for part in parts {
            if part.delay > 0 { steps.append(.pause(part.delay)) }
            steps.append(.send(Array(part.text.utf8)))
        }
        if let end { steps.append(end) }
        return TestResponse(headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")],
                            framing: .chunked, steps: steps)
    }

    /// Reads the request and never answers.
    public static let silent = TestResponse(steps: [.stall], sendsHead: false)
}
