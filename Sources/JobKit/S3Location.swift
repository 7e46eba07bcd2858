import Foundation

/// An S3 object or prefix, written `s3://bucket/key` (an object) or `s3://bucket/prefix/` (every key under
/// the prefix; `s3://bucket` and `s3://bucket/` mean the whole bucket).
///
/// The key is taken literally, as the AWS CLI writes it: no percent-decoding, so `s3://b/a b+c.txt` is the key
/// `a b+c.txt`, and `?` and `#` are part of the key. Bucket names follow S3's rules for new buckets: 3 to 63
/// lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit, not shaped like an
/// IP address. Keys are at most 1,024 bytes of UTF-8. Whitespace around the whole text is ignored.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    public let bucket: String
    /// The object key, or the prefix (empty, or ending in `/`).
    public let key: String

    /// A location from its parts, checked like a parsed one.
    public init(bucket: String, key: String) throws(S3Error) {
        if let problem = S3Location.bucketProblem(bucket) {
            throw S3Error(.invalidLocation, "invalid S3 bucket name '\(bucket)': \(problem)")
        }
        if key.utf8.count > 1024 {
            throw S3Error(.invalidLocation, "S3 key too long (\(key.utf8.count) bytes, at most 1024) in bucket '\(bucket)'")
        }
        self.bucket = bucket
        self.key = key
    }

    /// Parses `s3://bucket/key` or `s3://bucket/prefix/` (the scheme in any case).
    public init(parsing text: String) throws(S3Error) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= 5, trimmed.prefix(5).lowercased() == "s3://" else {
            throw S3Error(.invalidLocation,
                          "not an S3 location: '\(trimmed)' (expected s3://bucket/key or s3://bucket/prefix/)")
        }
        let rest = trimmed.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        let key = String(rest.dropFirst(bucket.count + (rest.count > bucket.count ? 1 : 0)))
        if bucket.isEmpty {
            throw S3Error(.invalidLocation, "no bucket in S3 location '\(trimmed)' (expected s3://bucket/key)")
        }
        try self.init(bucket: bucket, key: key)
    }

    /// True for the whole bucket or a key ending in `/`: a place to list or write into, not an object.
    public var isPrefix: Bool { key.isEmpty || key.hasSuffix("/") }

    /// The object `name` under this prefix (`s3://b/out/` + `x.txt` = `s3://b/out/x.txt`). Throws when the
    /// resulting key is too long.
    public func appending(_ name: String) throws(S3Error) -> S3Location {
        try S3Location(bucket: bucket, key: key + name)
    }

    /// The last part of the key (after the last `/`), e.g. `talk.txt` for `s3://b/in/talk.txt`.
    public var name: String {
        String(key.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
    }

    public var description: String { "s3://\(bucket)/\(key)" }

    /// Why `bucket` is not a valid bucket name, or nil.
    static func bucketProblem(_ bucket: String) -> String? {
        let scalars = Array(bucket.unicodeScalars)
        guard (3...63).contains(scalars.count) else { return "it must be 3 to 63 characters long" }
        func isLowerAlnum(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("0"..."9").contains(s) }
        guard scalars.allSatisfy({ isLowerAlnum($0) || $0 == "." || $0 == "-" }) else {
            return "only lower-case letters, digits, '.' and '-' are allowed"
        }
        guard isLowerAlnum(scalars.first!), isLowerAlnum(scalars.last!) else {
            return "it must start and end with a letter or digit"
        }
        if bucket.contains("..") { return "it must not contain '..'" }
        let parts = bucket.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) {
            return "it must not look like an IP address"
        }
        return nil
    }
}
