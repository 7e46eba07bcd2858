/// A small, strict RFC 8259 JSON parser over UTF-8 bytes. Errors carry the byte offset, so every file ytce
/// reads (manifests, configs, channel lists, JSON transcripts, themes) can say on which line it is malformed.
package struct JSONDocumentParser {
    package struct Failure: Error {
        package let offset: Int
        package let message: String
    }

    private let p: UnsafePointer<UInt8>
    private let end: Int
    private var i: Int
    private var depth = 0
    private static let maxDepth = 256

    /// `bytes` must stay valid while the parser runs.
    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        p = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!  // an empty buffer is never dereferenced
        end = bytes.count
        i = 0
    }

    /// Parses exactly one JSON value surrounded by optional whitespace.
    package mutating func parseDocument() throws(Failure) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard i == end else { throw fail("unexpected content after the JSON value") }
        return value
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private func fail(_ message: String) -> Failure { Failure(offset: i, message: message) }

    @inline(__always)
    private mutating func skipWhitespace() {
        while i < end {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    private mutating func parseValue() throws(Failure) -> JSONValue {
        guard i < end else { throw fail("unexpected end of input") }
        switch p[i] {
        case 0x7B: return try parseObject()
        case 0x5B: return try parseArray()
        case 0x22: return .string(try parseString())
        case 0x74: try expectWord("true"); return .bool(true)
        case 0x66: try expectWord("false"); return .bool(false)
        case 0x6E: try expectWord("null"); return .null
        case 0x2D, 0x30...0x39: return .number(try parseNumber())
        default: throw fail("unexpected character '\(Self.describe(p[i]))'")
        }
    }

    private static func describe(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "0x" + String(c, radix: 16, uppercase: true)
    }

    private mutating func expectWord(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard end - i >= n else { throw fail("invalid literal") }
        for k in 0..<n where p[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += n
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > Self.maxDepth { throw fail("nesting too deep") }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        i += 1  // '{'
        var result: [String: JSONValue] = [:]
        skipWhitespace()
        if i < end && p[i] == 0x7D {
            i += 1
            return .object(result)
        }
        while true {
            skipWhitespace()
            guard i < end, p[i] == 0x22 else { throw fail("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard i < end, p[i] == 0x3A else { throw fail("expected ':'") }
            i += 1
            skipWhitespace()
            result[key] = try parseValue()
            skipWhitespace()
            guard i < end else { throw fail("unexpected end of input in object") }
            if p[i] == 0x2C {
                i += 1
                continue
            }
            guard p[i] == 0x7D else { throw fail("expected ',' or '}'") }
            i += 1
            return .object(result)
        }
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        i += 1  // '['
        var result: [JSONValue] = []
        skipWhitespace()
        if i < end && p[i] == 0x5D {
            i += 1
            return .array(result)
        }
        while true {
            skipWhitespace()
            result.append(try parseValue())
            skipWhitespace()
            guard i < end else { throw fail("unexpected end of input in array") }
            if p[i] == 0x2C {
                i += 1
                continue
            }
            guard p[i] == 0x5D else { throw fail("expected ',' or ']'") }
            i += 1
            return .array(result)
        }
    }

    private mutating func parseNumber() throws(Failure) -> Double {
        let start = i
        if p[i] == 0x2D { i += 1 }
        let intStart = i
        while i < end, Self.isDigit(p[i]) { i += 1 }
        guard i > intStart else { throw fail("invalid number") }
        guard !(p[intStart] == 0x30 && i - intStart > 1) else { throw fail("invalid number (leading zero)") }
        var isInteger = true
        if i < end, p[i] == 0x2E {
            isInteger = false
            i += 1
            let fracStart = i
            while i < end, Self.isDigit(p[i]) { i += 1 }
            guard i > fracStart else { throw fail("invalid number") }
        }
        if i < end, p[i] | 0x20 == 0x65 {  // e/E
            isInteger = false
            i += 1
            if i < end, p[i] == 0x2B || p[i] == 0x2D { i += 1 }
            let expStart = i
            while i < end, Self.isDigit(p[i]) { i += 1 }
            guard i > expStart else { throw fail("invalid number") }
        }
        if isInteger && i - intStart <= 15 {
            var v = 0
            for k in intStart..<i { v = v * 10 + Int(p[k] - 0x30) }
            return Double(p[start] == 0x2D ? -v : v)
        }
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        guard let v = Double(text) else { throw fail("invalid number") }
        // JSON numbers are finite; one too large for a double (1e400) would become infinity, which no JSON
        // writer can write back.
        guard v.isFinite else { throw Failure(offset: start, message: "number \(text.prefix(40)) is too large") }
        return v
    }

    private mutating func parseString() throws(Failure) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < end {
            let c = p[i]
            if c == 0x22 {
                let s = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
                i += 1
                return s
            }
            if c == 0x5C { break }
            i += 1
        }
        guard i < end else { throw Failure(offset: start - 1, message: "unterminated string") }
        var buffer = [UInt8](UnsafeBufferPointer(start: p + start, count: i - start))
        while i < end {
            let c = p[i]
            if c == 0x22 {
                i += 1
                return String(decoding: buffer, as: UTF8.self)
            }
            if c != 0x5C {
                buffer.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < end else { break }
            let e = p[i]
            i += 1
            switch e {
            case 0x22, 0x5C, 0x2F: buffer.append(e)
            case 0x62: buffer.append(0x08)
            case 0x66: buffer.append(0x0C)
            case 0x6E: buffer.append(0x0A)
            case 0x72: buffer.append(0x0D)
            case 0x74: buffer.append(0x09)
            case 0x75:
                var scalar = try parseHex4()
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    // High surrogate: combine with a following low surrogate, else U+FFFD.
                    if i + 6 <= end, p[i] == 0x5C, p[i + 1] == 0x75 {
                        let save = i
                        i += 2
                        let low = try parseHex4()
                        if low >= 0xDC00 && low <= 0xDFFF {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                            i = save
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    scalar = 0xFFFD
                }
                if let s = Unicode.Scalar(scalar) {
                    buffer.append(contentsOf: String(s).utf8)
                } else {
                    buffer.append(contentsOf: [0xEF, 0xBF, 0xBD])  // U+FFFD
                }
            default:
                i -= 1
                throw fail("invalid escape '\\\(Self.describe(e))'")
            }
        }
        throw Failure(offset: start - 1, message: "unterminated string")
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard i + 4 <= end else { throw fail("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = p[i]
            let d: UInt8
            if Self.isDigit(c) { d = c - 0x30 } else if (c | 0x20) &- 0x61 < 6 { d = (c | 0x20) - 0x61 + 10 } else { throw fail("invalid \\u escape") }
            v = v * 16 + UInt32(d)
            i += 1
        }
        return v
    }
}
