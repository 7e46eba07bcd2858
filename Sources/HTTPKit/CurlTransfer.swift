import CCurl
import Foundation

/// What one attempt produced: a response with any status (for a stream that reached its consumer, the
/// body is empty: the bytes went to the sink), or a failure.
enum AttemptResult: Sendable {
    case response(HTTPResponse, streamed: Bool)
    case failure(HTTPError, streamed: Bool)
}

/// The request and its parsed URL, carried through its attempts.
struct PreparedRequest: Sendable {
    let request: HTTPRequest
    let parts: URLParts
    /// Computed for each error, not each request (it sorts and splits the secrets): errors are rare.
    var redaction: Redaction { request.redaction }
}

/// One attempt of one request on libcurl: its options, its callbacks and what they gather, its deadlines and the
/// result. A `TransferLoop` runs it on an easy handle from its pool; everything here happens on the loop's thread
/// (callbacks run inside `curl_multi_perform`), except `init`.
///
/// With a sink (streaming), the head is delivered as soon as the header block ends and every body chunk
/// as soon as curl reads it from the socket: nothing is held back. A non-2xx response is not streamed;
/// its body (up to 64 KB) is kept for the error.
///
/// Proxies: nothing here sets CURLOPT_PROXY unless the client asks, so libcurl reads `http_proxy`,
/// `https_proxy`, `all_proxy` and `no_proxy` (upper-case forms too, except `HTTP_PROXY`, which curl
/// ignores on purpose) itself.
final class CurlTransfer {
    let id: Int
    let control: HTTPCancellation
    let done: @Sendable (AttemptResult) -> Void
    private let prepared: PreparedRequest
    private let userAgent: String
    private let proxy: HTTPClient.Proxy
    private let sink: (@Sendable (HTTPStreamEvent) -> Void)?

    // Touched only on the loop thread.
    var easy: UnsafeMutableRawPointer?
    var wakeToken: Int?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var status = 0
    private var headerFields: [HTTPHeader] = []
    private var headComplete = false
    private var streaming = false
    private var body: [UInt8] = []
    private var received = 0
    private var uploaded: Int64 = 0
    private var started = ContinuousClock.now
    private var lastActivity = ContinuousClock.now
    private var connected = false
    private let idle: Duration?
    private let total: Duration?
    private static let errorBodyLimit = 64 * 1024

    init(id: Int, _ prepared: PreparedRequest, userAgent: String, proxy: HTTPClient.Proxy, control: HTTPCancellation,
         sink: (@Sendable (HTTPStreamEvent) -> Void)?, done: @escaping @Sendable (AttemptResult) -> Void) {
        self.id = id
        self.prepared = prepared
        self.userAgent = userAgent
        self.proxy = proxy
        self.control = control
        self.sink = sink
        self.done = done
        idle = prepared.request.timeouts.idle.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
        total = prepared.request.timeouts.total.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        // The loop resets the easy handle before it lets the transfer go: curl no longer points at these.
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private var endpoint: String { prepared.parts.endpoint }

    func failure(_ kind: HTTPError.Kind, _ detail: String = "") -> AttemptResult {
        .failure(HTTPError(kind, endpoint: endpoint, detail: detail, redaction: prepared.redaction), streamed: streaming)
    }

    func cancelled() -> AttemptResult { failure(.cancelled) }

    /// Sets every option of the request on a fresh (or reset) easy handle; a failure result when one is refused.
    func configure(_ easy: UnsafeMutableRawPointer) -> AttemptResult? {
        let request = prepared.request
        // A failure here is a programming or environment error, reported as such.
        var setupError: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if setupError == CURLE_OK && code != CURLE_OK { setupError = code } }
        check(ytce_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(ytce_curl_setopt_string(easy, CURLOPT_URL, request.url))
        check(ytce_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(ytce_curl_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        check(ytce_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        if !request.isSafeToRepeat {
            // curl silently resends a request whose reused connection turns out dead; a request that must not
            // run twice (RunPod's /run) therefore always gets a fresh connection of its own.
            check(ytce_curl_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1))
            check(ytce_curl_setopt_long(easy, CURLOPT_FORBID_REUSE, 1))
        }
        check(ytce_curl_setopt_string(easy, CURLOPT_USERAGENT, userAgent))
        check(ytce_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, request.verifyTLS ? 1 : 0))
        check(ytce_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, request.verifyTLS ? 2 : 0))
        check(ytce_curl_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        if let connect = request.timeouts.connect {
            check(ytce_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(connect * 1000))))
        }
        switch proxy {
        case .environment: break
        case .none: check(ytce_curl_setopt_string(easy, CURLOPT_PROXY, ""))
        case .url(let proxy): check(ytce_curl_setopt_string(easy, CURLOPT_PROXY, proxy))
        }

        var fields = request.headers.fields
        if let signing = request.awsSigV4 {
            // AWS SigV4 (see `AWSSigV4`): curl signs every header in the list and the path as given. Key id
            // and secret go separately (not CURLOPT_USERPWD, which would split a value at its first ':').
            check(ytce_curl_setopt_string(easy, CURLOPT_AWS_SIGV4, signing.provider))
            check(ytce_curl_setopt_string(easy, CURLOPT_USERNAME, signing.accessKeyID))
            check(ytce_curl_setopt_string(easy, CURLOPT_PASSWORD, signing.secretAccessKey))
            check(ytce_curl_setopt_long(easy, CURLOPT_PATH_AS_IS, 1))
            if let token = signing.sessionToken, request.headers["x-amz-security-token"] == nil {
                fields.append(HTTPHeader("x-amz-security-token", token, secret: true))
            }
        }
        for field in fields {
            guard HTTPClient.isValidHeader(field) else {
                return failure(.invalidRequest, "header '\(HTTPError.oneLine(field.name))' has an invalid name or value")
            }
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            headerList = curl_slist_append(headerList, line)
        }
        // No 100-continue round trip. Not for a signed request: curl 7.88 would sign the empty header it
        // never sends (the server's signature would differ); curl's own `Expect: 100-continue` for bodies
        // over 1 MB goes unsigned, which AWS accepts.
        if request.awsSigV4 == nil { headerList = curl_slist_append(headerList, "Expect:") }
        check(ytce_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))

