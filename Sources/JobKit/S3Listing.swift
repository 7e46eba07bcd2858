import Foundation

/// One page of a `ListObjectsV2` answer.
public struct S3ListPage: Sendable, Equatable {
    public var objects: [S3Object]
    public var isTruncated: Bool
    public var nextToken: String?
}

extension S3Client {
    /// A `ListBucketResult` document as a page; a body that is not one (malformed XML, too deeply nested, an
    /// object without a key, a size that is not a count) is an `.invalidResponse` naming `operation`.
    public static func parseListPage(_ body: [UInt8], operation: String) throws(S3Error) -> S3ListPage {
        guard let root = S3XML.parse(body), root.name == "ListBucketResult" else {
            let excerpt = S3Excerpt.text(String(decoding: body.prefix(300), as: UTF8.self))
            throw S3Error(.invalidResponse, "S3 answered something other than a ListBucketResult while \(operation): \(excerpt)")
        }
        func trimmed(_ element: S3XMLElement?) -> String? { element.map { trimmingXMLSpace($0.text) } }
        var objects: [S3Object] = []
        for entry in root.children(named: "Contents") {
            guard let key = entry.child("Key")?.text else {  // keys keep their spaces
                throw S3Error(.invalidResponse, "S3 listed an object without a Key while \(operation)")
            }
            let sizeText = trimmed(entry.child("Size")) ?? "0"
            guard let size = Int(sizeText), size >= 0 else {
                throw S3Error(.invalidResponse, "S3 listed '\(key)' with size '\(String(sizeText.prefix(40)))' while \(operation)")
            }
            let modified = trimmed(entry.child("LastModified"))
            var date: Date?
            if let modified, !modified.isEmpty {
                guard let parsed = parseTimestamp(modified) else {
                    throw S3Error(.invalidResponse, "S3 listed '\(key)' with LastModified '\(String(modified.prefix(40)))', not an ISO 8601 time, while \(operation)")
                }
                date = parsed
            }
            objects.append(S3Object(key: key, size: size, etag: unquoted(trimmed(entry.child("ETag")) ?? ""), lastModified: date))
        }
        let truncated = trimmed(root.child("IsTruncated")).map { $0 == "true" || $0.lowercased() == "true" } ?? false
        return S3ListPage(objects: objects, isTruncated: truncated, nextToken: root.child("NextContinuationToken")?.text)
    }

    /// The text without the XML white space (space, tab, CR, LF) around it. (Foundation's trimming with its
    /// character sets took a third of the time of parsing a listing.)
    static func trimmingXMLSpace(_ text: String) -> String {
        let utf8 = text.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return text }
        guard let start = utf8.firstIndex(where: { !isSpace($0) }), let end = utf8.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: utf8[start...end], as: UTF8.self)
    }

    /// `2024-05-01T12:34:56.789Z` (S3's ISO 8601, UTC; a fraction of up to nine digits, or none) as a date; nil
    /// for anything else.
    static func parseTimestamp(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        guard (20...30).contains(scalars.count), scalars.last == UInt8(ascii: "Z") else { return nil }
        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        /// The value of a few digits (at most 9: no overflow).
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard isDigit(scalars[index]) else { return nil }
                value = value * 10 + Int(scalars[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard scalars[4] == UInt8(ascii: "-"), scalars[7] == UInt8(ascii: "-"), scalars[10] == UInt8(ascii: "T"),
              scalars[13] == UInt8(ascii: ":"), scalars[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction = 0.0
        if scalars.count > 20 {
            // S3 writes milliseconds; up to nanoseconds pass, more digits are not a time S3 writes.
            let digits = 20..<(scalars.count - 1)
            guard scalars[19] == UInt8(ascii: "."), (1...9).contains(digits.count), let value = number(digits) else { return nil }
            fraction = Double(value) / pow(10, Double(digits.count))
        } else if scalars[19] != UInt8(ascii: "Z") {
            return nil
        }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction
        return Date(timeIntervalSince1970: seconds)
    }
}
