import CCurl
import Foundation

/// What one attempt produced: a response with any status (for a stream that reached its consumer, the
/// body is empty: the bytes went to the sink), or a failure.
enum AttemptResult: Sendable {
    case response(HTTPResponse, streamed: Bool)
    case failure(HTTPError, streamed: Bool)
}

/// Settings a transfer takes from its client.
struct TransferSettings: Sendable {
    let userAgent: String
    let proxy: HTTPClient.Proxy
    let connections: ConnectionShare
}

/// The connection cache of one `HTTPClient`: its transfers reuse each other's open connections (keep-alive),
/// DNS answers and TLS sessions instead of opening a connection per request. Freed when the client and all its
/// transfers are gone (each transfer holds it through its settings).
final class ConnectionShare: @unchecked Sendable {
    // curl serialises access through the share's own lock callbacks.
    let handle: UnsafeMutablePointer<ytce_curl_share>?

    init() { handle = curlReady ? ytce_curl_share_new() : nil }
    deinit { ytce_curl_share_free(handle) }
}

/// The URL and redaction a request carries through its attempts.
struct PreparedRequest: Sendable {
    let request: HTTPRequest
    let parts: URLParts
    let redaction: Redaction
}

private let curlReady: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

/// One attempt of one request on libcurl, run on a thread of its own (libcurl blocks; Swift's cooperative
/// pool must not). It drives a private multi handle so that it can wait on the socket and still wake at
/// once: `HTTPCancellation` calls `curl_multi_wakeup`, the loop sees the flag and drops the transfer,
/// which closes the connection. The loop also enforces the idle and total timeouts to the millisecond
/// (curl's own low-speed limit counts whole seconds and cannot say which limit fired).
///
/// With a sink (streaming), the head is delivered as soon as the header block ends and every body chunk
/// as soon as curl reads it from the socket: nothing is held back. A non-2xx response is not streamed;
/// its body (up to 64 KB) is kept for the error.
///
/// Proxies: nothing here sets CURLOPT_PROXY unless the client asks, so libcurl reads `http_proxy`,
/// `https_proxy`, `all_proxy` and `no_proxy` (upper-case forms too, except `HTTP_PROXY`, which curl
/// ignores on purpose) itself.
final class CurlTransfer {
    private let prepared: PreparedRequest
    private let settings: TransferSettings
    private let control: HTTPCancellation
    private let sink: (@Sendable (HTTPStreamEvent) -> Void)?

    // Touched only on the transfer thread (callbacks run inside curl_multi_perform).
    private var status = 0
    private var headerFields: [HTTPHeader] = []
    private var headComplete = false
    private var streaming = false
    private var body: [UInt8] = []
    private var received = 0
    private var uploaded: Int64 = 0
    private var lastActivity = ContinuousClock.now
    private static let errorBodyLimit = 64 * 1024

    init(_ prepared: PreparedRequest, settings: TransferSettings, control: HTTPCancellation,
         sink: (@Sendable (HTTPStreamEvent) -> Void)?) {
        self.prepared = prepared
        self.settings = settings
        self.control = control
        self.sink = sink
    }

    /// Starts an attempt on a transfer thread of its own; `done` runs on that thread, before the handles are freed.
    static func start(_ prepared: PreparedRequest, settings: TransferSettings, control: HTTPCancellation,
                      sink: (@Sendable (HTTPStreamEvent) -> Void)?,
                      done: @escaping @Sendable (AttemptResult) -> Void) {
        TransferThreads.shared.run {
            CurlTransfer(prepared, settings: settings, control: control, sink: sink).run(done)
        }
    }

    private var endpoint: String { prepared.parts.endpoint }

    private func failure(_ kind: HTTPError.Kind, _ detail: String = "") -> AttemptResult {
        .failure(HTTPError(kind, endpoint: endpoint, detail: detail, redaction: prepared.redaction), streamed: streaming)
    }

    private func run(_ done: @Sendable (AttemptResult) -> Void) {
        let request = prepared.request
        guard curlReady, let easy = curl_easy_init() else {
            return done(failure(.transport, "libcurl could not be initialised"))
        }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(easy)
            return done(failure(.transport, "libcurl could not be initialised"))
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        var headerList: UnsafeMutablePointer<curl_slist>?
        var added = false
        var wakeToken: Int?
        defer {
            control.remove(wakeToken)  // before the multi handle goes: no wakeup after this
            if added { curl_multi_remove_handle(multi, easy) }
            curl_easy_cleanup(easy)
            curl_multi_cleanup(multi)
            curl_slist_free_all(headerList)
            errorBuffer.deallocate()
        }

        // Options. A failure here is a programming or environment error, reported as such.
        var setupError: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if setupError == CURLE_OK && code != CURLE_OK { setupError = code } }
        check(ytce_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(ytce_curl_setopt_string(easy, CURLOPT_URL, request.url))
        check(ytce_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(ytce_curl_setopt_string(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        check(ytce_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        if let share = settings.connections.handle { check(ytce_curl_setopt_share(easy, share)) }
        if !request.isSafeToRepeat {
            // curl silently resends a request whose reused connection turns out dead; a request that must not
            // run twice (RunPod's /run) therefore always gets a fresh connection of its own.
            check(ytce_curl_setopt_long(easy, CURLOPT_FRESH_CONNECT, 1))
            check(ytce_curl_setopt_long(easy, CURLOPT_FORBID_REUSE, 1))
        }
        check(ytce_curl_setopt_string(easy, CURLOPT_USERAGENT, settings.userAgent))
        check(ytce_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, request.verifyTLS ? 1 : 0))
        check(ytce_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, request.verifyTLS ? 2 : 0))
        check(ytce_curl_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        if let connect = request.timeouts.connect {
            check(ytce_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(connect * 1000))))
        }
        switch settings.proxy {
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
                return done(failure(.invalidRequest, "header '\(HTTPError.oneLine(field.name))' has an invalid name or value"))
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
                let count = body?.count ?? 0
                var bytes = count > 0 ? body! : [0]  // never an empty buffer: curl wants a pointer
                check(ytce_curl_setopt_long(easy, CURLOPT_POST, 1))
                check(ytce_curl_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(count)))
                check(bytes.withUnsafeMutableBytes { ytce_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
            }
            if method != .post { check(ytce_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method.rawValue)) }
            if method == .head { check(ytce_curl_setopt_long(easy, CURLOPT_NOBODY, 1)) }
        }

        let me = Unmanaged.passUnretained(self).toOpaque()
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
            return done(failure(.invalidRequest, String(cString: curl_easy_strerror(setupError))))
        }

        guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
            return done(failure(.transport, "libcurl could not start the transfer"))
        }
        added = true
        let wake = MultiHandle(multi)
        wakeToken = control.onCancel { curl_multi_wakeup(wake.pointer) }

        // The loop: perform, collect the result, enforce timeouts, sleep on the socket until data,
        // a curl timer, the nearest deadline or a cancellation wake-up.
        let start = ContinuousClock.now
        lastActivity = start
        var connected = false
        let idle = request.timeouts.idle.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
        let total = request.timeouts.total.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
        var result: CURLcode?
        while result == nil {
            if control.isCancelled { return done(failure(.cancelled)) }
            var running: Int32 = 0
            let code = curl_multi_perform(multi, &running)
            guard code == CURLM_OK else {
                return done(failure(.transport, String(cString: curl_multi_strerror(code))))
            }
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                if message.pointee.msg == CURLMSG_DONE { result = ytce_curl_msg_result(message) }
            }
            if result != nil { break }
            let now = ContinuousClock.now
            if !connected {
                // The idle clock starts once the connection (TLS included) is ready to carry the request:
                // before that, the connect timeout applies.
                var ready: curl_off_t = 0
                if (ytce_curl_getinfo_off_t(easy, CURLINFO_PRETRANSFER_TIME_T, &ready) == CURLE_OK && ready > 0)
                    || received > 0 || status != 0 {
                    connected = true
                    lastActivity = now
                }
            }
            var wait = Duration.seconds(1)
            if let total {
                let left = start + total - now
                if left <= .zero { return done(failure(.timeout(.total), HTTPClient.seconds(request.timeouts.total!))) }
                wait = min(wait, left)
            }
            if connected, let idle {
                let left = lastActivity + idle - now
                if left <= .zero { return done(failure(.timeout(.idle), HTTPClient.seconds(request.timeouts.idle!))) }
                wait = min(wait, left)
            }
            let waitMs = max(1, Int32((Double(wait.components.seconds) * 1000
                                       + Double(wait.components.attoseconds) / 1e15).rounded(.up)))
            curl_multi_poll(multi, nil, 0, waitMs, nil)
        }

        if control.isCancelled { return done(failure(.cancelled)) }
        guard let result, result == CURLE_OK else {
            return done(transferFailure(result!, easy: easy, message: String(cString: errorBuffer)))
        }
        if status == 0 {
            var code = 0
            _ = ytce_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
            status = code
        }
        let head = HTTPResponseHead(status: status, headers: HTTPHeaders(headerFields))
        done(.response(HTTPResponse(head: head, body: body), streamed: streaming))
    }

    private func transferFailure(_ code: CURLcode, easy: UnsafeMutableRawPointer, message: String) -> AttemptResult {
        let detail = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return failure(.resolve, detail)
        case CURLE_COULDNT_CONNECT:
            var osError = 0
            _ = ytce_curl_getinfo_long(easy, CURLINFO_OS_ERRNO, &osError)
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

    // MARK: callbacks (on the transfer thread)

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        if control.isCancelled { return 0 }
        lastActivity = .now
        var line = Substring(String(decoding: bytes, as: UTF8.self))
        while let last = line.last, last.isNewline { line = line.dropLast() }  // "\r\n" is one Character
        if line.hasPrefix("HTTP/") {
            // A new header block: a 1xx interim response comes before the final one.
            let fields = line.split(separator: " ", maxSplits: 2)
            status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            headerFields.removeAll()
            headComplete = false
        } else if line.isEmpty {
            if status >= 200 && !headComplete {
                headComplete = true
                headReceived()
            }
        } else if !headComplete {
            if line.first == " " || line.first == "\t", !headerFields.isEmpty {
                let previous = headerFields.removeLast()
                headerFields.append(HTTPHeader(previous.name, previous.value + " " + line.trimmingWhitespace()))
            } else if let colon = line.firstIndex(of: ":") {
                headerFields.append(HTTPHeader(String(line[..<colon]),
                                               String(line[line.index(after: colon)...]).trimmingWhitespace()))
            }
        }
        return bytes.count
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

/// A multi handle pointer for the wake-up closure. `curl_multi_wakeup` is safe from any thread, and
/// `HTTPCancellation.remove` guarantees the closure never runs once the handle is being freed.
private struct MultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
