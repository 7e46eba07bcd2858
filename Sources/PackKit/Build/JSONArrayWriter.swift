import Foundation

/// Streams a JSON array of strings to a file (`bm25_docs.json`), escaping bytes directly: this runs over
/// every chunk text of a channel, so it avoids building intermediate Strings.
final class JSONArrayWriter {
    private let file: any ByteSink
    private var count = 0
    private var buffer: [UInt8] = []
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    convenience init(path: String) throws {
        try self.init(sink: OutputFile(path: path))
    }

    /// Writes into `sink` (a file, or a member streamed into a zip).
    init(sink: any ByteSink) {
        file = sink
        buffer.reserveCapacity(1 << 21)
        buffer.append(UInt8(ascii: "["))
    }

    func append(_ strings: [String]) throws {
        try append(Self.fragment(strings))
    }

    /// Appends elements already encoded by `fragment(_:)` (done off the writer thread).
    func append(_ fragment: EncodedStrings) throws {
        guard fragment.count > 0 else { return }
        if count > 0 { buffer.append(UInt8(ascii: ",")); buffer.append(UInt8(ascii: " ")) }
        buffer.append(contentsOf: fragment.bytes)
        count += fragment.count
        if buffer.count > 1 << 20 { try flush() }
    }

    /// JSON string literals separated by ", ", ready to be appended.
    struct EncodedStrings: Sendable {
        var bytes: [UInt8] = []
        var count = 0
    }

    static func fragment(_ strings: [String]) -> EncodedStrings {
        var out = EncodedStrings()
        out.bytes.reserveCapacity(strings.reduce(0) { $0 + $1.utf8.count + 4 })
        for var s in strings {
            if out.count > 0 { out.bytes.append(UInt8(ascii: ",")); out.bytes.append(UInt8(ascii: " ")) }
            out.count += 1
            out.bytes.append(UInt8(ascii: "\""))
            s.withUTF8 { appendEscaped($0, to: &out.bytes) }
            out.bytes.append(UInt8(ascii: "\""))
        }
        return out
    }

    /// JSON string escaping of UTF-8 bytes; non-ASCII passes through (valid JSON, smaller than \u escapes).
    /// Runs of bytes that need no escape are copied in one go: almost all text is such a run.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        for (i, b) in bytes.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
            runStart = i + 1
            switch b {
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), b])
            default:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }

    private func flush() throws {
        try file.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        buffer.append(UInt8(ascii: "]"))
        try flush()
        try file.close()
    }
}
