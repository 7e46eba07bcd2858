/// A small JSON reader for theme files. It keeps the line of every value and the order of object members,
/// so that errors can say where a problem is (Foundation's parser gives neither reliably on Linux).
enum ThemeJSON: Equatable {
    case object([(key: String, value: Located)])
    case array([Located])
    case string(String)
    case number(Double, raw: String)
    case bool(Bool)
    case null

    struct Located: Equatable {
        var value: ThemeJSON
        var line: Int
    }

    static func == (a: ThemeJSON, b: ThemeJSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.number(x, _), .number(y, _)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    struct SyntaxError: Error, Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    static func parse(_ text: String) throws(SyntaxError) -> Located {
        var p = Parser(bytes: Array(text.utf8))
        p.skipWhitespace()
        let v = try p.value()
        p.skipWhitespace()
        if p.i < p.bytes.count { throw p.error("unexpected text after the JSON value") }
        return v
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var lineStart = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            // Skip a UTF-8 byte order mark.
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 }
        }

        func error(_ message: String) -> SyntaxError {
            SyntaxError(line: line, column: i - lineStart + 1, message: message)
        }

        mutating func skipWhitespace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0D: i += 1
                case 0x0A: i += 1; line += 1; lineStart = i
                default: return
                }
            }
        }

        mutating func value() throws(SyntaxError) -> Located {
            guard i < bytes.count else { throw error("unexpected end of file") }
            let startLine = line
            switch bytes[i] {
            case UInt8(ascii: "{"): return Located(value: try object(), line: startLine)
            case UInt8(ascii: "["): return Located(value: try array(), line: startLine)
            case UInt8(ascii: "\""): return Located(value: .string(try string()), line: startLine)
            case UInt8(ascii: "t"): try literal("true"); return Located(value: .bool(true), line: startLine)
            case UInt8(ascii: "f"): try literal("false"); return Located(value: .bool(false), line: startLine)
            case UInt8(ascii: "n"): try literal("null"); return Located(value: .null, line: startLine)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return Located(value: try number(), line: startLine)
            default:
                throw error("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
            }
        }

        mutating func literal(_ word: String) throws(SyntaxError) {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
                throw error("invalid literal (expected \(word))")
            }
            i += w.count
        }

        mutating func number() throws(SyntaxError) -> ThemeJSON {
            let start = i
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i])
                    || bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")
                    || bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                i += 1
            }
            let raw = String(decoding: bytes[start..<i], as: UTF8.self)
            guard let d = Double(raw) else { throw error("invalid number \(raw)") }
            return .number(d, raw: raw)
        }

        mutating func string() throws(SyntaxError) -> String {
            i += 1  // opening quote
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "\""):
                    i += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    i += 1
                    guard i < bytes.count else { throw error("unterminated string") }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(e)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.count,
                              let code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                            throw error("invalid \\u escape")
                        }
                        i += 4
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: throw error("invalid escape")
                    }
                case 0x0A, 0x0D:
                    throw error("unterminated string")
                default:
                    out.append(b)
                    i += 1
                }
            }
            throw error("unterminated string")
        }

        mutating func array() throws(SyntaxError) -> ThemeJSON {
            i += 1
            var items: [Located] = []
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value())
                skipWhitespace()
                guard i < bytes.count else { throw error("unexpected end of file in an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw error("expected ',' or ']' in an array")
            }
        }

        mutating func object() throws(SyntaxError) -> ThemeJSON {
            i += 1
            var members: [(key: String, value: Located)] = []
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw error("expected a quoted member name")
                }
                let key = try string()
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after \"\(key)\"") }
                i += 1
                skipWhitespace()
                members.append((key, try value()))
                skipWhitespace()
                guard i < bytes.count else { throw error("unexpected end of file in an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw error("expected ',' or '}' in an object")
            }
        }
    }
}
