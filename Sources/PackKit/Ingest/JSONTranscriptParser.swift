/// JSON transcript parser.
///
/// Accepted shapes (the top level may also be an object wrapping the array under `"segments"`,
/// `"transcript"` or `"snippets"`):
/// - `[{"start_ms": 1000, "end_ms": 2500, "text": "…", "speaker": "…"?}]` — ints or floats
///   (rounded to whole ms); `"duration_ms"` may replace `"end_ms"`;
/// - youtube-transcript-api: `[{"text": "…", "start": 1.23, "duration": 4.5}]` in seconds;
///   `"end"` (seconds) may replace `"duration"`;
/// - YouTube/yt-dlp `json3`: `{"events": [{"tStartMs": 0, "dDurationMs": 1500, "segs": [{"utf8": "…"}]}]}`
///   (events without `segs` are skipped).
/// Text gets the same cleaning as every other format; `\n` inside a text separates lines.
/// Shape errors name the 0-based element index and the field, e.g. `element 3: missing field
/// 'text'`, with `line == nil`; JSON syntax errors carry the line. An empty array is a valid,
/// empty transcript.
enum JSONTranscriptParser {
    static func parse(_ bytes: TranscriptBytes, fileName: String, into cues: inout CueBuffer) throws(TranscriptProblem) {
        var parser = JSONDocumentParser(UnsafeBufferPointer(start: bytes.base, count: bytes.count))
        let document: JSONValue
        do {
            document = try parser.parseDocument()
        } catch {
            throw TranscriptProblem(file: fileName, line: bytes.lineNumber(ofOffset: error.offset), message: "invalid JSON: \(error.message)")
        }
        func shapeProblem(_ message: String) -> TranscriptProblem {
            TranscriptProblem(file: fileName, line: nil, message: message)
        }

        let elements: [JSONValue]
        switch document {
        case .array(let array):
            elements = array
        case .object(let object):
            if case .array(let events)? = object["events"] {
                try parseJSON3(events, into: &cues, shapeProblem)
                return
            }
            guard let array = ["segments", "transcript", "snippets"].lazy.compactMap({ key -> [JSONValue]? in
                if case .array(let a)? = object[key] { return a }
                return nil
            }).first else {
                throw shapeProblem("expected an array of segments, or an object with a 'segments' or 'transcript' array")
            }
            elements = array
        default:
            throw shapeProblem("expected an array of segments, found \(document.typeName)")
        }

        for (index, element) in elements.enumerated() {
            func problem(_ message: String) -> TranscriptProblem { shapeProblem("element \(index): \(message)") }
            guard case .object(let fields) = element else { throw problem("expected an object, found \(element.typeName)") }

            guard let textValue = fields["text"] else { throw problem("missing field 'text'") }
            guard case .string(var text) = textValue else { throw problem("field 'text' must be a string, found \(textValue.typeName)") }

            let startMs: Int, endMs: Int
            if let start = fields["start_ms"] {
                startMs = try milliseconds(start, scale: 1, field: "start_ms", problem)
                if let end = fields["end_ms"] {
                    endMs = try milliseconds(end, scale: 1, field: "end_ms", problem)
                } else if let duration = fields["duration_ms"] {
                    endMs = startMs + (try milliseconds(duration, scale: 1, field: "duration_ms", problem))
                } else {
                    throw problem("missing field 'end_ms'")
                }
            } else if let start = fields["start"] {
                startMs = try milliseconds(start, scale: 1000, field: "start", problem)
                if let duration = fields["duration"] {
                    endMs = startMs + (try milliseconds(duration, scale: 1000, field: "duration", problem))
                } else if let end = fields["end"] {
                    endMs = try milliseconds(end, scale: 1000, field: "end", problem)
                } else {
                    throw problem("missing field 'duration'")
                }
            } else {
                throw problem("missing field 'start_ms' (or 'start')")
            }

            var speaker: String?
            switch fields["speaker"] {
            case nil, .null?: speaker = nil
            case .string(let s)?:
                let cleaned = CaptionText.clean(s).text
                speaker = cleaned.isEmpty ? nil : cleaned
            case let other?: throw problem("field 'speaker' must be a string or null, found \(other.typeName)")
            }

            try cues.begin(startMs: startMs, endMs: endMs, speaker: speaker, line: nil, context: "element \(index): ")
            text.withUTF8 { buf in
                if let base = buf.baseAddress { cues.appendText(base, 0, buf.count) }
            }
        }
        cues.finish()
    }

    private static func parseJSON3(
        _ events: [JSONValue], into cues: inout CueBuffer, _ shapeProblem: (String) -> TranscriptProblem
    ) throws(TranscriptProblem) {
        for (index, event) in events.enumerated() {
            func problem(_ message: String) -> TranscriptProblem { shapeProblem("event \(index): \(message)") }
            guard case .object(let fields) = event else { throw problem("expected an object, found \(event.typeName)") }
            guard let segsValue = fields["segs"] else { continue }
            guard case .array(let segs) = segsValue else { throw problem("field 'segs' must be an array") }
            guard let startValue = fields["tStartMs"] else { throw problem("missing field 'tStartMs'") }
            let startMs = try milliseconds(startValue, scale: 1, field: "tStartMs", problem)
            var endMs = startMs
            if let duration = fields["dDurationMs"] {
                endMs = startMs + (try milliseconds(duration, scale: 1, field: "dDurationMs", problem))
            }
            var text = ""
            for seg in segs {
                if case .object(let segFields) = seg, case .string(let piece)? = segFields["utf8"] { text += piece }
            }
            try cues.begin(startMs: startMs, endMs: endMs, line: nil, context: "event \(index): ")
            text.withUTF8 { buf in
                if let base = buf.baseAddress { cues.appendText(base, 0, buf.count) }
            }
        }
        cues.finish()
    }

    /// A non-negative JSON number times `scale`, rounded to whole milliseconds, at most `CueTimeLimit.maxMs` (so a
    /// start plus a duration cannot overflow either).
    private static func milliseconds(
        _ value: JSONValue, scale: Double, field: String, _ problem: (String) -> TranscriptProblem
    ) throws(TranscriptProblem) -> Int {
        guard case .number(let number) = value else {
            throw problem("field '\(field)' must be a number, found \(value.typeName)")
        }
        let ms = (number * scale).rounded()
        guard ms >= 0 else { throw problem("field '\(field)' must not be negative") }
        guard ms <= Double(CueTimeLimit.maxMs) else {
            throw problem("field '\(field)' is \(value.shortDescription) \(scale == 1 ? "ms" : "s"), past the \(CueTimeLimit.maxMs / 3_600_000)-hour limit on caption times")
        }
        return Int(ms)
    }
}
