import Foundation
import HTTPKit
import HTTPTestServer
@testable import JobKit
import XCTest

// S3: locations, XML, signing (AWS's published SigV4 examples through HTTPKit and libcurl, and the canonical
// request targets S3Client writes), and the client against a real moto server that checks every signature.

// MARK: - Locations

final class S3LocationTests: XCTestCase {
    func testObjectsAndPrefixes() throws {
        let object = try S3Location(parsing: "s3://my-bucket/in/talk one+two.txt")
        XCTAssertEqual(object.bucket, "my-bucket")
        XCTAssertEqual(object.key, "in/talk one+two.txt")
        XCTAssertFalse(object.isPrefix)
        XCTAssertEqual(object.name, "talk one+two.txt")
        XCTAssertEqual(object.description, "s3://my-bucket/in/talk one+two.txt")

        let prefix = try S3Location(parsing: "  S3://out.bucket.1/summaries/ \n")
        XCTAssertEqual(prefix.bucket, "out.bucket.1")
        XCTAssertEqual(prefix.key, "summaries/")
        XCTAssertTrue(prefix.isPrefix)
        XCTAssertEqual(try prefix.appending("talk_summary.txt").description, "s3://out.bucket.1/summaries/talk_summary.txt")

        for whole in ["s3://abc", "s3://abc/"] {
            let location = try S3Location(parsing: whole)
            XCTAssertEqual(location.bucket, "abc")
            XCTAssertEqual(location.key, "")
            XCTAssertTrue(location.isPrefix)
        }
        // Taken literally: no percent-decoding, '?' and '#' belong to the key, '//' too.
        XCTAssertEqual(try S3Location(parsing: "s3://abc/a%20b?x#y").key, "a%20b?x#y")
        XCTAssertEqual(try S3Location(parsing: "s3://abc//lead").key, "/lead")
        XCTAssertEqual(try S3Location(parsing: "s3://abc/日本語/ü.txt").key, "日本語/ü.txt")
    }

    func testRejectsWithClearMessages() {
        let cases: [(String, String)] = [
            ("https://bucket/key", "not an S3 location: 'https://bucket/key' (expected s3://bucket/key or s3://bucket/prefix/)"),
            ("bucket/key", "not an S3 location"),
            ("s3://", "no bucket in S3 location 's3://'"),
            ("s3:///key", "no bucket in S3 location"),
            ("s3://ab/key", "invalid S3 bucket name 'ab': it must be 3 to 63 characters long"),
            ("s3://My_Bucket/key", "invalid S3 bucket name 'My_Bucket': only lower-case letters, digits, '.' and '-' are allowed"),
            ("s3://-bucket/key", "must start and end with a letter or digit"),
            ("s3://bucket-/key", "must start and end with a letter or digit"),
            ("s3://a..b/key", "must not contain '..'"),
            ("s3://192.168.1.10/key", "must not look like an IP address"),
            ("s3://\(String(repeating: "a", count: 64))/k", "3 to 63 characters"),
            ("s3://bucket/" + String(repeating: "k", count: 1025), "S3 key too long (1025 bytes, at most 1024) in bucket 'bucket'"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try S3Location(parsing: text), text) { error in
                guard let error = error as? S3Error else { return XCTFail("not an S3Error: \(error)") }
                XCTAssertEqual(error.kind, .invalidLocation, text)
                XCTAssertTrue(error.description.contains(expected), "\(text): \(error)")
                XCTAssertFalse(error.description.contains("\n"))
            }
        }
        XCTAssertThrowsError(try S3Location(parsing: "s3://bucket/" + String(repeating: "k", count: 1020)).appending("toolong"))
    }
}

// MARK: - XML and errors

