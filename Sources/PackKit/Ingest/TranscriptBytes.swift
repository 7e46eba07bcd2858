#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Read-only view of a transcript's UTF-8 bytes plus the byte-level helpers the parsers share.
///
/// All parsers work on this view: no `Character` iteration, no Foundation, and Strings are only
/// created for the final cue text.
struct TranscriptBytes {
    let base: UnsafePointer<UInt8>
    let count: Int

    @inline(__always)
    subscript(i: Int) -> UInt8 { base[i] }

    /// One line of the input: bytes `start..<end`, without its line break.
    struct Line {
        var start: Int
        var end: Int
        /// 1-based line number.
        var number: Int
        @inline(__always) var isEmpty: Bool { start == end }
    }

    @inline(__always)
    static func isASCIISpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0B || c == 0x0C
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    @inline(__always)
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }

    /// The line without leading and trailing spaces and tabs.
    @inline(__always)
    func trimmed(_ line: Line) -> Line {
        var s = line.start, e = line.end
        while s < e && Self.isASCIISpace(base[s]) { s += 1 }
        while e > s && Self.isASCIISpace(base[e - 1]) { e -= 1 }
        return Line(start: s, end: e, number: line.number)
    }

    /// True when the line holds nothing but spaces and tabs.
    @inline(__always)
    func isBlank(_ line: Line) -> Bool {
        var i = line.start
        while i < line.end {
            if !Self.isASCIISpace(base[i]) { return false }
            i += 1
        }
        return true
    }

    /// True when the line contains the cue timing arrow `-->`.
    @inline(__always)
    func containsArrow(_ line: Line) -> Bool {
        var i = line.start
        let last = line.end - 2
        while i < last {
            if base[i] == 0x2D && base[i + 1] == 0x2D && base[i + 2] == 0x3E { return true }
            i += 1
        }
        return false
    }

    /// True when the line consists of ASCII digits only (at least one).
    func isAllDigits(_ line: Line) -> Bool {
        guard line.start < line.end else { return false }
        var i = line.start
        while i < line.end {
            if !Self.isDigit(base[i]) { return false }
            i += 1
        }
        return true
    }

    /// True when the bytes at `line.start` equal `word` and are followed by the end of the line,
    /// a space or a tab (how WebVTT block keywords such as `NOTE` are recognised).
    func startsWithKeyword(_ line: Line, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard line.end - line.start >= n else { return false }
        let w = word.utf8Start
        for k in 0..<n where base[line.start + k] != w[k] { return false }
        return line.start + n == line.end || Self.isASCIISpace(base[line.start + n])
    }

    /// The line's text for an error message: decoded leniently, shortened to a sane length.
    func excerpt(_ line: Line, limit: Int = 60) -> String {
        let t = trimmed(line)
        let n = min(t.end - t.start, limit)
        var s = String(decoding: UnsafeBufferPointer(start: base + t.start, count: n), as: UTF8.self)
        if t.end - t.start > limit { s += "…" }
        return s
    }

    /// The 1-based line number of byte `offset` (CRLF, LF and bare CR each end one line).
    func lineNumber(ofOffset offset: Int) -> Int {
        var line = 1
        var i = 0
        let end = min(offset, count)
        while i < end {
            let c = base[i]
            if c == 0x0A {
                line += 1
            } else if c == 0x0D {
                line += 1
                if i + 1 < end && base[i + 1] == 0x0A { i += 1 }
            }
            i += 1
        }
        return line
    }
}

/// Iterates the lines of a `TranscriptBytes`; CRLF, LF and bare CR all end a line.
/// A line break at the very end of the input does not produce an extra empty line.
///
/// Uses `memchr` (vectorised in libc) to find line breaks; the next LF and CR positions are
/// cached so files with only CR (or only LF) line breaks stay linear.
struct LineCursor {
    let bytes: TranscriptBytes
    private(set) var position: Int = 0
    private(set) var lineNumber: Int = 0
    /// Offset of the next LF / CR at or after `position` (`count` when there is none), or -1
    /// when not searched yet.
    private var nextLF = -1
    private var nextCR = -1

    init(_ bytes: TranscriptBytes) { self.bytes = bytes }

    @inline(__always)
    private func find(_ byte: UInt8, from: Int) -> Int {
        let count = bytes.count
        guard from < count else { return count }
        guard let hit = memchr(bytes.base + from, Int32(byte), count - from) else { return count }
        return bytes.base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    @inline(__always)
    mutating func next() -> TranscriptBytes.Line? {
        let count = bytes.count
        let start = position
        guard start < count else { return nil }
        if nextLF < start { nextLF = find(0x0A, from: start) }
        if nextCR < start { nextCR = find(0x0D, from: start) }
        let end: Int
        if nextCR < nextLF {
            end = nextCR
            position = nextCR + 1 == nextLF ? nextLF + 1 : nextCR + 1
        } else {
            end = nextLF
            position = min(count, nextLF + 1)
        }
        lineNumber += 1
        return TranscriptBytes.Line(start: start, end: end, number: lineNumber)
    }
}
