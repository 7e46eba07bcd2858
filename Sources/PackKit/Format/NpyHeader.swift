/// The header of a NumPy `.npy` file (format versions 1-3), restricted to what packs use:
/// a 2-D matrix of little-endian float32 in C order.
public struct NpyHeader: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// Byte offset of the first element.
    public var dataOffset: Int

    public struct Problem: Error, Sendable { public let reason: String }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
    /// The widest embedding ytce accepts (today's models have at most a few thousand dimensions).
    public static let maxColumns = 1 << 16

    /// Parses the header at the start of `bytes` (which may hold only the first few hundred bytes of the file).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(Problem) -> NpyHeader {
        guard bytes.count >= 10, Array(bytes.prefix(6)) == magic else {
            throw Problem(reason: "not a .npy file (bad magic)")
        }
        let major = bytes[6]
        let lengthSize: Int
        switch major {
        case 1: lengthSize = 2
        case 2, 3: lengthSize = 4
        default: throw Problem(reason: "unsupported .npy format version \(major)")
        }
        guard bytes.count >= 8 + lengthSize else { throw Problem(reason: "truncated header") }
        var headerLength = 0
        for i in 0..<lengthSize { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let start = 8 + lengthSize
        guard headerLength > 0, start + headerLength <= bytes.count else {
            throw Problem(reason: "header length \(headerLength) runs past the end of the file")
        }
        let text = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
        let dict = try PythonLiteralParser.parseDict(text)

        guard let descr = dict["descr"], case .string(let type) = descr else {
            throw Problem(reason: "header has no 'descr'")
        }
        guard type == "<f4" || type == "float32" else {
            throw Problem(reason: "dtype is '\(type)', expected little-endian float32 '<f4'")
        }
        if case .bool(true)? = dict["fortran_order"] {
            throw Problem(reason: "matrix is in Fortran order, expected C order")
        }
        guard let shapeValue = dict["shape"], case .tuple(let shape) = shapeValue else {
            throw Problem(reason: "header has no 'shape'")
        }
        guard shape.count == 2, shape.allSatisfy({ $0 >= 0 }) else {
            throw Problem(reason: "shape \(shape) is not (rows, dim)")
        }
        // A question's vector has `dim` entries: an absurd dim would be an absurd allocation, even with no rows.
        guard shape[1] <= maxColumns else {
            throw Problem(reason: "dimension \(shape[1]) is more than the \(maxColumns) an embedding may have")
        }
        return NpyHeader(rows: shape[0], columns: shape[1], dataOffset: start + headerLength)
    }

    /// A version-1 header padded to exactly `totalLength` bytes (a multiple of 64), so it can be rewritten in place.
    static func encode(rows: Int, columns: Int, totalLength: Int = 128) -> [UInt8] {
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let headerLength = totalLength - 10
        while dict.utf8.count < headerLength - 1 { dict += " " }
        dict += "\n"
        var out = magic + [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        out += Array(dict.utf8)
        return out
    }
}

/// Just enough of Python's literal syntax for `.npy` headers: a dict of strings, booleans and int tuples.
enum PythonLiteralParser {
    enum Value: Equatable { case string(String), bool(Bool), int(Int), tuple([Int]) }

    static func parseDict(_ text: String) throws(NpyHeader.Problem) -> [String: Value] {
        var chars = Array(text.unicodeScalars)[...]
        func skipSpace() { while let c = chars.first, c == " " || c == "\n" || c == "\t" { chars.removeFirst() } }
        func expect(_ c: Unicode.Scalar) throws(NpyHeader.Problem) {
            skipSpace()
            guard chars.first == c else { throw NpyHeader.Problem(reason: "malformed header near '\(String(String.UnicodeScalarView(chars.prefix(20))))'") }
            chars.removeFirst()
        }
        func parseString() throws(NpyHeader.Problem) -> String {
            skipSpace()
            guard let quote = chars.first, quote == "'" || quote == "\"" else {
                throw NpyHeader.Problem(reason: "malformed header: expected a string")
            }
            chars.removeFirst()
            var out = String.UnicodeScalarView()
            while let c = chars.first, c != quote { out.append(c); chars.removeFirst() }
            try expect(quote)
            return String(out)
        }
        func parseInt() throws(NpyHeader.Problem) -> Int {
            skipSpace()
            var digits = ""
            while let c = chars.first, ("0"..."9").contains(c) || c == "L" {
                if c != "L" { digits.unicodeScalars.append(c) }
                chars.removeFirst()
            }
            guard !digits.isEmpty else { throw NpyHeader.Problem(reason: "malformed header: expected an integer") }
            guard let n = Int(digits) else { throw NpyHeader.Problem(reason: "malformed header: integer \(digits.prefix(40)) is out of range") }
            return n
        }
        func parseValue() throws(NpyHeader.Problem) -> Value {
            skipSpace()
            switch chars.first {
            case "'", "\"": return .string(try parseString())
            case "(":
                chars.removeFirst()
                var items: [Int] = []
                while true {
                    skipSpace()
                    if chars.first == ")" { chars.removeFirst(); break }
                    items.append(try parseInt())
                    skipSpace()
                    if chars.first == "," { chars.removeFirst() }
                }
                return .tuple(items)
            case "T", "F":
                let word = String(String.UnicodeScalarView(chars.prefix(while: { ("A"..."z").contains($0) })))
                chars.removeFirst(word.unicodeScalars.count)
                guard word == "True" || word == "False" else { throw NpyHeader.Problem(reason: "malformed header: '\(word)'") }
                return .bool(word == "True")
            default:
                return .int(try parseInt())
            }
        }
        try expect("{")
        var dict: [String: Value] = [:]
        while true {
            skipSpace()
            if chars.first == "}" { chars.removeFirst(); break }
            let key = try parseString()
            try expect(":")
            dict[key] = try parseValue()
            skipSpace()
            if chars.first == "," { chars.removeFirst() } else if chars.first != "}" {
                throw NpyHeader.Problem(reason: "malformed header: expected ',' or '}'")
            }
        }
        return dict
    }
}