final class S3XMLTests: XCTestCase {
    func testListPageWithEntitiesAndPaging() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a listing -->
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bkt</Name><Prefix/><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>
              <IsTruncated> true </IsTruncated>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
              <Contents><Key>a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233;&#x65E5;.txt</Key>
                <LastModified>2009-10-12T17:50:30.000Z</LastModified>
                <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>
                <StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>  spaced key  </Key><LastModified>2024-02-29T23:59:59Z</LastModified><ETag>"x-2"</ETag><Size>0</Size></Contents>
              <Contents><Key><![CDATA[raw <key> & more]]></Key><Size>7</Size></Contents>
            </ListBucketResult>
            """
        let page = try S3Client.parseListPage(Array(xml.utf8), operation: "listing s3://bkt/")
        XCTAssertTrue(page.isTruncated)
        XCTAssertEqual(page.nextToken, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        XCTAssertEqual(page.objects.map(\.key), ["a&b <c> \"d\" 'e' é日.txt", "  spaced key  ", "raw <key> & more"])
        XCTAssertEqual(page.objects.map(\.size), [434234, 0, 7])
        XCTAssertEqual(page.objects.map(\.etag), ["fba9dede5f27731c9771645a39863328", "x-2", ""])
        XCTAssertEqual(page.objects[0].lastModified, Date(timeIntervalSince1970: 1_255_369_830))
        XCTAssertEqual(page.objects[1].lastModified, Date(timeIntervalSince1970: 1_709_251_199))
        XCTAssertNil(page.objects[2].lastModified)

        let last = try S3Client.parseListPage(Array("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>".utf8),
                                              operation: "x")
        XCTAssertFalse(last.isTruncated)
        XCTAssertTrue(last.objects.isEmpty)
    }

    func testMalformedListingsAreErrors() {
        for body in ["<ListBucketResult><Contents><Key>a</Key></ListBucketResult>",  // mismatched
                     "<ListBucketResult><Contents><Key>a&nbsp;</Key></Contents></ListBucketResult>",  // unknown entity
                     "<html>proxy page</html>", "not xml",
                     "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
                     "<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>"] {
            XCTAssertThrowsError(try S3Client.parseListPage(Array(body.utf8), operation: "listing s3://bkt/")) { error in
                XCTAssertEqual((error as? S3Error)?.kind, .invalidResponse, body)
                XCTAssertTrue("\(error)".contains("listing s3://bkt/"), "\(error)")
            }
        }
    }

    func testErrorBodies() {
        let full = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist &amp; never did</Message>
            <Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """
        XCTAssertEqual(S3Client.parseError(full).code, "NoSuchKey")
        XCTAssertEqual(S3Client.parseError(full).message, "The resource you requested does not exist & never did")
        // HTTPKit keeps 2,000 characters of an error body: a cut-off document still yields its code.
        let cut = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature</Message><StringToSign>AWS4"
        XCTAssertEqual(S3Client.parseError(cut).code, "SignatureDoesNotMatch")
        XCTAssertEqual(S3Client.parseError(cut).message, "The request signature")
        XCTAssertNil(S3Client.parseError("Bad Gateway").code)
    }

    /// A reply nested 100,000 levels deep crashed with a stack overflow when its tree was freed.
    func testADeeplyNestedReplyIsAnS3Error() {
        let depth = 100_000
        let body = "<ListBucketResult>" + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth) + "</ListBucketResult>"
        XCTAssertThrowsError(try S3Client.parseListPage(Array(body.utf8), operation: "listing s3://bkt/")) { error in
            XCTAssertEqual((error as? S3Error)?.kind, .invalidResponse)
        }
        let deepError = "<Error><Code>SlowDown</Code>" + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth) + "</Error>"
        XCTAssertEqual(S3Client.parseError(deepError).code, "SlowDown", "an error document too deep for the tree still yields its code")
        // As deep as S3 goes, and a little more, is fine.
        let nested = "<ListBucketResult><Contents><Key>k</Key><Owner><ID>" + String(repeating: "<x>", count: 40) + String(repeating: "</x>", count: 40)
            + "</ID></Owner></Contents></ListBucketResult>"
        XCTAssertEqual(try S3Client.parseListPage(Array(nested.utf8), operation: "x").objects.map(\.key), ["k"])
    }

    /// A LastModified with 20 fraction digits trapped (an Int overflow); it is not a time S3 writes.
    func testALastModifiedWithTwentyFractionDigitsIsAnS3Error() {
        let body = "<ListBucketResult><Contents><Key>a.txt</Key><LastModified>2024-05-01T12:34:56.12345678901234567890Z</LastModified>"
            + "<Size>1</Size></Contents></ListBucketResult>"
        XCTAssertThrowsError(try S3Client.parseListPage(Array(body.utf8), operation: "listing s3://bkt/")) { error in
            XCTAssertEqual((error as? S3Error)?.kind, .invalidResponse)
            XCTAssertTrue("\(error)".contains("LastModified"), "\(error)")
        }
        XCTAssertNil(S3Client.parseTimestamp("2024-05-01T12:34:56.12345678901234567890Z"))
        XCTAssertNil(S3Client.parseTimestamp("2024-05-01T12:34:56.Z"))
        XCTAssertEqual(S3Client.parseTimestamp("2000-03-01T00:00:00.123456789Z")?.timeIntervalSince1970 ?? 0, 951_868_800.123456789, accuracy: 1e-6)
    }

    /// The same two replies over HTTP, as `jobs watch s3://…` meets them: an S3 error each, no crash.
    func testHostileListingRepliesOverHTTPAreS3Errors() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        let deep = "<ListBucketResult>" + String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000) + "</ListBucketResult>"
        let fraction = "<ListBucketResult><Contents><Key>a.txt</Key><LastModified>2024-05-01T12:34:56.12345678901234567890Z</LastModified>"
            + "<Size>1</Size></Contents></ListBucketResult>"
        server.route("GET", "/deep", response: .text(deep, contentType: "application/xml"))
        server.route("GET", "/fraction", response: .text(fraction, contentType: "application/xml"))
        let client = S3Client(configuration: S3Configuration(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", endpoint: server.baseURL),
                              http: HTTPClient(proxy: .none))
        for bucket in ["deep", "fraction"] {
            do {
                _ = try await client.listObjects(in: try S3Location(parsing: "s3://\(bucket)/in/"))
                XCTFail("\(bucket): listed")
            } catch {
                XCTAssertEqual(error.kind, .invalidResponse, "\(bucket): \(error)")
                XCTAssertTrue(error.message.contains("listing s3://\(bucket)/in/"), error.message)
            }
        }
    }

    func testTimestamps() {
        XCTAssertEqual(S3Client.parseTimestamp("1970-01-01T00:00:00Z"), Date(timeIntervalSince1970: 0))
        XCTAssertEqual(S3Client.parseTimestamp("2000-03-01T00:00:00.500Z"), Date(timeIntervalSince1970: 951_868_800.5))
        XCTAssertNil(S3Client.parseTimestamp("2000-13-01T00:00:00Z"))
        XCTAssertNil(S3Client.parseTimestamp("yesterday"))
        XCTAssertNil(S3Client.parseTimestamp("2000-03-01T00:00:00+01:00"))
    }
}

// MARK: - Signing and canonical requests (loopback test server)

private let exampleKeyID = "AKIAIOSFODNN7EXAMPLE"
private let exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
private let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/// The `SignedHeaders` and `Signature` parts of an `Authorization: AWS4-HMAC-SHA256 …` value.
private func signatureParts(_ authorization: String?) -> (credential: String, signedHeaders: String, signature: String)? {
    guard let authorization, authorization.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
    var parts: [String: String] = [:]
    for item in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
        let pair = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
        if pair.count == 2 { parts[String(pair[0])] = String(pair[1]) }
    }
    guard let credential = parts["Credential"], let signed = parts["SignedHeaders"], let signature = parts["Signature"] else { return nil }
    return (credential, signed, signature)
}

final class S3SigningTests: XCTestCase {
    private let http = HTTPClient(proxy: .none)

    private func send(_ request: HTTPRequest, to server: HTTPTestServer) async throws -> RecordedRequest {
        _ = try await http.send(request)
        return try XCTUnwrap(server.requests.last)
    }

