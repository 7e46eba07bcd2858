import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small real HTTP/1.1 server on 127.0.0.1 and a free port, for tests: handlers map a method and path
/// to a scripted `TestResponse`; every request is recorded. One thread per connection; connections stay
/// open for further requests unless the client or the script closes them. `stop()` closes everything
/// and waits for the threads. Unknown routes get a 404.
public final class HTTPTestServer: @unchecked Sendable {
    /// Something the server did or saw, with the time (for latency measurements).
    public struct Event: Sendable {
        public enum Kind: Sendable, Equatable {
            case accepted
            case request(String)      // "METHOD target"
            case sent(Int)            // a body `send` step of that many bytes went out (timed as it began)
            case clientClosed         // the client closed or reset the connection
        }
        public let kind: Kind
        public let connection: Int
        public let at: ContinuousClock.Instant
    }

    public typealias Handler = @Sendable (RecordedRequest) -> TestResponse
    /// Answers requests no route matches; nil lets them get the 404.
    public typealias FallbackHandler = @Sendable (RecordedRequest) -> TestResponse?

    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let lock = NSCondition()
    private var routes: [String: Handler] = [:]
    private var fallbackHandler: FallbackHandler?
    private var resetOnClose: Set<Int> = []   // connections to close with a TCP reset
    private var recorded: [RecordedRequest] = []
    private var log: [Event] = []
    private var open: [Int: Int32] = [:]   // connection number -> socket
    private var threads = 0
    private var connectionCount = 0
    private var stopping = false

    /// Binds 127.0.0.1:0 and starts accepting.
    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ServerError("bind/listen on 127.0.0.1: \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        threads = 1
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "test-server-accept"
        thread.start()
    }

    deinit { stop() }

    // MARK: routes and records

    /// Answers `method path` (path without query) with `handler`'s response.
    public func route(_ method: String, _ path: String, _ handler: @escaping Handler) {
        lock.lock()
        routes["\(method.uppercased()) \(path)"] = handler
        lock.unlock()
    }

    /// Answers `method path` with `responses` in turn; the last one repeats.
    public func route(_ method: String, _ path: String, responses: [TestResponse]) {
        let counter = Counter()
        route(method, path) { _ in responses[min(counter.next(), responses.count - 1)] }
    }

    public func route(_ method: String, _ path: String, response: TestResponse) {
        route(method, path) { _ in response }
    }

    /// Answers the requests that no exact route matches (for paths with parameters, e.g. `/jobs/<id>`);
    /// when it returns nil, or none is set, they get the 404. Exact routes keep precedence.
    public func fallback(_ handler: @escaping FallbackHandler) {
        lock.lock()
        fallbackHandler = handler
        lock.unlock()
    }

    /// Makes `connection` end with a TCP reset (RST, `SO_LINGER` 0) instead of an orderly close when the
    /// server next closes it (e.g. a handler calls this, then answers `TestResponse(steps: [.close],
    /// sendsHead: false)`): the client sees "connection reset by peer".
    public func resetWhenClosing(connection: Int) {
        lock.lock()
        resetOnClose.insert(connection)
        lock.unlock()
    }

