import Foundation

/// Streams a JSON array of strings to a file (`bm25_docs.json`), a batch at a time.
final class JSONArrayWriter {
    private let handle: FileHandle
    private var count = 0
    private var buffer = ""

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data("[".utf8)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    func append(_ strings: [String]) throws {
        for s in strings {
            if count > 0 { buffer += ", " }
            JSONValue.appendString(s, into: &buffer)
            count += 1
        }
        if buffer.utf8.count > 1 << 20 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        buffer += "]"
        try flush()
        try handle.close()
    }
}
