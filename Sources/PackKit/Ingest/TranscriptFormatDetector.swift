/// Decides a transcript's format from its content; the file extension is only a tie-breaker.
enum TranscriptFormatDetector {
    enum Outcome: Equatable {
        /// Nothing but whitespace.
        case blank
        case format(TranscriptFormat)
        /// Non-blank content with no recognisable cue structure.
        case unknown
    }

    /// - first non-whitespace byte `{`, or `[` followed by `{` or `]` → JSON (also any `[` when the
    ///   name says `.json`); a text starting with `[Music]` is not mistaken for JSON;
    /// - `WEBVTT` signature at the start → WebVTT;
    /// - otherwise the first decisive line wins: a line starting with a digit and containing
    ///   `-->` → SRT (WebVTT if `hint` is `.vtt`, i.e. a header-less `.vtt` file); an SBV time
    ///   line (`0:00:01.000,0:00:02.000`) → SBV, whatever the file is called.
    static func detect(_ bytes: TranscriptBytes, hint: TranscriptFormat?) -> Outcome {
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C else { break }
            i += 1
        }
        guard i < bytes.count else { return .blank }
        let first = bytes[i]
        if first == 0x7B { return .format(.json) }
        if first == 0x5B {
            var k = i + 1
            while k < bytes.count, bytes[k] == 0x20 || bytes[k] == 0x09 || bytes[k] == 0x0A || bytes[k] == 0x0D { k += 1 }
            if hint == .json || k == bytes.count || bytes[k] == 0x7B || bytes[k] == 0x5D { return .format(.json) }
        }
        if WebVTTParser.hasHeader(bytes, at: i) { return .format(.vtt) }

        var cursor = LineCursor(bytes)
        while let line = cursor.next() {
            let t = bytes.trimmed(line)
            guard t.start < t.end, TranscriptBytes.isDigit(bytes[t.start]) else { continue }
            if bytes.containsArrow(t) { return .format(hint == .vtt ? .vtt : .srt) }
            if TimestampParser.looksLikeSBVLine(bytes, t) { return .format(.sbv) }
        }
        return .unknown
    }
}