        switch (request.method, request.body) {
        case (.get, nil): check(ytce_curl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case (.head, nil): check(ytce_curl_setopt_long(easy, CURLOPT_NOBODY, 1))
        case (let method, let body):
            if method == .post || body != nil {
                var bytes = body ?? []
                let count = bytes.count
                if bytes.isEmpty { bytes = [0] }  // never an empty buffer: curl wants a pointer
                check(ytce_curl_setopt_long(easy, CURLOPT_POST, 1))
                check(ytce_curl_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(count)))
                check(bytes.withUnsafeMutableBytes { ytce_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
            }
            if method != .post { check(ytce_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method.rawValue)) }
            if method == .head { check(ytce_curl_setopt_long(easy, CURLOPT_NOBODY, 1)) }
        }

        let me = Unmanaged.passUnretained(self).toOpaque()
        check(ytce_curl_setopt_pointer(easy, CURLOPT_PRIVATE, me))
        check(ytce_curl_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, { data, size, count, context in
            guard let data, let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
                .receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }))
        check(ytce_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, me))
        check(ytce_curl_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, { data, size, count, context in
            guard let data, let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
                .receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
        }))
        check(ytce_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, me))
        check(ytce_curl_setopt_xferinfo_callback(easy, { context, _, _, _, uploadedNow in
            guard let context else { return 1 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().progress(uploaded: uploadedNow)
        }))
        check(ytce_curl_setopt_pointer(easy, CURLOPT_XFERINFODATA, me))
        check(ytce_curl_setopt_long(easy, CURLOPT_NOPROGRESS, 0))
        guard setupError == CURLE_OK else {
            return failure(.invalidRequest, String(cString: curl_easy_strerror(setupError)))
        }
        return nil
    }

    /// The transfer is on the multi handle: its clocks start.
    func begin(_ easy: UnsafeMutableRawPointer) {
        self.easy = easy
        started = .now
        lastActivity = started
    }

    enum Deadline {
        case expired(AttemptResult)
        case wait(Duration)
    }

    /// Whether the idle or total timeout has passed; otherwise how long until the nearer one.
    func checkDeadlines(now: ContinuousClock.Instant) -> Deadline {
        if !connected, let easy {
            // The idle clock starts once the connection (TLS included) is ready to carry the request:
            // before that, the connect timeout applies.
            var ready: curl_off_t = 0
            if (ytce_curl_getinfo_off_t(easy, CURLINFO_PRETRANSFER_TIME_T, &ready) == CURLE_OK && ready > 0)
                || received > 0 || status != 0 {
                connected = true
                lastActivity = now
            }
        }
        var wait = Duration.seconds(3600)
        let timeouts = prepared.request.timeouts
        if let total, let limit = timeouts.total {
            let left = started + total - now
            if left <= .zero { return .expired(failure(.timeout(.total), HTTPClient.seconds(limit))) }
            wait = min(wait, left)
        }
        if connected, let idle, let limit = timeouts.idle {
            let left = lastActivity + idle - now
            if left <= .zero { return .expired(failure(.timeout(.idle), HTTPClient.seconds(limit))) }
            wait = min(wait, left)
        }
        return .wait(wait)
    }

    /// The result once curl reports the transfer done with `code`.
    func completed(_ code: CURLcode) -> AttemptResult {
        if control.isCancelled { return cancelled() }
        guard code == CURLE_OK, let easy else {
            return transferFailure(code, message: String(cString: errorBuffer))
        }
        if status == 0 {
            var code = 0
            _ = ytce_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
            status = code
        }
        let head = HTTPResponseHead(status: status, headers: HTTPHeaders(headerFields))
        return .response(HTTPResponse(head: head, body: body), streamed: streaming)
    }

    private func transferFailure(_ code: CURLcode, message: String) -> AttemptResult {
        let detail = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return failure(.resolve, detail)
        case CURLE_COULDNT_CONNECT:
            var osError = 0
            if let easy { _ = ytce_curl_getinfo_long(easy, CURLINFO_OS_ERRNO, &osError) }
            return failure(.connect, osError != 0 ? String(cString: strerror(Int32(osError))) : detail)
        case CURLE_OPERATION_TIMEDOUT:
            // Only the connect timeout is handed to curl; the loop enforces the others itself.
            return failure(.timeout(.connect), prepared.request.timeouts.connect.map(HTTPClient.seconds) ?? detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            return failure(.tls, detail)
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2,
             CURLE_HTTP2_STREAM:
            return failure(.connectionLost, "\(detail); \(received) bytes of the response received")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return failure(.invalidRequest, detail)
        default:
            return failure(.transport, detail)
        }
    }

    // MARK: callbacks (on the loop thread)

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        if control.isCancelled { return 0 }
        lastActivity = .now
        // Parsed as bytes: a poller reads a few header lines per request, a hundred requests a second.
        var line = Slice(base: bytes, bounds: bytes.startIndex..<bytes.endIndex)
        while let last = line.last, last == 0x0D || last == 0x0A { line = line.dropLast() }
        if line.starts(with: Self.httpPrefix) {
            // A new header block: a 1xx interim response comes before the final one. "HTTP/1.1 200 OK".
            let fields = line.split(separator: 0x20, maxSplits: 2)
            status = fields.count > 1 ? Self.decimal(fields[1]) ?? 0 : 0
            headerFields.removeAll()
            headComplete = false
        } else if line.isEmpty {
            if status >= 200 && !headComplete {
                headComplete = true
                headReceived()
            }
        } else if !headComplete {
            if let first = line.first, first == 0x20 || first == 0x09, !headerFields.isEmpty {
                let previous = headerFields.removeLast()
                headerFields.append(HTTPHeader(previous.name, previous.value + " " + Self.trimmed(line)))
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                headerFields.append(HTTPHeader(String(decoding: line[..<colon], as: UTF8.self),
                                               Self.trimmed(line[(colon + 1)...])))
            }
        }
        return bytes.count
    }

    private static let httpPrefix = Array("HTTP/".utf8)

    /// The bytes as text without surrounding whitespace.
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var view = bytes
        while let first = view.first, isSpace(first) { view = view.dropFirst() }
        while let last = view.last, isSpace(last) { view = view.dropLast() }
        return String(decoding: view, as: UTF8.self)
    }

    /// A status code's digits as a number (nil for anything else).
    private static func decimal(_ bytes: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var value = 0
        for byte in bytes {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    private func headReceived() {
        let head = HTTPResponseHead(status: status, headers: HTTPHeaders(headerFields))
        if let sink, (200..<300).contains(status) {
            streaming = true
            sink(.head(head))
        } else if sink == nil, let length = head.headers["Content-Length"].flatMap(Int.init), length > 0 {
            body.reserveCapacity(min(length, 64 << 20))  // a claimed length is only a hint
        }
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if control.isCancelled { return 0 }
        lastActivity = .now
        received += bytes.count
        if streaming, let sink {
            sink(.bytes(Array(bytes)))
        } else if sink == nil {
            body.append(contentsOf: bytes)
        } else if body.count < Self.errorBodyLimit {
            body.append(contentsOf: bytes.prefix(Self.errorBodyLimit - body.count))
        }
        return bytes.count
    }

    private func progress(uploaded now: curl_off_t) -> Int32 {
        if control.isCancelled { return 1 }
        if Int64(now) != uploaded {
            uploaded = Int64(now)
            lastActivity = .now
        }
        return 0
    }
}
