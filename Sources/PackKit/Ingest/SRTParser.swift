/// SubRip parser.
///
/// Cue boundaries come from time lines, not from blank lines, so files with missing or extra
/// blank lines and missing or wrong cue numbers parse the same as clean ones:
/// - a time line is a line whose first non-space byte is a digit and which contains `-->`;
///   if it then does not parse, that is a `TranscriptProblem` for its line;
/// - a digits-only line directly before a time line is a cue number and is skipped (anywhere
///   else it is text, so a cue whose text is "1984" survives);
/// - every other non-blank line belongs to the most recent cue (lines before the first time
///   line are ignored); a cue's lines are joined with one space.
/// Times may use `,` or `.` before the milliseconds and 1–2 (or more) hour digits; anything
/// after the end time (`X1:… Y2:…`) is ignored.
enum SRTParser {
    static func parse(_ bytes: TranscriptBytes, fileName: String, into cues: inout CueBuffer) throws(TranscriptProblem) {
        var cursor = LineCursor(bytes)
        var inCue = false
        var pendingNumber: TranscriptBytes.Line?
        while let line = cursor.next() {
            let t = bytes.trimmed(line)
            if t.start == t.end {
                if let number = pendingNumber {
                    if inCue { cues.appendLine(bytes.base, number.start, number.end) }
                    pendingNumber = nil
                }
                continue
            }
            if TranscriptBytes.isDigit(bytes[t.start]) && bytes.containsArrow(t) {
                guard let times = TimestampParser.parseArrowLine(bytes, t, allowLeadingIndex: true) else {
                    throw TranscriptProblem(file: fileName, line: line.number, message: "invalid time line '\(bytes.excerpt(t))'")
                }
                pendingNumber = nil
                try cues.begin(startMs: times.start, endMs: times.end, line: line.number)
                inCue = true
                continue
            }
            if let number = pendingNumber {
                if inCue { cues.appendLine(bytes.base, number.start, number.end) }
                pendingNumber = nil
            }
            if bytes.isAllDigits(t) {
                pendingNumber = t
            } else if inCue {
                cues.appendLine(bytes.base, t.start, t.end)
            }
        }
        if let number = pendingNumber, inCue { cues.appendLine(bytes.base, number.start, number.end) }
        cues.finish()
    }
}
