/// The result of parsing one transcript file.
public struct ParsedTranscript: Sendable, Equatable {
    /// The format detected from the file's content.
    public var format: TranscriptFormat
    /// Cleaned segments, sorted by `startMs` (stable), none with empty text.
    public var segments: [TranscriptSegment]

    public init(format: TranscriptFormat, segments: [TranscriptSegment]) {
        self.format = format
        self.segments = segments
    }
}
