import CCurl

/// libcurl's global set-up, done once before the first handle.
let curlReady: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

/// The connection cache of one `HTTPClient`: its transfers reuse each other's open connections (keep-alive),
/// DNS answers and TLS sessions instead of opening a connection per request. Owned by the client's
/// `TransferLoop`, freed after the last easy handle that uses it.
final class ConnectionShare: @unchecked Sendable {
    // curl serialises access through the share's own lock callbacks.
    let handle: UnsafeMutablePointer<ytce_curl_share>?

    init() { handle = curlReady ? ytce_curl_share_new() : nil }
    deinit { ytce_curl_share_free(handle) }
}
