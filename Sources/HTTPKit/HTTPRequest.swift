/// One HTTP request: what to send and how patiently. The body is bytes; encoding JSON is the caller's job
/// (`json(...)` only sets the body and the content type).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// An `http://` or `https://` URL. Only its host and port appear in errors (a query may hold a key).
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    public var timeouts: HTTPTimeouts
    /// Verify the server's certificate and host name. Turn off only when the user configured
    /// `verify_tls: false` (a self-signed local server).
    public var verifyTLS: Bool
    public var retryPolicy: RetryPolicy
    /// Whether sending the request twice does no harm, which allows retries. Defaults to the method's
    /// idempotency; set it for a POST that is safe to repeat (an LLM completion, a status query).
    public var isSafeToRepeat: Bool
    /// Further strings to keep out of every message, e.g. a key passed in the URL's query.
    public var secrets: [String]
    /// Sign the request with AWS Signature Version 4 (S3 and other AWS-style APIs); nil sends it unsigned.
    /// See `AWSSigV4` for what the caller must add itself.
    public var awsSigV4: AWSSigV4? = nil

    public init(method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [], body: [UInt8]? = nil,
                timeouts: HTTPTimeouts = .default, verifyTLS: Bool = true, retryPolicy: RetryPolicy = .default,
                isSafeToRepeat: Bool? = nil, secrets: [String] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.verifyTLS = verifyTLS
        self.retryPolicy = retryPolicy
        self.isSafeToRepeat = isSafeToRepeat ?? method.isIdempotent
        self.secrets = secrets
    }

    /// A request whose body is the given JSON text (already encoded), sent as `application/json`.
    public static func json(_ method: HTTPMethod = .post, url: String, body json: String,
                            headers: HTTPHeaders = []) -> HTTPRequest {
        var request = HTTPRequest(method: method, url: url, headers: headers, body: Array(json.utf8))
        if request.headers["Content-Type"] == nil { request.headers.add("Content-Type", "application/json") }
        if request.headers["Accept"] == nil { request.headers.add("Accept", "application/json") }
        return request
    }

    /// Adds `Authorization: Bearer <token>`, marked secret.
    public mutating func setBearerToken(_ token: String) {
        headers.set("Authorization", "Bearer \(token)", secret: true)
    }

    var redaction: Redaction { Redaction(headers.secretValues + secrets + (awsSigV4?.secretValues ?? [])) }
}

/// AWS Signature Version 4 for one request, computed by libcurl (`CURLOPT_AWS_SIGV4`) at send time, afresh
/// for every attempt. curl signs the method, the path and query exactly as they appear in the URL, `Host`,
/// `X-Amz-Date` (its own, or the caller's header) and every header of the request, and adds `Authorization`.
///
/// What the caller must do itself (libcurl 7.88, Debian 12):
/// - send `x-amz-content-sha256` for S3 (the payload's hex SHA-256, or `UNSIGNED-PAYLOAD`): curl does not;
/// - write the URL's path and query in AWS's canonical form (every byte but `A-Z a-z 0-9 - . _ ~` percent-
///   encoded, `/` kept in the path; query parameters sorted by name, each with `=`): curl signs them as given;
/// - name region and service in `provider` (curl guesses them from the host name, which fails for
///   S3-compatible stores and loopback).
///
/// HTTPKit then sends the session token as `x-amz-security-token` (signed), leaves out its usual empty
/// `Expect:` header (curl 7.88 would sign it although it is never sent, and the server's signature would
/// differ), and keeps the URL's path as given (`CURLOPT_PATH_AS_IS`: no squashing of `.`/`..` segments,
/// which are part of S3 keys). The secret key and the session token are secrets: never in a description,
/// a dump or an error.
public struct AWSSigV4: Sendable, Hashable {
    /// curl's provider string `aws:amz:REGION:SERVICE`, e.g. `aws:amz:us-east-1:s3`.
    public var provider: String
    public var accessKeyID: String
    public var secretAccessKey: String
    /// For temporary credentials; sent as `x-amz-security-token`.
    public var sessionToken: String?

    public init(provider: String, accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.provider = provider
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// `aws:amz:REGION:SERVICE`.
    public init(region: String, service: String, accessKeyID: String, secretAccessKey: String,
                sessionToken: String? = nil) {
        self.init(provider: "aws:amz:\(region):\(service)", accessKeyID: accessKeyID,
                  secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }

    var secretValues: [String] { [secretAccessKey] + (sessionToken.map { [$0] } ?? []) }
}

extension AWSSigV4: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "aws-sigv4 \(provider) key \(accessKeyID) secret \(Redaction.placeholder)"
            + (sessionToken == nil ? "" : " token \(Redaction.placeholder)")
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["signing": description]) }
}

extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        let bodyText = body.map { " (\($0.count) bytes)" } ?? ""
        let signing = awsSigV4.map { " (\($0))" } ?? ""
        return redaction.apply("\(method) \(URLParts.redacted(url)) \(headers)\(bodyText)\(signing)")
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["request": description]) }
}
