/// YouTube SBV parser: `0:00:02.460,0:00:04.320` then text lines, blank line between cues.
///
/// A time line is a line made only of digits, `:`, `.`, `,` and spaces containing at least one
/// of each of `:`, `.` and `,`; if such a line does not parse, that is a `TranscriptProblem`.
/// Like SRT, a time line always starts a new cue, blank line or not; other non-blank lines are
/// the current cue's text (lines before the first time line are ignored).
enum SBVParser {
    static func parse(_ bytes: TranscriptBytes, fileName: String, into cues: inout CueBuffer) throws(TranscriptProblem) {
        var cursor = LineCursor(bytes)
        var inCue = false
        while let line = cursor.next() {
            let t = bytes.trimmed(line)
            if t.start == t.end { continue }
            if TimestampParser.looksLikeSBVLine(bytes, t) {
                guard let times = TimestampParser.parseSBVLine(bytes, t) else {
                    throw TranscriptProblem(file: fileName, line: line.number, message: "invalid time line '\(bytes.excerpt(t))'")
                }
                try cues.begin(startMs: times.start, endMs: times.end, line: line.number)
                inCue = true
            } else if inCue {
                cues.appendLine(bytes.base, t.start, t.end)
            }
        }
        cues.finish()
    }
}
