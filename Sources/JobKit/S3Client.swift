import Crypto
import Foundation
import HTTPKit

// S3 for summarisation jobs: read an input object, write a summary, list a prefix. Requests are signed by
// libcurl (AWS SigV4, see `AWSSigV4` in HTTPKit); this file builds them in the canonical form curl 7.88
// needs and turns S3's XML answers and errors into values and one-line `S3Error`s.

/// Why an S3 call failed, as a `kind` for code and one line for people (`description`). The secret key and
/// the session token never appear in it.
public struct S3Error: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// An `s3://` location that does not parse, or a bucket name or key S3 cannot take.
        case invalidLocation
        /// A missing or malformed setting: `variable` names the environment variable.
        case configuration
        /// The object does not exist (S3 `NoSuchKey`).
        case noSuchKey
        /// The bucket does not exist (S3 `NoSuchBucket`).
        case noSuchBucket
        /// S3 refused the credentials or their permissions: `AccessDenied`, `SignatureDoesNotMatch`,
        /// `InvalidAccessKeyId`, `InvalidToken`, `ExpiredToken`, or a 401/403 without an S3 error code.
        case credentials
        /// Any other error S3 answered; `code` holds S3's code (or `HTTP <status>` when there was none).
        case service
        /// The request did not get an answer: name resolution, connection, timeout, TLS, connection lost.
        case transport
        /// S3 answered 2xx with something that is not the expected XML.
        case invalidResponse
        /// The caller cancelled (task cancellation or `HTTPCancellation`).
        case cancelled
    }

    public let kind: Kind
    /// One line, without secrets.
    public let message: String
    /// S3's error code (`NoSuchKey`, `SlowDown`, …), when it sent one.
    public let code: String?
    /// The HTTP status S3 answered, when it answered one.
    public let httpStatus: Int?
    /// For `.configuration`: the environment variable to fix.
    public let variable: String?

    public init(_ kind: Kind, _ message: String, code: String? = nil, httpStatus: Int? = nil, variable: String? = nil) {
        self.kind = kind
        self.message = S3Error.oneLine(message)
        self.code = code
        self.httpStatus = httpStatus
        self.variable = variable
    }

    /// Worth trying again later: no answer, a 5xx, or 429/`SlowDown` (after HTTPKit's own retries).
    public var isTransient: Bool {
        switch kind {
        case .transport: return true
        case .service: return (httpStatus ?? 0) >= 500 || httpStatus == 429 || code == "SlowDown"
        default: return false
        }
    }

    /// A conditional write found the object already there (412 `PreconditionFailed`, or 409
    /// `ConditionalRequestConflict` when another write of it was under way).
    public var isPreconditionFailed: Bool {
        httpStatus == 412 || code == "PreconditionFailed" || code == "ConditionalRequestConflict"
    }

    public var description: String { message }
    public var debugDescription: String { "S3Error(\(message))" }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
    }
}

