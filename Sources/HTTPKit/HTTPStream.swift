/// What a streamed response delivers: its head once, first, then its body in the chunks read from
/// the socket.
public enum HTTPStreamEvent: Sendable, Hashable {
    case head(HTTPResponseHead)
    case bytes([UInt8])
}

/// The events of one streamed request (see `HTTPClient.stream`). Iterate it once, from one task. The
/// sequence throws `HTTPError`; cancelling the consuming task stops the transfer at once and makes the
/// pending `next()` throw `.cancelled`.
public struct HTTPStream: AsyncSequence, Sendable {
    public typealias Element = HTTPStreamEvent
    public typealias Failure = HTTPError

    let events: AsyncThrowingStream<HTTPStreamEvent, any Error>
    let control: HTTPCancellation
    let endpoint: String

    /// Stops the transfer at once; iteration then throws `.cancelled`.
    public func cancel() { control.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: events.makeAsyncIterator(), endpoint: endpoint) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<HTTPStreamEvent, any Error>.Iterator
        let endpoint: String
        var ended = false

        public mutating func next() async throws(HTTPError) -> HTTPStreamEvent? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(HTTPError) -> HTTPStreamEvent? {
            if ended { return nil }
            let event: HTTPStreamEvent?
            do {
                event = try await base.next(isolation: actor)
            } catch {
                ended = true
                throw error as? HTTPError ?? HTTPError(.transport, endpoint: endpoint, detail: "\(error)")
            }
            if event == nil {
                ended = true
                // The underlying stream ends quietly when the consuming task is cancelled; say so.
                if Task.isCancelled { throw HTTPError(.cancelled, endpoint: endpoint) }
            }
            return event
        }
    }

    /// The body parsed as server-sent events, each yielded as soon as its blank line arrives.
    public func serverSentEvents() -> ServerSentEventStream { ServerSentEventStream(base: self) }

    /// Collects the whole body (for tests and small responses).
    public func collect() async throws(HTTPError) -> HTTPResponse {
        var head = HTTPResponseHead(status: 0, headers: [])
        var body: [UInt8] = []
        for try await event in self {
            switch event {
            case .head(let value): head = value
            case .bytes(let chunk): body += chunk
            }
        }
        return HTTPResponse(head: head, body: body)
    }
}

/// Server-sent events over an `HTTPStream`.
public struct ServerSentEventStream: AsyncSequence, Sendable {
    public typealias Element = ServerSentEvent
    public typealias Failure = HTTPError

    let base: HTTPStream

    public func cancel() { base.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: HTTPStream.Iterator
        var parser = ServerSentEventParser()
        var pending: [ServerSentEvent] = []
        var finished = false

        public mutating func next() async throws(HTTPError) -> ServerSentEvent? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(HTTPError) -> ServerSentEvent? {
            while pending.isEmpty {
                if finished { return nil }
                switch try await base.next(isolation: actor) {
                case .head?: continue
                case .bytes(let chunk)?: pending = parser.feed(chunk)
                case nil:
                    finished = true
                    pending = parser.finish()
                }
            }
            return pending.removeFirst()
        }
    }
}