    /// AWS's published S3 SigV4 examples (the S3 API reference, "Signature Calculations for the
    /// Authorization Header"), signed by libcurl through HTTPKit: `Host` and `x-amz-date` are given as
    /// headers so that the request is the example's, sent to a loopback server.
    func testAWSPublishedExamples() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/test.txt") { _ in .text("0123456789") }
        server.route("PUT", "/test%24file.text") { _ in .text("") }
        server.route("GET", "/") { _ in .text("<ListBucketResult/>") }
        let signing = AWSSigV4(region: "us-east-1", service: "s3", accessKeyID: exampleKeyID, secretAccessKey: exampleSecret)
        let base: HTTPHeaders = ["Host": "examplebucket.s3.amazonaws.com", "x-amz-date": "20130524T000000Z"]

        // GET Object.
        var get = HTTPRequest(method: .get, url: server.baseURL + "/test.txt", headers: base)
        get.headers.add("Range", "bytes=0-9")
        get.headers.add("x-amz-content-sha256", emptySHA256)
        get.awsSigV4 = signing
        let gotGet = try await send(get, to: server)
        let getParts = try XCTUnwrap(signatureParts(gotGet.header("Authorization")), gotGet.raw)
        XCTAssertEqual(getParts.credential, "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request")
        XCTAssertEqual(getParts.signedHeaders, "host;range;x-amz-content-sha256;x-amz-date")
        XCTAssertEqual(getParts.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")

        // PUT Object (no Content-Type given: curl adds a form type, unsigned).
        var put = HTTPRequest(method: .put, url: server.baseURL + "/test%24file.text", headers: base,
                              body: Array("Welcome to Amazon S3.".utf8))
        put.headers.add("Date", "Fri, 24 May 2013 00:00:00 GMT")
        put.headers.add("x-amz-storage-class", "REDUCED_REDUNDANCY")
        put.headers.add("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        XCTAssertEqual(S3Client.sha256Hex(put.body!), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        put.awsSigV4 = signing
        let gotPut = try await send(put, to: server)
        let putParts = try XCTUnwrap(signatureParts(gotPut.header("Authorization")), gotPut.raw)
        XCTAssertEqual(putParts.signedHeaders, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class")
        XCTAssertEqual(putParts.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
        XCTAssertEqual(gotPut.text, "Welcome to Amazon S3.")
        XCTAssertNil(gotPut.header("Expect"))

        // GET Bucket (List Objects): the query is signed as written, so it must be in canonical order.
        var list = HTTPRequest(method: .get, url: server.baseURL + "/?" + S3Client.canonicalQuery([("prefix", "J"), ("max-keys", "2")]),
                               headers: base)
        list.headers.add("x-amz-content-sha256", emptySHA256)
        list.awsSigV4 = signing
        let gotList = try await send(list, to: server)
        XCTAssertEqual(gotList.target, "/?max-keys=2&prefix=J")
        XCTAssertEqual(signatureParts(gotList.header("Authorization"))?.signature,
                       "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    /// The session token goes out signed as `x-amz-security-token`; neither it nor the secret key shows in a
    /// description, a dump or an error of the request.
    func testSessionTokenAndSecretsStayOutOfText() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        server.route("GET", "/bkt/k") { request in .text("echo \(request.raw)", status: 403) }
        let secret = "SECRET-wJalrXUtnFEMI-0123456789"
        let token = "TOKEN-FQoGZXIvYXdzEJr-0123456789"
        var request = HTTPRequest(method: .get, url: server.baseURL + "/bkt/k", retryPolicy: .none)
        request.headers.add("x-amz-content-sha256", emptySHA256)
        request.awsSigV4 = AWSSigV4(region: "eu-west-1", service: "s3", accessKeyID: "AKIDEXAMPLE",
                                    secretAccessKey: secret, sessionToken: token)
        var texts = ["\(request)", String(reflecting: request), "\(request.awsSigV4!)", String(reflecting: request.awsSigV4!)]
        var dumped = ""
        dump(request, to: &dumped)
        dump(request.awsSigV4!, to: &dumped)
        texts.append(dumped)
        do {
            _ = try await http.send(request)
            XCTFail("expected a 403")
        } catch {
            texts += ["\(error)", String(reflecting: error), error.localizedDescription, error.body]
            XCTAssertTrue(error.body.contains("[redacted]"), error.body)  // the echoed token was there, and went
        }
        for text in texts {
            XCTAssertFalse(text.contains(secret), text)
            XCTAssertFalse(text.contains(token), text)
        }
        XCTAssertTrue("\(request)".contains("aws-sigv4 aws:amz:eu-west-1:s3 key AKIDEXAMPLE"), "\(request)")

        let got = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(got.header("x-amz-security-token"), token)
        let parts = try XCTUnwrap(signatureParts(got.header("Authorization")))
        XCTAssertTrue(parts.credential.hasSuffix("/eu-west-1/s3/aws4_request"), parts.credential)
        XCTAssertEqual(parts.signedHeaders, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
        XCTAssertNil(got.header("Expect"))
    }

    /// What S3Client puts on the wire: paths and queries in AWS's canonical encoding (curl signs them as
    /// written), the payload hash, a Content-Type, every page of a listing with its continuation token.
    func testClientRequestsAreCanonical() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        let token = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J+wm36Hy4vbOwM="
        server.fallback { request in
            switch (request.method, request.path) {
            case ("PUT", _): return TestResponse.text("", headers: [("ETag", "\"abc123\"")])
            case ("GET", "/bkt"):
                let truncated = !request.target.contains("continuation-token")
                let xml = truncated
                    ? "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>\(token)</NextContinuationToken>"
                        + "<Contents><Key>in put/a.txt</Key><Size>1</Size></Contents></ListBucketResult>"
                    : "<ListBucketResult><IsTruncated>false</IsTruncated>"
                        + "<Contents><Key>in put/b.txt</Key><Size>2</Size></Contents></ListBucketResult>"
                return TestResponse.text(xml, contentType: "application/xml")
            case ("GET", _): return TestResponse.text("body")
            default: return nil
            }
        }
        let client = S3Client(configuration: S3Configuration(accessKeyID: "AKID", secretAccessKey: "shh-0123456789",
                                                             region: "eu-central-1", endpoint: server.baseURL),
                              http: http)
        let key = try S3Location(parsing: "s3://bkt/dir/a b+c&d=e;ü~x.(1)*!'.txt")
        let fetched = try await client.getObject(key)
        XCTAssertEqual(fetched, Array("body".utf8))
        let get = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(get.target, "/bkt/dir/a%20b%2Bc%26d%3De%3B%C3%BC~x.%281%29%2A%21%27.txt")
        XCTAssertEqual(get.header("x-amz-content-sha256"), emptySHA256)
        XCTAssertEqual(signatureParts(get.header("Authorization"))?.signedHeaders, "host;x-amz-content-sha256;x-amz-date")

        let body = Array("Zusammenfassung – 要約\n".utf8)
        let etag = try await client.putObject(try S3Location(parsing: "s3://bkt/out/x_summary.txt"), body: body,
                                              contentType: "text/plain; charset=utf-8")
        XCTAssertEqual(etag, "abc123")
        let put = try XCTUnwrap(server.requests.last)
        XCTAssertEqual(put.method, "PUT")
        XCTAssertEqual(put.target, "/bkt/out/x_summary.txt")
        XCTAssertEqual(put.body, body)
        XCTAssertEqual(put.header("Content-Type"), "text/plain; charset=utf-8")
        XCTAssertEqual(put.header("x-amz-content-sha256"), S3Client.sha256Hex(body))
        XCTAssertEqual(S3Client.sha256Hex(Array("hello".utf8)), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertEqual(signatureParts(put.header("Authorization"))?.signedHeaders,
                       "content-type;host;x-amz-content-sha256;x-amz-date")

        let before = server.requests.count
        let listed = try await client.listObjects(bucket: "bkt", prefix: "in put/", pageSize: 2)
        XCTAssertEqual(listed.map(\.key), ["in put/a.txt", "in put/b.txt"])
        let pages = server.requests.dropFirst(before).map(\.target)
        XCTAssertEqual(pages, ["/bkt?list-type=2&max-keys=2&prefix=in%20put%2F",
                               "/bkt?continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Bwm36Hy4vbOwM%3D&list-type=2&max-keys=2&prefix=in%20put%2F"])
        for request in server.requests {
            XCTAssertTrue(signatureParts(request.header("Authorization"))?.credential.hasSuffix("/eu-central-1/s3/aws4_request") == true)
        }
    }

    func testAWSAddressing() throws {
        let aws = S3Client(configuration: S3Configuration(accessKeyID: "a", secretAccessKey: "b", region: "eu-west-1"))
        XCTAssertEqual(aws.url(bucket: "my-bucket", key: "a b.txt"), "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b.txt")
        XCTAssertEqual(aws.url(bucket: "my-bucket", key: nil, query: [("list-type", "2")]),
                       "https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2")
        XCTAssertEqual(aws.url(bucket: "my.bucket", key: "k"), "https://s3.eu-west-1.amazonaws.com/my.bucket/k")
        let china = S3Client(configuration: S3Configuration(accessKeyID: "a", secretAccessKey: "b", region: "cn-north-1"))
        XCTAssertEqual(china.url(bucket: "b12", key: "k"), "https://b12.s3.cn-north-1.amazonaws.com.cn/k")
        let custom = S3Client(configuration: S3Configuration(accessKeyID: "a", secretAccessKey: "b", endpoint: "http://minio:9000"))
        XCTAssertEqual(custom.url(bucket: "b12", key: "dir/k"), "http://minio:9000/b12/dir/k")
    }

    /// S3's 500/503 are retried (GET, LIST and PUT are all safe to repeat); a persistent one is a transient error.
    func testServerErrorsAreRetried() async throws {
        let server = try HTTPTestServer()
        defer { server.stop() }
        let slowDown = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
        let counter = Counter()
        server.route("PUT", "/bkt/k") { _ in
            counter.next() == 1 ? .text(slowDown, status: 503, contentType: "application/xml") : .text("")
        }
        server.route("GET", "/bkt/k") { _ in
            .text("<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>", status: 500)
        }
        var client = S3Client(configuration: S3Configuration(accessKeyID: "a", secretAccessKey: "b", endpoint: server.baseURL),
                              http: http)
        client.retryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02,
                                         retryableStatuses: S3Client.defaultRetryPolicy.retryableStatuses)
        let location = try S3Location(parsing: "s3://bkt/k")
        try await client.putObject(location, body: [1, 2, 3])
        XCTAssertEqual(server.requests.filter { $0.method == "PUT" }.count, 2)
        XCTAssertEqual(server.requests.filter { $0.method == "PUT" }.map(\.body), [[1, 2, 3], [1, 2, 3]])
        do {
            _ = try await client.getObject(location)
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error.kind, .service)
            XCTAssertEqual(error.code, "InternalError")
            XCTAssertTrue(error.isTransient)
            XCTAssertEqual(error.description, "S3 error while reading s3://bkt/k after 3 attempts (HTTP 500 from "
                           + "127.0.0.1:\(server.port); InternalError: We encountered an internal error.)")
        }
    }

    func testEnvironment() throws {
        func failure(_ environment: [String: String]) -> S3Error? {
            do {
                _ = try S3Configuration.fromEnvironment(environment)
                return nil
            } catch { return error }
        }
        XCTAssertEqual(failure([:])?.variable, "AWS_ACCESS_KEY_ID")
        XCTAssertEqual(failure([:])?.description,
                       "AWS_ACCESS_KEY_ID is not set: S3 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                       + "(and AWS_SESSION_TOKEN for temporary credentials)")
        let secretMissing = failure(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": " "])
        XCTAssertEqual(secretMissing?.kind, .configuration)
        XCTAssertEqual(secretMissing?.variable, "AWS_SECRET_ACCESS_KEY")
        XCTAssertTrue(secretMissing?.description.hasPrefix("AWS_SECRET_ACCESS_KEY is not set") == true)

        let keys = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value-0123456789"]
        let plain = try S3Configuration.fromEnvironment(keys)
        XCTAssertEqual(plain.region, "us-east-1")
        XCTAssertNil(plain.endpoint)
        XCTAssertNil(plain.sessionToken)
        var all = keys
        all["AWS_DEFAULT_REGION"] = "eu-west-3"
        XCTAssertEqual(try S3Configuration.fromEnvironment(all).region, "eu-west-3")
        all["AWS_REGION"] = "ap-south-1"
        all["AWS_SESSION_TOKEN"] = "tok-0123456789"
        all["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9000/"
        let full = try S3Configuration.fromEnvironment(all)
        XCTAssertEqual(full.region, "ap-south-1")
        XCTAssertEqual(full.endpoint, "http://127.0.0.1:9000")
        XCTAssertEqual(full.sessionToken, "tok-0123456789")
        all["AWS_ENDPOINT_URL_S3"] = "https://s3.example.test"
        XCTAssertEqual(try S3Configuration.fromEnvironment(all).endpoint, "https://s3.example.test")
        var dumped = ""
        dump(full, to: &dumped)
        for text in ["\(full)", String(reflecting: full), dumped] {
            XCTAssertFalse(text.contains("s3cr3t"), text)
            XCTAssertFalse(text.contains("tok-0123456789"), text)
        }

        var bad = keys
        bad["AWS_REGION"] = "us-east-1:evil"
        XCTAssertEqual(failure(bad)?.variable, "AWS_REGION")
        bad = keys
        bad["AWS_ENDPOINT_URL"] = "minio:9000"
        XCTAssertEqual(failure(bad)?.variable, "AWS_ENDPOINT_URL")
        XCTAssertEqual(failure(bad)?.description, "AWS_ENDPOINT_URL 'minio:9000' is not an http:// or https:// base URL")
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

// MARK: - Against a real moto server

/// A moto S3 server for these tests, started once for the class and stopped after it. moto comes from
/// python3 when it has `moto[server]`, else from `python3 -m pip install --target <cache> "moto[server]"`
/// (the cache: `$YTCE_MOTO_DIR`, else `$XDG_CACHE_HOME/ytce/moto-pythonX.Y`, else `~/.cache/ytce/…`); the
/// tests skip, saying so, only when that install fails.
///
/// moto checks signatures when IAM authentication is on (`/moto-api/reset-auth 0`): the set-up creates an
/// IAM user with an access key and an `s3:*` policy while it is still off, then turns it on, so every
/// request below is verified by botocore's S3 signer. (moto's check rebuilds the URL through werkzeug,
/// which re-quotes some characters, so a key with `+`, `&` or non-ASCII characters, or a listing prefix with
/// `/`, fails its check however it is signed: boto3's own requests fail it the same way. The test of such
/// keys and prefixes turns the check off; their encoding is AWS's, see
/// `S3SigningTests.testClientRequestsAreCanonical`.)
final class MotoServer: @unchecked Sendable {
    static let shared = MotoServer()

    enum State {
        case notStarted
        case running(endpoint: String, keyID: String, secret: String)
        case skipped(String)
        case failed(String)
    }

    private let lock = NSLock()
    private var process: Process?
    private var logFile: URL?
    private(set) var state = State.notStarted
    private var signatureChecks = false
    private let http = HTTPClient(proxy: .none)
    var log = ""

    func start() {
        lock.lock()
        defer { lock.unlock() }
        guard case .notStarted = state else { return }
        let started = ContinuousClock.now
        state = launch()
        if case .running = state {
            print("moto server ready in \(started.duration(to: .now)) (\(log))")
        }
    }

    func stop() {
        lock.lock()
        defer { lock.unlock() }
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        process = nil
        if let logFile { try? FileManager.default.removeItem(at: logFile) }
        logFile = nil
        state = .notStarted
        signatureChecks = false
    }

    // MARK: finding or installing moto

    private static func run(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-moto-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        guard let handle = try? FileHandle(forWritingTo: output) else { return (-1, "cannot create \(output.path)") }
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch { return (-1, "\(arguments.first ?? "") could not be started: \(error)") }
        process.waitUntilExit()
        try? handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text)
    }

    private static let hasMoto = """
        import importlib.util, sys
        sys.exit(0 if all(importlib.util.find_spec(m) for m in ("moto", "flask", "flask_cors", "werkzeug")) else 1)
        """

    /// The PYTHONPATH under which `python3 -m moto.server` runs ("" for python3's own packages), or why not.
    private func findOrInstallMoto() -> Result<String, MotoProblem> {
        let version = MotoServer.run(["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        guard version.status == 0 else {
            return .failure(.skip("python3 is not available (\(version.output.trimmingCharacters(in: .whitespacesAndNewlines))), "
                                  + "so moto[server] cannot be installed with pip"))
        }
        if MotoServer.run(["python3", "-c", MotoServer.hasMoto]).status == 0 {
            log = "python3's own moto"
            return .success("")
        }
        let environment = ProcessInfo.processInfo.environment
        let cacheRoot = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache").path
        let directory = environment["YTCE_MOTO_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(cacheRoot)/ytce/moto-python\(version.output.trimmingCharacters(in: .whitespacesAndNewlines))"
        if MotoServer.run(["python3", "-c", MotoServer.hasMoto], environment: ["PYTHONPATH": directory]).status == 0 {
            log = "moto cached in \(directory)"
            return .success(directory)
        }
        // Install beside, then move into place: an interrupted install never looks complete.
        let partial = directory + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: partial)
        try? FileManager.default.createDirectory(atPath: (directory as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        let installStart = ContinuousClock.now
        let install = MotoServer.run(["python3", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                      "--target", partial, "moto[server]"])
        guard install.status == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            let last = install.output.split(separator: "\n").suffix(3).joined(separator: " | ")
            return .failure(.skip("moto[server] could not be installed with pip (python3 -m pip install --target \(partial) "
                                  + "\"moto[server]\" exited \(install.status): \(last)); the S3 tests against moto are skipped"))
        }
        try? FileManager.default.removeItem(atPath: directory)
        do {
            try FileManager.default.moveItem(atPath: partial, toPath: directory)
        } catch {
            return .failure(.fail("moto was installed in \(partial) but could not be moved to \(directory): \(error)"))
        }
        log = "moto installed by pip into \(directory) in \(installStart.duration(to: .now))"
        return .success(directory)
    }

    enum MotoProblem: Error {
        case skip(String)
        case fail(String)
    }

    // MARK: starting

    private func launch() -> State {
        let pythonPath: String
        switch findOrInstallMoto() {
        case .success(let path): pythonPath = path
        case .failure(.skip(let reason)): return .skipped(reason)
        case .failure(.fail(let reason)): return .failed(reason)
        }
        guard let port = try? MotoServer.freePort() else { return .failed("no free loopback port") }
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-moto-server-\(port).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        self.logFile = logFile
        guard let handle = try? FileHandle(forWritingTo: logFile) else { return .failed("cannot write \(logFile.path)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        var environment = ProcessInfo.processInfo.environment
        if !pythonPath.isEmpty { environment["PYTHONPATH"] = pythonPath }
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "inf"
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch { return .failed("python3 -m moto.server could not be started: \(error)") }
        self.process = process
        let endpoint = "http://127.0.0.1:\(port)"
        func serverLog() -> String {
            let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").suffix(5).joined(separator: " | ")
        }

        // Wait until it answers (a cold start imports a lot of Python: a few seconds).
        let deadline = ContinuousClock.now + .seconds(45)
        var ready = false
        while ContinuousClock.now < deadline {
            guard process.isRunning else { return .failed("moto server exited with \(process.terminationStatus): \(serverLog())") }
            let probe = HTTPRequest(method: .get, url: endpoint + "/moto-api/data.json",
                                    timeouts: HTTPTimeouts(connect: 1, idle: 5, total: 5), retryPolicy: .none)
            if (try? blocking { try await self.http.send(probe) }) != nil {
                ready = true
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard ready else { return .failed("moto server did not answer on \(endpoint) within 45 s: \(serverLog())") }

        // An IAM user whose key may do anything in S3, made before signatures are checked.
        do {
            let iam = AWSSigV4(region: "us-east-1", service: "iam", accessKeyID: "AKIAINITIAL", secretAccessKey: "unchecked")
            func call(_ form: String) throws -> String {
                var request = HTTPRequest(method: .post, url: endpoint + "/", body: Array((form + "&Version=2010-05-08").utf8))
                request.headers.add("Content-Type", "application/x-www-form-urlencoded")
                request.headers.add("x-amz-content-sha256", S3Client.sha256Hex(request.body!))
                request.awsSigV4 = iam
                let signed = request
                return try blocking { try await self.http.send(signed) }.text
            }
            _ = try call("Action=CreateUser&UserName=ytce-tests")
            let key = try call("Action=CreateAccessKey&UserName=ytce-tests")
            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
            _ = try call("Action=PutUserPolicy&UserName=ytce-tests&PolicyName=s3-all&PolicyDocument="
                         + S3Client.uriEncode(policy, keepSlash: false))
            guard let keyID = S3XML.firstText(of: "AccessKeyId", in: key),
                  let secret = S3XML.firstText(of: "SecretAccessKey", in: key) else {
                return .failed("moto's CreateAccessKey answered no key: \(key.prefix(300))")
            }
            state = .running(endpoint: endpoint, keyID: keyID, secret: secret)
            try setSignatureChecksLocked(true)
            return state
        } catch {
            return .failed("setting up IAM in moto failed: \(error)")
        }
    }

    /// Turns moto's signature and permission checks on or off (see the type's comment).
    func setSignatureChecks(_ on: Bool) throws {
        lock.lock()
        defer { lock.unlock() }
        try setSignatureChecksLocked(on)
    }

    private func setSignatureChecksLocked(_ on: Bool) throws {
        guard case .running(let endpoint, _, _) = state, on != signatureChecks else { return }
        // A Content-Type other than a form's: moto reads the raw body.
        let request = HTTPRequest(method: .post, url: endpoint + "/moto-api/reset-auth", headers: ["Content-Type": "text/plain"],
                                  body: Array((on ? "0" : "inf").utf8))
        _ = try blocking { try await self.http.send(request) }
        signatureChecks = on
    }

    private static func freePort() throws -> Int {
        let server = try HTTPTestServer()
        let port = server.port
        server.stop()
        return port
    }
}

/// Runs async work to completion from synchronous code (XCTest's class set-up is synchronous).
private func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, Error>?
}

final class S3ClientTests: XCTestCase {
    override class func setUp() {
        super.setUp()
        MotoServer.shared.start()
    }

    override class func tearDown() {
        MotoServer.shared.stop()
        super.tearDown()
    }

    private var endpoint = ""
    private var keyID = ""
    private var secret = ""
    private let http = HTTPClient(proxy: .none)

    override func setUpWithError() throws {
        switch MotoServer.shared.state {
        case .running(let endpoint, let keyID, let secret):
            self.endpoint = endpoint
            self.keyID = keyID
            self.secret = secret
        case .skipped(let reason):
            throw XCTSkip(reason)
        case .failed(let reason):
            XCTFail(reason)
            throw XCTSkip("moto server unavailable: \(reason)")
        case .notStarted:
            throw XCTSkip("moto server not started")
        }
        try MotoServer.shared.setSignatureChecks(true)
    }

    private func environment(secret: String? = nil, token: String? = nil) -> [String: String] {
        var environment = ["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret ?? self.secret,
                           "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint]
        environment["AWS_SESSION_TOKEN"] = token
        return environment
    }

    private func client(secret: String? = nil, token: String? = nil) throws -> S3Client {
        try S3Client.fromEnvironment(environment(secret: secret, token: token), http: http)
    }

    /// A new bucket (moto needs one; S3Client has no call for it): a signed `PUT /bucket`.
    private func makeBucket(_ prefix: String) async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        var request = HTTPRequest(method: .put, url: "\(endpoint)/\(name)")
        request.headers.add("x-amz-content-sha256", emptySHA256)
        request.awsSigV4 = AWSSigV4(region: "us-east-1", service: "s3", accessKeyID: keyID, secretAccessKey: secret)
        _ = try await http.send(request)
        return name
    }

    func testRoundTripUnicodeAndThreeMegabytes() async throws {
        let s3 = try client()
        let bucket = try await makeBucket("round")
        let text = "Zusammenfassung — 要約 — резюме — 🎬\nLine two.\n"
        let small = try S3Location(parsing: "s3://\(bucket)/out/talk_summary.txt")
        let etag = try await s3.putObject(small, body: Array(text.utf8), contentType: "text/plain; charset=utf-8")
        XCTAssertEqual(etag?.count, 32)
        let smallBack = try await s3.getObject(small)
        XCTAssertEqual(String(decoding: smallBack, as: UTF8.self), text)

        var big = [UInt8](repeating: 0, count: 3 * 1024 * 1024)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in big.indices {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            big[index] = UInt8(truncatingIfNeeded: seed >> 56)
        }
        let large = try S3Location(parsing: "s3://\(bucket)/in/large.bin")
        let started = ContinuousClock.now
        try await s3.putObject(large, body: big)
        let back = try await s3.getObject(large)
        print("3 MB put + get: \(started.duration(to: .now))")
        XCTAssertEqual(back.count, big.count)
        XCTAssertTrue(back == big)

        // Writing the same bytes again is harmless (what a retried PUT does).
        try await s3.putObject(small, body: Array(text.utf8), contentType: "text/plain; charset=utf-8")
        let listed = try await s3.listObjects(in: try S3Location(parsing: "s3://\(bucket)/"))
        XCTAssertEqual(listed.map(\.key), ["in/large.bin", "out/talk_summary.txt"])
        XCTAssertEqual(listed.map(\.size), [big.count, text.utf8.count])
        XCTAssertEqual(listed[1].etag, etag)
        XCTAssertNotNil(listed[0].lastModified)
    }

    func testListingAcrossPages() async throws {
        let s3 = try client()
        let bucket = try await makeBucket("pages")
        let count = 1005
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= 8 { try await group.next() }
                group.addTask {
                    let key = String(format: "watch-k%04d.txt", index)
                    try await s3.putObject(try S3Location(bucket: bucket, key: key), body: Array("\(index)".utf8),
                                           contentType: "text/plain")
                }
            }
            try await group.waitForAll()
        }
        try await s3.putObject(try S3Location(bucket: bucket, key: "other-x.txt"), body: [1])
        print("\(count) puts: \(started.duration(to: .now))")

        let expected = (0..<count).map { String(format: "watch-k%04d.txt", $0) }
        let listStart = ContinuousClock.now
        // Prefixes without '/' here, for moto's signature check (see `MotoServer`; testAwkwardKeys lists "in/").
        let all = try await s3.listObjects(bucket: bucket, prefix: "watch-")  // S3's 1,000 a page: 2 pages
        XCTAssertEqual(all.map(\.key), expected)
        XCTAssertEqual(all.map(\.size), (0..<count).map { "\($0)".utf8.count })
        let small = try await s3.listObjects(bucket: bucket, prefix: "watch-", pageSize: 97)  // 11 pages
        XCTAssertEqual(small.map(\.key), expected)
        let everything = try await s3.listObjects(bucket: bucket, pageSize: 1000)
        XCTAssertEqual(everything.count, count + 1)
        let nothing = try await s3.listObjects(bucket: bucket, prefix: "nothing")
        XCTAssertEqual(nothing.count, 0)
        print("listings: \(listStart.duration(to: .now))")
    }

    /// Keys with spaces, `+`, XML's special characters, non-ASCII letters and dot segments: written, read
    /// and listed back intact. (moto's signature check cannot verify such paths; see `MotoServer`.)
    func testAwkwardKeys() async throws {
        try MotoServer.shared.setSignatureChecks(false)
        let s3 = try client()
        let bucket = try await makeBucket("keys")
        let keys = ["in/with space.txt", "in/a+b.txt", "in/x&y<z>'\"q.txt", "in/ünïcödé/日本語.txt", "in/dir/./dot/../x.txt",
                    "in/percent%20sign.txt", "in/tilde~and=equals;semi.txt"]
        for (index, key) in keys.enumerated() {
            try await s3.putObject(try S3Location(bucket: bucket, key: key), body: Array("body \(index)".utf8))
        }
        for (index, key) in keys.enumerated() {
            let body = try await s3.getObject(try S3Location(bucket: bucket, key: key))
            XCTAssertEqual(String(decoding: body, as: UTF8.self), "body \(index)", key)
        }
        let listed = try await s3.listObjects(bucket: bucket, prefix: "in/", pageSize: 2)
        XCTAssertEqual(Set(listed.map(\.key)), Set(keys))
        XCTAssertEqual(listed.count, keys.count)
        let plus = try await s3.listObjects(bucket: bucket, prefix: "in/a+")
        XCTAssertEqual(plus.map(\.key), ["in/a+b.txt"])
        try MotoServer.shared.setSignatureChecks(true)
    }

    /// Two jobs' summaries of one name both stay in S3: the first takes the shared key, written only if absent
    /// (If-None-Match: *), the second its own.
    func testTwoSummariesOfOneNameAreBothKeptInS3() async throws {
        let s3 = try client()
        let bucket = try await makeBucket("sums")
        let probe = try S3Location(bucket: bucket, key: "probe.txt")
        try await s3.putObject(probe, body: Array("one".utf8), onlyIfAbsent: true)
        do {
            try await s3.putObject(probe, body: Array("two".utf8), onlyIfAbsent: true)
            XCTFail("a conditional write replaced an object")
        } catch {
            XCTAssertTrue(error.isPreconditionFailed, "\(error)")
        }
        let kept = try await s3.getObject(probe)
        XCTAssertEqual(kept, Array("one".utf8))

        let fake = try FakeRunPod()
        defer { fake.stop() }
        fake.enqueue(.completing(text: "The first summary."), .completing(text: "The second summary."))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-s3-sums-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        var settings = JobSettings()
        settings.pollInterval = 0.05
        let environment = environment()
        let http = self.http
        let runner = JobRunner(store: try JobStore(path: dir.appendingPathComponent("jobs.sqlite").path),
                               client: RunPodClient(endpointURL: fake.endpointURL, apiKey: fake.apiKey), settings: settings,
                               s3: { () throws(S3Error) in try S3Client.fromEnvironment(environment, http: http) })
        let outputs = JobOutputs(s3Prefix: "s3://\(bucket)/summaries/")
        var ids: [Int64] = []
        for _ in 0..<2 {
            ids.append(try await runner.submit(TranscriptText(name: "talk", text: "words"), source: "talk.txt", outputs: outputs).id)
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, (try runner.store.openCount()) > 0 {
                await runner.pollDue()
                try await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        let listed = try await s3.listObjects(in: try S3Location(parsing: "s3://\(bucket)/summaries"))  // no "/": see MotoServer
        XCTAssertEqual(listed.map(\.key), ["summaries/talk_job\(ids[1])_summary.txt", "summaries/talk_summary.txt"])
        let first = try await s3.getObject(try S3Location(bucket: bucket, key: "summaries/talk_summary.txt"))
        XCTAssertEqual(String(decoding: first, as: UTF8.self), "The first summary.")
        XCTAssertEqual(try runner.store.job(ids[1]).deliveries.map(\.location), ["s3://\(bucket)/summaries/talk_job\(ids[1])_summary.txt"])
    }

    func testMissingObjectAndBucket() async throws {
        let s3 = try client()
        let bucket = try await makeBucket("missing")
        do {
            _ = try await s3.getObject(try S3Location(parsing: "s3://\(bucket)/nope/missing.txt"))
            XCTFail("expected NoSuchKey")
        } catch {
            XCTAssertEqual(error.kind, .noSuchKey)
            XCTAssertEqual(error.code, "NoSuchKey")
            XCTAssertEqual(error.httpStatus, 404)
            XCTAssertFalse(error.isTransient)
            XCTAssertTrue(error.description.hasPrefix("S3 object s3://\(bucket)/nope/missing.txt does not exist (HTTP 404 from 127.0.0.1:"),
                          error.description)
            XCTAssertTrue(error.description.hasSuffix("NoSuchKey: The specified key does not exist.)"), error.description)
        }
        do {
            _ = try await s3.listObjects(bucket: "no-such-bucket-here", prefix: "x")
            XCTFail("expected NoSuchBucket")
        } catch {
            XCTAssertEqual(error.kind, .noSuchBucket)
            XCTAssertTrue(error.description.hasPrefix("S3 bucket 'no-such-bucket-here' does not exist, while listing s3://no-such-bucket-here/x ("),
                          error.description)
        }
    }

    func testWrongCredentials() async throws {
        let wrongSecret = "WRONG-secret-0123456789abcdefghijklmnop"
        let bucket = try await makeBucket("creds")
        let location = try S3Location(parsing: "s3://\(bucket)/k.txt")
        try await client().putObject(location, body: [1])
        let token = "FwoGZXIvYXdzEXAMPLE-session-token-0123456789"
        let cases: [(S3Client, String, Int, String)] = [
            (try client(secret: wrongSecret), "SignatureDoesNotMatch", 403, wrongSecret),
            (try client(token: token), "InvalidToken", 400, token),  // moto: a session token with a user's key
            (S3Client(configuration: S3Configuration(accessKeyID: "AKIAUNKNOWN000000000", secretAccessKey: wrongSecret,
                                                      endpoint: endpoint), http: http), "InvalidAccessKeyId", 403, wrongSecret),
        ]
        for (s3, code, status, hidden) in cases {
            do {
                _ = try await s3.getObject(location)
                XCTFail("expected \(code)")
            } catch {
                XCTAssertEqual(error.kind, .credentials, "\(error)")
                XCTAssertEqual(error.code, code)
                XCTAssertEqual(error.httpStatus, status)
                XCTAssertTrue(error.description.hasPrefix("S3 refused the credentials while reading s3://\(bucket)/k.txt (HTTP \(status)"),
                              error.description)
                XCTAssertTrue(error.description.hasSuffix("check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, "
                                                          + "and what they are allowed to do"), error.description)
                var dumped = ""
                dump(error, to: &dumped)
                for text in ["\(error)", String(reflecting: error), error.localizedDescription, dumped, "\(s3)"] {
                    XCTAssertFalse(text.contains(hidden), text)
                    XCTAssertFalse(text.contains(secret), text)
                }
            }
        }
    }

    func testMissingEnvironmentVariable() async throws {
        var environment = environment()
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        XCTAssertThrowsError(try S3Client.fromEnvironment(environment)) { error in
            XCTAssertEqual((error as? S3Error)?.kind, .configuration)
            XCTAssertEqual((error as? S3Error)?.variable, "AWS_SECRET_ACCESS_KEY")
            XCTAssertTrue("\(error)".hasPrefix("AWS_SECRET_ACCESS_KEY is not set"), "\(error)")
        }
        environment["AWS_ACCESS_KEY_ID"] = ""
        XCTAssertThrowsError(try S3Client.fromEnvironment(environment)) { error in
            XCTAssertEqual((error as? S3Error)?.variable, "AWS_ACCESS_KEY_ID")
        }
    }
}