/// Where S3 is and who asks: credentials, region and endpoint. `description` and dumps never show the
/// secret key or the session token.
public struct S3Configuration: Sendable, Hashable {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// For temporary credentials (sent as `x-amz-security-token`).
    public var sessionToken: String?
    /// E.g. `us-east-1`; part of the signature.
    public var region: String
    /// An S3-compatible store's base URL (`http://127.0.0.1:9000`), addressed path-style
    /// (`ENDPOINT/bucket/key`). Nil means AWS: `https://BUCKET.s3.REGION.amazonaws.com/KEY` (virtual-hosted),
    /// or path-style `https://s3.REGION.amazonaws.com/BUCKET/KEY` for bucket names with dots (which would not
    /// match AWS's wildcard certificate).
    public var endpoint: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil,
                region: String = "us-east-1", endpoint: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.endpoint = endpoint
    }

    /// The usual AWS variables: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (required),
    /// `AWS_SESSION_TOKEN` (optional), region from `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`,
    /// endpoint from `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else AWS. Empty values count as unset.
    /// A missing or malformed value throws `.configuration` naming the variable.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(S3Error) -> S3Configuration {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
            return text
        }
        let needs = "S3 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)"
        guard let keyID = value("AWS_ACCESS_KEY_ID") else {
            throw S3Error(.configuration, "AWS_ACCESS_KEY_ID is not set: \(needs)", variable: "AWS_ACCESS_KEY_ID")
        }
        guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
            throw S3Error(.configuration, "AWS_SECRET_ACCESS_KEY is not set: \(needs)", variable: "AWS_SECRET_ACCESS_KEY")
        }
        let regionVariable = value("AWS_REGION") != nil ? "AWS_REGION" : "AWS_DEFAULT_REGION"
        let region = value(regionVariable) ?? "us-east-1"
        guard !region.isEmpty, region.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw S3Error(.configuration, "\(regionVariable) '\(region)' is not a region name (like us-east-1)",
                          variable: regionVariable)
        }
        let endpointVariable = value("AWS_ENDPOINT_URL_S3") != nil ? "AWS_ENDPOINT_URL_S3" : "AWS_ENDPOINT_URL"
        var endpoint = value(endpointVariable)
        if var url = endpoint {
            let lower = url.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count > (lower.hasPrefix("https") ? 8 : 7),
                  !url.contains("?"), !url.contains("#"), !url.contains(where: { $0.isWhitespace }) else {
                throw S3Error(.configuration, "\(endpointVariable) '\(url)' is not an http:// or https:// base URL",
                              variable: endpointVariable)
            }
            while url.hasSuffix("/") { url.removeLast() }
            endpoint = url
        }
        return S3Configuration(accessKeyID: keyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"),
                               region: region, endpoint: endpoint)
    }
}

extension S3Configuration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "S3(region \(region), endpoint \(endpoint ?? "AWS"), key \(accessKeyID), secret [redacted]"
            + (sessionToken == nil ? ")" : ", token [redacted])")
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["s3": description]) }
}

/// One entry of a listing.
public struct S3Object: Sendable, Hashable {
    public let key: String
    public let size: Int
    /// Without the surrounding quotes (for a simple upload, the hex MD5 of the bytes).
    public let etag: String
    public let lastModified: Date?

    public init(key: String, size: Int, etag: String, lastModified: Date?) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// A small S3 client on HTTPKit: get, put and list objects.
///
/// - Credentials, region and endpoint: `S3Configuration` (usually `fromEnvironment()`).
/// - Every request carries `x-amz-content-sha256` (the SHA-256 of its payload; curl 7.88 does not add it)
///   and is signed by libcurl's SigV4 with region and service named (`aws:amz:REGION:s3`), so that
///   S3-compatible stores on any host work.
/// - Paths and queries are written in AWS's canonical encoding, query parameters sorted.
/// - Retries (HTTPKit's `RetryPolicy`): connection failures and 429/500/502/503/504 for all three calls:
///   GET and LIST are reads, and a PUT of the same bytes to the same key leaves the same object.
/// - Errors are `S3Error`s parsed from S3's XML error body (`<Code>`, `<Message>`).
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    public var http: HTTPClient
    public var timeouts: HTTPTimeouts
    public var retryPolicy: RetryPolicy

