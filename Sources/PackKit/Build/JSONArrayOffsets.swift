import Foundation

/// Where the elements of a JSON array of strings (`bm25_docs.json`) lie in a file, found by one pass over its bytes
/// (string quotes and escapes only: the array holds nothing else), so that an update can copy the elements it keeps
/// without parsing them.
enum JSONArrayOffsets {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// For each element index in `wanted`: the offset of its opening quote and the offset just past its closing
    /// quote, relative to `offset`. Reads `length` bytes of `path` from `offset`; stops after the last wanted element.
    static func find(in path: String, offset: Int64, length: Int64, wanted: Set<Int>) throws -> [Int: (start: Int64, end: Int64)] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let last = wanted.max() ?? -1
        var found: [Int: (start: Int64, end: Int64)] = [:]
        let capacity = 4 << 20
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var position: Int64 = 0
        var index = -1
        var inString = false, escaped = false, opened = false
        var start: Int64 = 0
        while position < length && index <= last {
            let n = pread(fd, buffer, Int(min(Int64(capacity), length - position)), off_t(offset + position))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Problem(description: "cannot read \(path): \(n < 0 ? String(cString: strerror(errno)) : "it ended early")") }
            var i = 0
            while i < n {
                let byte = buffer[i]
                if inString {
                    if escaped { escaped = false }
                    else if byte == UInt8(ascii: "\\") { escaped = true }
                    else if byte == UInt8(ascii: "\"") {
                        inString = false
                        if wanted.contains(index) { found[index] = (start, position + Int64(i) + 1) }
                        if index == last { return found }
                    }
                } else if byte == UInt8(ascii: "\"") {
                    guard opened else { throw Problem(description: "\(path): the JSON array has a string before its '['") }
                    inString = true
                    index += 1
                    start = position + Int64(i)
                } else if byte == UInt8(ascii: "[") {
                    guard !opened else { throw Problem(description: "\(path): not a flat JSON array of strings") }
                    opened = true
                }
                i += 1
            }
            position += Int64(n)
        }
        guard found.count == wanted.count else { throw Problem(description: "\(path): the JSON array has \(index + 1) strings, fewer than expected") }
        return found
    }
}
