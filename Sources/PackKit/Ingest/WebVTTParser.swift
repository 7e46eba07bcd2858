/// WebVTT parser (block-based, following the WebVTT spec where it matters, lenient elsewhere).
///
/// - Header: a first line `WEBVTT` (optionally followed by a space/tab and text); the header
///   block (`Kind:`, `Language:`, `X-TIMESTAMP-MAP=…`) runs to the first blank line. Files
///   without the header are accepted when the caller already decided they are WebVTT.
/// - `NOTE`, `STYLE` and `REGION` blocks are skipped.
/// - A cue is an optional identifier line, a timing line (`start --> end` plus ignored settings
///   like `align:start position:0%`; `mm:ss.mmm` allowed), then text lines. The text ends at an
///   empty line, at a whitespace-only line once some text was seen (YouTube puts a lone " " line
///   inside its cues), or at a new timing line.
/// - A timing line that does not parse is a `TranscriptProblem`. Blocks that are neither cues
///   nor NOTE/STYLE/REGION are skipped (as the spec says), but if the file has such blocks and no
///   cue at all, that is a "no cues found" problem.
enum WebVTTParser {
    /// True when the bytes start with a WebVTT signature (`WEBVTT` then end, space, tab or line break).
    static func hasHeader(_ bytes: TranscriptBytes, at offset: Int) -> Bool {
        let signature: StaticString = "WEBVTT"
        let n = signature.utf8CodeUnitCount
        guard bytes.count - offset >= n else { return false }
        for k in 0..<n where bytes[offset + k] != signature.utf8Start[k] { return false }
        let after = offset + n
        guard after < bytes.count else { return true }
        let c = bytes[after]
        return c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D
    }

    static func parse(_ bytes: TranscriptBytes, fileName: String, into cues: inout CueBuffer) throws(TranscriptProblem) {
        var cursor = LineCursor(bytes)
        var pending: TranscriptBytes.Line?
        var sawStrayBlock = false

        // Header block (blank lines before the signature are tolerated).
        var firstLine = cursor.next()
        while let line = firstLine, bytes.isBlank(line) { firstLine = cursor.next() }
        if let first = firstLine {
            if hasHeader(bytes, at: bytes.trimmed(first).start) {
                while let line = cursor.next(), !bytes.isBlank(line) {
                    if bytes.containsArrow(line) {  // missing blank line after the header
                        pending = line
                        break
                    }
                }
            } else {
                pending = first
            }
        }

        func problem(_ line: TranscriptBytes.Line) -> TranscriptProblem {
            TranscriptProblem(file: fileName, line: line.number, message: "invalid time line '\(bytes.excerpt(line))'")
        }

        /// Skips to the end of the current block; returns a timing line found on the way.
        func skipBlock(_ cursor: inout LineCursor) -> TranscriptBytes.Line? {
            while let line = cursor.next(), !bytes.isBlank(line) {
                if bytes.containsArrow(line) { return line }
            }
            return nil
        }

        while true {
            let next: TranscriptBytes.Line
            if let p = pending {
                next = p
                pending = nil
            } else if let l = cursor.next() {
                next = l
            } else {
                break
            }
            let line = bytes.trimmed(next)
            if line.start == line.end { continue }

            let timing: TranscriptBytes.Line
            if bytes.containsArrow(line) {
                timing = line
            } else if bytes.startsWithKeyword(line, "NOTE") || bytes.startsWithKeyword(line, "STYLE")
                || bytes.startsWithKeyword(line, "REGION") {
                pending = skipBlock(&cursor)
                continue
            } else {
                // Cue identifier: the timing line must follow.
                guard let following = cursor.next() else {
                    sawStrayBlock = true
                    break
                }
                if bytes.isBlank(following) {
                    sawStrayBlock = true
                    continue
                }
                if bytes.containsArrow(following) {
                    timing = bytes.trimmed(following)
                } else {
                    sawStrayBlock = true
                    pending = skipBlock(&cursor)
                    continue
                }
            }

            guard let times = TimestampParser.parseArrowLine(bytes, timing, allowLeadingIndex: false) else {
                throw problem(timing)
            }
            try cues.begin(startMs: times.start, endMs: times.end, line: timing.number)

            var hasText = false
            while let textLine = cursor.next() {
                if textLine.isEmpty { break }
                let t = bytes.trimmed(textLine)
                if t.start == t.end {
                    if hasText { break }
                    continue
                }
                if TranscriptBytes.isDigit(bytes[t.start]) && bytes.containsArrow(t) {
                    pending = t  // next cue without a blank line in between
                    break
                }
                cues.appendLine(bytes.base, t.start, t.end)
                hasText = true
            }
        }
        cues.finish()
        if cues.cueCount == 0 && sawStrayBlock {
            throw TranscriptProblem(file: fileName, line: nil, message: "no cues found")
        }
    }
}