    public static let defaultTimeouts = HTTPTimeouts(connect: 10, idle: 60, total: nil)
    /// 4 attempts with backoff; S3 asks clients to retry 500 InternalError and 503 SlowDown.
    public static let defaultRetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: 0.5, maxDelay: 10, maxRetryAfter: 30,
                                                       retryableStatuses: [429, 500, 502, 503, 504])

    public init(configuration: S3Configuration, http: HTTPClient = HTTPClient()) {
        self.configuration = configuration
        self.http = http
        self.timeouts = S3Client.defaultTimeouts
        self.retryPolicy = S3Client.defaultRetryPolicy
    }

    /// A client configured from the AWS environment variables (see `S3Configuration.fromEnvironment`).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       http: HTTPClient = HTTPClient()) throws(S3Error) -> S3Client {
        S3Client(configuration: try S3Configuration.fromEnvironment(environment), http: http)
    }

    // MARK: calls

    /// The object's bytes (`GetObject`).
    public func getObject(_ location: S3Location, cancellation: HTTPCancellation? = nil) async throws(S3Error) -> [UInt8] {
        let operation = "reading \(location)"
        try S3Client.requireObject(location, operation)
        let request = makeRequest(.get, bucket: location.bucket, key: location.key)
        return try await send(request, operation: operation, location: location, isObject: true,
                              cancellation: cancellation).body
    }

    /// The object's size and ETag, without its bytes (`HeadObject`).
    public func headObject(_ location: S3Location, cancellation: HTTPCancellation? = nil) async throws(S3Error) -> S3Object {
        let operation = "looking up \(location)"
        try S3Client.requireObject(location, operation)
        let request = makeRequest(.head, bucket: location.bucket, key: location.key)
        let response = try await send(request, operation: operation, location: location, isObject: true,
                                      cancellation: cancellation)
        guard let length = response.headers["Content-Length"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), length >= 0 else {
            throw S3Error(.invalidResponse, "S3 sent no Content-Length while \(operation)")
        }
        guard let etag = response.headers["ETag"].map(S3Client.unquoted), !etag.isEmpty else {
            throw S3Error(.invalidResponse, "S3 sent no ETag while \(operation)")
        }
        return S3Object(key: location.key, size: length, etag: etag, lastModified: nil)
    }

    /// Bytes `range` of the object (a ranged `GetObject`), only while its ETag is still `etag` (`If-Match`): a
    /// changed object fails with `isPreconditionFailed` instead of mixing two versions. Checks that S3 sent
    /// exactly the bytes asked for.
    public func getObject(_ location: S3Location, range: Range<Int64>, ifMatch etag: String,
                          cancellation: HTTPCancellation? = nil) async throws(S3Error) -> [UInt8] {
        let operation = "reading \(location) (bytes \(range.lowerBound)-\(range.upperBound - 1))"
        try S3Client.requireObject(location, operation)
        guard !range.isEmpty, range.lowerBound >= 0 else {
            throw S3Error(.invalidLocation, "empty byte range while \(operation)")
        }
        var request = makeRequest(.get, bucket: location.bucket, key: location.key)
        request.headers.set("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")
        request.headers.set("If-Match", "\"\(etag)\"")
        let response = try await send(request, operation: operation, location: location, isObject: true,
                                      cancellation: cancellation)
        guard response.status == 206 || (response.status == 200 && range.lowerBound == 0) else {
            throw S3Error(.invalidResponse, "S3 answered HTTP \(response.status) to a ranged read while \(operation)",
                          httpStatus: response.status)
        }
        let wanted = range.upperBound - range.lowerBound
        guard Int64(response.body.count) == wanted || (response.status == 200 && Int64(response.body.count) >= wanted) else {
            throw S3Error(.invalidResponse, "S3 sent \(response.body.count) bytes for \(wanted) asked while \(operation)")
        }
        return response.body.count == Int(wanted) ? response.body : Array(response.body.prefix(Int(wanted)))
    }

    /// Writes `body` to the object (`PutObject`), replacing it; returns the ETag S3 answered (without quotes),
    /// when it sent one. With `onlyIfAbsent`, an object already there is left alone and the call fails with
    /// `isPreconditionFailed` (S3's conditional write, `If-None-Match: *`).
    @discardableResult
    public func putObject(_ location: S3Location, body: [UInt8], contentType: String = "application/octet-stream",
                          onlyIfAbsent: Bool = false, cancellation: HTTPCancellation? = nil) async throws(S3Error) -> String? {
        let operation = "writing \(location)"
        try S3Client.requireObject(location, operation)
        var request = makeRequest(.put, bucket: location.bucket, key: location.key, body: body)
        // Always a Content-Type: without one curl sends a form type, and some servers then eat the body.
        request.headers.set("Content-Type", contentType)
        if onlyIfAbsent { request.headers.set("If-None-Match", "*") }
        let response = try await send(request, operation: operation, location: location, isObject: true,
                                      cancellation: cancellation)
        return response.headers["ETag"].map(S3Client.unquoted)
    }

    /// Every object whose key starts with `location.key` (`ListObjectsV2`, all pages, no delimiter: keys in
    /// "subfolders" too), in S3's order (by key). `pageSize` is S3's `max-keys` (1 to 1000; S3's default 1000).
    public func listObjects(in location: S3Location, pageSize: Int? = nil,
                            cancellation: HTTPCancellation? = nil) async throws(S3Error) -> [S3Object] {
        try await listObjects(bucket: location.bucket, prefix: location.key, pageSize: pageSize, cancellation: cancellation)
    }

    /// Every object in `bucket` whose key starts with `prefix`; see `listObjects(in:)`.
    public func listObjects(bucket: String, prefix: String = "", pageSize: Int? = nil,
                            cancellation: HTTPCancellation? = nil) async throws(S3Error) -> [S3Object] {
        let location = try S3Location(bucket: bucket, key: prefix)
        let operation = "listing \(location)"
        if let pageSize, !(1...1000).contains(pageSize) {
            throw S3Error(.invalidLocation, "page size \(pageSize) out of range 1...1000 while \(operation)")
        }
        var objects: [S3Object] = []
        var token: String?
        var seenTokens = Set<String>()
        while true {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let pageSize { query.append(("max-keys", String(pageSize))) }
            if let token { query.append(("continuation-token", token)) }
            let request = makeRequest(.get, bucket: bucket, key: nil, query: query)
            let response = try await send(request, operation: operation, location: location, isObject: false,
                                          cancellation: cancellation)
            let page = try S3Client.parseListPage(response.body, operation: operation)
            objects += page.objects
            guard page.isTruncated else { return objects }
            guard let next = page.nextToken, !next.isEmpty else {
                throw S3Error(.invalidResponse, "S3 said the listing is truncated but sent no NextContinuationToken while \(operation)")
            }
            guard seenTokens.insert(next).inserted else {
                throw S3Error(.invalidResponse, "S3 sent the same continuation token twice while \(operation)")
            }
            token = next
        }
    }

    // MARK: requests

    /// The hex SHA-256 of the empty payload.
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? emptyPayloadHash : SHA256.hash(data: bytes).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }.joined()
    }

    /// A signed request for `key` in `bucket` (nil: the bucket itself), with `query` canonically encoded.
    func makeRequest(_ method: HTTPMethod, bucket: String, key: String?, query: [(String, String)] = [],
                     body: [UInt8]? = nil) -> HTTPRequest {
        var request = HTTPRequest(method: method, url: url(bucket: bucket, key: key, query: query), body: body,
                                  timeouts: timeouts, retryPolicy: retryPolicy, isSafeToRepeat: true)
        request.headers.set("x-amz-content-sha256", S3Client.sha256Hex(body ?? []))
        request.awsSigV4 = AWSSigV4(region: configuration.region, service: "s3", accessKeyID: configuration.accessKeyID,
                                    secretAccessKey: configuration.secretAccessKey, sessionToken: configuration.sessionToken)
        return request
    }

    /// Path-style for a custom endpoint; virtual-hosted on AWS unless the bucket name has a dot.
    func url(bucket: String, key: String?, query: [(String, String)] = []) -> String {
        let keyPath = key.map { "/" + S3Client.uriEncode($0, keepSlash: true) } ?? ""
        var url: String
        if let endpoint = configuration.endpoint {
            url = endpoint + "/" + bucket + keyPath
        } else {
            let domain = configuration.region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
            if bucket.contains(".") {
                url = "https://s3.\(configuration.region).\(domain)/\(bucket)\(keyPath)"
            } else {
                url = "https://\(bucket).s3.\(configuration.region).\(domain)" + (keyPath.isEmpty ? "/" : keyPath)
            }
        }
        if !query.isEmpty { url += "?" + S3Client.canonicalQuery(query) }
        return url
    }

    /// AWS's `UriEncode`: every byte of the UTF-8 but `A-Z a-z 0-9 - . _ ~` as `%XX` (upper-case hex); `/` kept
    /// when `keepSlash` (object paths).
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF")
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            }
        }
        return out
    }

    /// `name=value` pairs encoded and sorted by name (then value), joined by `&`: the query exactly as SigV4
    /// canonicalises it (curl 7.88 signs the query as written).
    static func canonicalQuery(_ pairs: [(String, String)]) -> String {
        pairs.map { (uriEncode($0.0, keepSlash: false), uriEncode($0.1, keepSlash: false)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    private static func requireObject(_ location: S3Location, _ operation: String) throws(S3Error) {
        if location.key.isEmpty {
            throw S3Error(.invalidLocation, "\(location) names a bucket, not an object, while \(operation)")
        }
    }

    func send(_ request: HTTPRequest, operation: String, location: S3Location, isObject: Bool,
                      cancellation: HTTPCancellation?) async throws(S3Error) -> HTTPResponse {
        do {
            return try await http.send(request, cancellation: cancellation)
        } catch {
            throw S3Client.error(from: error, operation: operation, location: location, isObject: isObject)
        }
    }

    // MARK: errors

    static let credentialCodes: Set<String> = [
        "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken",
        "TokenRefreshRequired", "InvalidSecurity", "AllAccessDisabled", "AccountProblem",
    ]
    static let regionCodes: Set<String> = [
        "AuthorizationHeaderMalformed", "PermanentRedirect", "IllegalLocationConstraintException", "InvalidRegion",
    ]

    /// The one-line `S3Error` for an HTTP failure, from S3's XML error body when there is one. `isObject`: the
    /// request named an object (a 404 without an S3 code then means no such key).
    static func error(from error: HTTPError, operation: String, location: S3Location, isObject: Bool) -> S3Error {
        let at = error.endpoint.isEmpty ? "" : " from \(error.endpoint)"
        switch error.kind {
        case .cancelled:
            return S3Error(.cancelled, "S3 request cancelled while \(operation)")
        case .status(let status):
            let parsed = parseError(error.body)
            let code = parsed.code
            let said = [code, parsed.message].compactMap { $0 }.joined(separator: ": ")
            let detail = "(HTTP \(status)\(at)\(said.isEmpty ? "" : "; \(said)"))"
            let retried = error.attempts > 1 ? " after \(error.attempts) attempts" : ""
            switch code {
            case "NoSuchKey":
                return S3Error(.noSuchKey, "S3 object \(location) does not exist \(detail)", code: code, httpStatus: status)
            case "NoSuchBucket":
                return S3Error(.noSuchBucket, "S3 bucket '\(location.bucket)' does not exist, while \(operation) \(detail)",
                               code: code, httpStatus: status)
            case let code? where credentialCodes.contains(code):
                return S3Error(.credentials, credentialMessage(operation, detail), code: code, httpStatus: status)
            case let code? where regionCodes.contains(code):
                return S3Error(.service, "S3 refused the request while \(operation) \(detail); check AWS_REGION "
                               + "(and AWS_ENDPOINT_URL)", code: code, httpStatus: status)
            case let code?:
                return S3Error(.service, "S3 error while \(operation)\(retried) \(detail)", code: code, httpStatus: status)
            case nil where status == 401 || status == 403:
                return S3Error(.credentials, credentialMessage(operation, detail), httpStatus: status)
            case nil where status == 404 && isObject:
                return S3Error(.noSuchKey, "S3 object \(location) does not exist \(detail)", httpStatus: status)
            case nil:
                let excerpt = String(S3Excerpt.text(error.body).prefix(200))
                return S3Error(.service, "S3 error while \(operation)\(retried) (HTTP \(status)\(at)"
                               + (excerpt.isEmpty ? ")" : ": \(excerpt))"), code: "HTTP \(status)", httpStatus: status)
            }
        default:
            return S3Error(.transport, "S3 request failed while \(operation): \(error.description)")
        }
    }

    private static func credentialMessage(_ operation: String, _ detail: String) -> String {
        "S3 refused the credentials while \(operation) \(detail); check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY "
            + "and AWS_SESSION_TOKEN, and what they are allowed to do"
    }

    /// `<Code>` and `<Message>` of an S3 error document; nils when the body is not one.
    static func parseError(_ body: String) -> (code: String?, message: String?) {
        guard let root = S3XML.parse(Array(body.utf8)) else {
            // The body excerpt may be cut short: take what is there.
            return (S3XML.firstText(of: "Code", in: body), S3XML.firstText(of: "Message", in: body))
        }
        let error = root.name == "Error" ? root : root.child("Error")
        func text(_ name: String) -> String? {
            error?.child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        return (text("Code"), text("Message"))
    }

    static func unquoted(_ etag: String) -> String {
        var text = trimmingXMLSpace(etag)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        return text
    }
}

extension S3Client: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "S3Client(\(configuration))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["client": description]) }
}

/// A short one-line excerpt of a body for messages.
enum S3Excerpt {
    static func text(_ body: String) -> String {
        let line = S3Error.oneLine(body)
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }
}
