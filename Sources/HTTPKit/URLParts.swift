import CCurl

/// The parts of a request URL that HTTPKit needs, parsed by libcurl's URL parser (the one the transfer
/// uses). Only `endpoint` (host:port) and `display` (no user info, no query) ever appear in messages.
struct URLParts: Sendable {
    let scheme: String
    let host: String
    let port: Int
    let path: String

    /// `host:port`, with brackets around an IPv6 address.
    var endpoint: String { host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    var display: String { "\(scheme)://\(endpoint)\(path)" }

    static func parse(_ url: String) -> Result<URLParts, URLProblem> {
        guard let handle = curl_url() else { return .failure(URLProblem("out of memory")) }
        defer { curl_url_cleanup(handle) }
        let code = curl_url_set(handle, CURLUPART_URL, url, 0)
        guard code == CURLUE_OK else {
            return .failure(URLProblem("malformed URL (\(String(cString: curl_url_strerror(code))))"))
        }
        func part(_ which: CURLUPart, _ flags: UInt32 = 0) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(handle, which, &value, flags) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME)?.lowercased(), scheme == "http" || scheme == "https" else {
            return .failure(URLProblem("only http:// and https:// URLs are supported"))
        }
        guard let host = part(CURLUPART_HOST), !host.isEmpty else { return .failure(URLProblem("URL has no host")) }
        let port = part(CURLUPART_PORT, UInt32(CURLU_DEFAULT_PORT)).flatMap { Int($0) } ?? (scheme == "https" ? 443 : 80)
        return .success(URLParts(scheme: scheme, host: host, port: port, path: part(CURLUPART_PATH) ?? "/"))
    }

    /// The URL without user info, query or fragment, for messages.
    static func redacted(_ url: String) -> String {
        switch parse(url) {
        case .success(let parts): return parts.display
        case .failure: return "<invalid URL>"
        }
    }
}

/// Why a URL was refused.
struct URLProblem: Error, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
