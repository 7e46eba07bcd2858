/// One caption cue after parsing and cleaning.
///
/// Times are milliseconds from the start of the video. `endMs >= startMs` always holds for
/// segments produced by `TranscriptReader`; `text` is never empty and contains no line breaks,
/// no markup and no runs of whitespace.
public struct TranscriptSegment: Sendable, Hashable {
    public var startMs: Int
    public var endMs: Int
    public var text: String
    /// Speaker named by a WebVTT voice tag (`<v Name>`) or a JSON `speaker` field.
    public var speaker: String?

    public init(startMs: Int, endMs: Int, text: String, speaker: String? = nil) {
        self.startMs = startMs
        self.endMs = endMs
        self.text = text
        self.speaker = speaker
    }
}