    /// Every request received so far, in order.
    public var requests: [RecordedRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    public func requests(to path: String) -> [RecordedRequest] { requests.filter { $0.path == path } }

    /// Everything the server did or saw so far, in order.
    public var events: [Event] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    /// Waits up to `timeout` seconds for an event matching `predicate`; returns it.
    public func waitForEvent(timeout: Double, _ predicate: (Event) -> Bool) -> Event? {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while true {
            if let event = log.first(where: predicate) { return event }
            if Date() >= deadline || stopping { return nil }
            _ = lock.wait(until: min(deadline, Date().addingTimeInterval(0.05)))
        }
    }

    /// Closes the listener and every connection, and waits (up to 5 s) for the threads to end.
    public func stop() {
        lock.lock()
        if stopping {
            lock.unlock()
            return
        }
        stopping = true
        for fd in open.values { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.broadcast()
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR))
        lock.lock()
        let deadline = Date().addingTimeInterval(5)
        while threads > 0 && Date() < deadline { _ = lock.wait(until: deadline) }
        lock.unlock()
        close(listener)
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func record(_ kind: Event.Kind, _ connection: Int, at: ContinuousClock.Instant = .now) {
        lock.lock()
        log.append(Event(kind: kind, connection: connection, at: at))
        lock.broadcast()
        lock.unlock()
    }

    private func threadEnded() {
        lock.lock()
        threads -= 1
        lock.broadcast()
        lock.unlock()
    }

    // MARK: connections

    private func acceptLoop() {
        defer { threadEnded() }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            lock.lock()
            if stopping {
                lock.unlock()
                close(fd)
                return
            }
            connectionCount += 1
            let number = connectionCount
            open[number] = fd
            threads += 1
            lock.unlock()
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            record(.accepted, number)
            let thread = Thread { [self] in
                serve(Connection(fd: fd, number: number))
                lock.lock()
                open[number] = nil
                let reset = resetOnClose.remove(number) != nil
                lock.unlock()
                if reset {
                    var option = linger(l_onoff: 1, l_linger: 0)
                    setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
                }
                close(fd)
                threadEnded()
            }
            thread.name = "test-server-connection"
            thread.start()
        }
    }

    private func serve(_ connection: Connection) {
        while !isStopping {
            guard let request = connection.readRequest() else {
                if connection.peerClosed { record(.clientClosed, connection.number) }
                return
            }
            lock.lock()
            recorded.append(request)
            log.append(Event(kind: .request("\(request.method) \(request.target)"), connection: connection.number, at: .now))
            lock.broadcast()
            let handler = routes["\(request.method.uppercased()) \(request.path)"]
            let fallback = handler == nil ? fallbackHandler : nil
            lock.unlock()
            let response = handler?(request) ?? fallback?(request)
                ?? .text("no route for \(request.method) \(request.path)\n", status: 404)
            let keepOpen = respond(response, on: connection)
            if !keepOpen || request.header("Connection")?.lowercased() == "close" { return }
        }
    }

    /// Runs a response script; false when the connection must close afterwards.
    private func respond(_ response: TestResponse, on connection: Connection) -> Bool {
        let bodyLength = response.steps.reduce(0) { total, step in
            if case .send(let bytes) = step { return total + bytes.count }
            return total
        }
        if response.sendsHead {
            var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            for field in response.headers { head += "\(field.name): \(field.value)\r\n" }
            switch response.framing {
            case .contentLength(let declared): head += "Content-Length: \(declared ?? bodyLength)\r\n"
            case .chunked: head += "Transfer-Encoding: chunked\r\n"
            case .untilClose: head += "Connection: close\r\n"
            }
            head += "\r\n"
            guard connection.write(Array(head.utf8)) else { return gone(connection) }
        }
        for step in response.steps {
            switch step {
            case .send(let bytes):
                var wire = bytes
                if case .chunked = response.framing {
                    if bytes.isEmpty { continue }  // an empty chunk would end the body
                    wire = Array((String(bytes.count, radix: 16) + "\r\n").utf8) + bytes + Array("\r\n".utf8)
                }
                let writing = ContinuousClock.now  // before the write: latencies measured from it are upper bounds
                guard connection.write(wire) else { return gone(connection) }
                record(.sent(bytes.count), connection.number, at: writing)
            case .pause(let seconds):
                if connection.watch(until: Date().addingTimeInterval(seconds), stop: { isStopping }) { return gone(connection) }
            case .wait(let gate):
                let deadline = Date().addingTimeInterval(10)
                _ = gate.wait(until: deadline) { isStopping }
            case .close:
                return false
            case .stall:
                _ = connection.watch(until: .distantFuture, stop: { isStopping })
                if connection.peerClosed { record(.clientClosed, connection.number) }
                return false
            }
        }
        switch response.framing {
        case .chunked:
            guard connection.write(Array("0\r\n\r\n".utf8)) else { return gone(connection) }
            return true
        case .contentLength(let declared):
            return declared == nil || declared == bodyLength
        case .untilClose:
            return false
        }
    }

    private func gone(_ connection: Connection) -> Bool {
        record(.clientClosed, connection.number)
        return false
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
