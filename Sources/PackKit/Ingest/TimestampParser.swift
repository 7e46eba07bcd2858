/// Parses caption timestamps straight from bytes.
///
/// Accepted: `[h…:]mm:ss[(.|,)fff…]` — hours of any width up to 6 digits, minutes and seconds of
/// one or two digits (below 60 when hours are present; seconds always below 60), and a fraction
/// with `.` or `,` of one or more digits (`.5` is 500 ms; digits past the third are ignored).
/// Without hours the minutes may be any width (`75:02.000`).
enum TimestampParser {
    /// Parses one timestamp starting at `i`, stopping at `end`. On success advances `i` past it.
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) -> Int? {
        var fields = (0, 0, 0)
        var fieldCount = 0
        var k = i
        while true {
            var value = 0
            let digitsStart = k
            while k < end, TranscriptBytes.isDigit(p[k]), k - digitsStart < 7 {
                value = value * 10 + Int(p[k] &- 0x30)
                k += 1
            }
            let width = k - digitsStart
            guard width > 0 else { return nil }
            if fieldCount > 0 && width > 2 { return nil }
            switch fieldCount {
            case 0: fields.0 = value
            case 1: fields.1 = value
            default: fields.2 = value
            }
            fieldCount += 1
            if fieldCount < 3, k < end, p[k] == 0x3A {  // ':'
                k += 1
                continue
            }
            break
        }
        guard fieldCount >= 2 else { return nil }
        let hours: Int, minutes: Int, seconds: Int
        if fieldCount == 3 {
            (hours, minutes, seconds) = fields
            guard minutes < 60 else { return nil }
        } else {
            (hours, minutes, seconds) = (0, fields.0, fields.1)
        }
        guard seconds < 60 else { return nil }
        var millis = 0
        if k < end, p[k] == 0x2E || p[k] == 0x2C {  // '.' or ','
            k += 1
            var scale = 100
            let fracStart = k
            while k < end, TranscriptBytes.isDigit(p[k]) {
                millis += Int(p[k] &- 0x30) * scale
                scale /= 10
                k += 1
            }
            guard k > fracStart else { return nil }
        }
        i = k
        return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
    }

    /// Parses `start --> end` (SRT / WebVTT). Anything separated from the end time by a space
    /// (cue settings, SRT position suffixes such as `X1:…`) is ignored. Leading and trailing spaces are allowed.
    /// When `allowLeadingIndex` is set, a cue number on the same line (`12 00:00:01,000 --> …`)
    /// is skipped.
    static func parseArrowLine(
        _ bytes: TranscriptBytes, _ line: TranscriptBytes.Line, allowLeadingIndex: Bool
    ) -> (start: Int, end: Int)? {
        let p = bytes.base
        let end = line.end
        var i = line.start
        while i < end && TranscriptBytes.isASCIISpace(p[i]) { i += 1 }
        if let r = arrowTail(p, i, end) { return r }
        guard allowLeadingIndex else { return nil }
        // `12 00:00:01,000 --> …`
        var k = i
        while k < end && TranscriptBytes.isDigit(p[k]) { k += 1 }
        guard k > i, k < end, TranscriptBytes.isASCIISpace(p[k]) else { return nil }
        while k < end && TranscriptBytes.isASCIISpace(p[k]) { k += 1 }
        return arrowTail(p, k, end)
    }

    @inline(__always)
    private static func arrowTail(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> (start: Int, end: Int)? {
        var i = from
        guard let start = parse(p, &i, end) else { return nil }
        while i < end && TranscriptBytes.isASCIISpace(p[i]) { i += 1 }
        guard i + 3 <= end, p[i] == 0x2D, p[i + 1] == 0x2D, p[i + 2] == 0x3E else { return nil }
        i += 3
        while i < end && TranscriptBytes.isASCIISpace(p[i]) { i += 1 }
        guard let stop = parse(p, &i, end) else { return nil }
        // The end time must stand alone: `00:00:0x,000` is broken, `… X1:40` or `… align:start` is fine.
        guard i == end || TranscriptBytes.isASCIISpace(p[i]) else { return nil }
        return (start, stop)
    }

    /// Parses an SBV time line `start,end` (nothing else on the line but spaces).
    static func parseSBVLine(_ bytes: TranscriptBytes, _ line: TranscriptBytes.Line) -> (start: Int, end: Int)? {
        let p = bytes.base
        let t = bytes.trimmed(line)
        var i = t.start
        guard let start = parse(p, &i, t.end) else { return nil }
        while i < t.end && TranscriptBytes.isASCIISpace(p[i]) { i += 1 }
        guard i < t.end, p[i] == 0x2C else { return nil }
        i += 1
        while i < t.end && TranscriptBytes.isASCIISpace(p[i]) { i += 1 }
        guard let stop = parse(p, &i, t.end), i == t.end else { return nil }
        return (start, stop)
    }

    /// True when the trimmed line looks like an SBV time line (digits, `:`, `.`, `,` and spaces
    /// only, with at least one each of `:`, `.` and `,`), whether or not it is valid.
    static func looksLikeSBVLine(_ bytes: TranscriptBytes, _ line: TranscriptBytes.Line) -> Bool {
        let t = bytes.trimmed(line)
        guard t.start < t.end, TranscriptBytes.isDigit(bytes[t.start]) else { return false }
        var colon = false, comma = false, dot = false
        for i in t.start..<t.end {
            let c = bytes[i]
            switch c {
            case 0x30...0x39, 0x20, 0x09: continue
            case 0x2E: dot = true
            case 0x3A: colon = true
            case 0x2C: comma = true
            default: return false
            }
        }
        return colon && comma && dot
    }
}
