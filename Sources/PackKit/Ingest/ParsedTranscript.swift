/// The result of parsing one transcript file.
public struct ParsedTranscript: Sendable, Equatable {
    /// The format detected from the file's content.
    public var format: TranscriptFormat
    /// Cleaned segments, sorted by `startMs` (stable), none with empty text.
    public var segments: [TranscriptSegment]
    /// What is odd but usable, each naming the file and line: cues past the video's known duration.
    public var warnings: [TranscriptProblem]

    public init(format: TranscriptFormat, segments: [TranscriptSegment], warnings: [TranscriptProblem] = []) {
        self.format = format
        self.segments = segments
        self.warnings = warnings
    }
}
