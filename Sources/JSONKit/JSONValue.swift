import Foundation

/// A JSON document as a value, for files whose shape we check field by field
/// (so that errors can name the field) and for keys we keep without knowing them.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public struct ParseError: Error, Sendable {
        /// 1-based line of the problem.
        public let line: Int
        public let message: String
        public var reason: String { "line \(line): \(message)" }
    }

    public static func parse(_ data: Data) throws(ParseError) -> JSONValue {
        let result: Result<JSONValue, ParseError> = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var parser = JSONDocumentParser(bytes)
            do {
                return .success(try parser.parseDocument())
            } catch let error as JSONDocumentParser.Failure {
                let line = bytes.prefix(min(error.offset, bytes.count)).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
                return .failure(ParseError(line: line, message: error.message))
            } catch {
                return .failure(ParseError(line: 1, message: "\(error)"))
            }
        }
        return try result.get()
    }

    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value for an error message: short literals as they are, containers by type.
    public var shortDescription: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number: JSONValue.serialize(self)
        case .string(let s): "\"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
        case .array, .object: typeName
        }
    }

    public var intValue: Int? {
        guard case .number(let d) = self, d.rounded() == d, abs(d) < 9e15 else { return nil }
        return Int(d)
    }

    public var doubleValue: Double? {
        guard case .number(let d) = self else { return nil }
        return d
    }

    public var stringValue: String? {
        guard case .string(let s) = self else { return nil }
        return s
    }

    public var arrayValue: [JSONValue]? {
        guard case .array(let a) = self else { return nil }
        return a
    }

    public var boolValue: Bool? {
        guard case .bool(let b) = self else { return nil }
        return b
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        return o[key]
    }

    // MARK: - Writing

    /// JSON text of `value`. Numbers that JSON cannot represent (infinities and NaN, which the parser never
    /// produces but arithmetic can) are written as `null`, as JavaScript's `JSON.stringify` does: the output is
    /// always valid JSON.
    public static func serialize(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: nil, level: 0)
        return out
    }

    /// An object with its keys in the given order, pretty-printed (non-finite numbers as `null`, as above).
    public static func serialize(orderedObject members: [(String, JSONValue)], indent: Int) -> String {
        var out = "{\n"
        for (i, (key, value)) in members.enumerated() {
            out += String(repeating: " ", count: indent)
            appendString(key, into: &out)
            out += ": "
            write(value, into: &out, indent: indent, level: 1)
            out += i + 1 < members.count ? ",\n" : "\n"
        }
        out += "}\n"
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: Int?, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d):
            if !d.isFinite { out += "null" } else if d.rounded() == d, abs(d) < 9e15 { out += String(Int(d)) } else { out += "\(d)" }
        case .string(let s): appendString(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += indent == nil ? "," : ", " }
                write(item, into: &out, indent: indent, level: level + 1)
            }
            out += "]"
        case .object(let members):
            let sorted = members.sorted { $0.key < $1.key }
            guard !sorted.isEmpty else { out += "{}"; return }
            out += "{"
            for (i, (key, item)) in sorted.enumerated() {
                if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) }
                appendString(key, into: &out)
                out += indent == nil ? ":" : ": "
                write(item, into: &out, indent: indent, level: level + 1)
                if i + 1 < sorted.count { out += "," }
            }
            if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "}"
        }
    }

    /// Appends `s` as a JSON string literal (quotes included).
    public static func appendString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
