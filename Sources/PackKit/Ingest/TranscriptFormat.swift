/// Transcript file formats understood by `TranscriptReader`.
public enum TranscriptFormat: String, Sendable, CaseIterable {
    /// SubRip (`00:00:01,000 --> 00:00:02,000`).
    case srt
    /// WebVTT, including YouTube's auto-caption flavour.
    case vtt
    /// YouTube SBV (`0:00:01.000,0:00:02.000`).
    case sbv
    /// JSON arrays of segments (`start_ms`/`end_ms` or youtube-transcript-api `start`/`duration`).
    case json

    /// The lower-case file extension (without dot) conventionally used for this format.
    public var fileExtension: String { rawValue }

    /// The format conventionally stored under `fileExtension` (case-insensitive, leading dot allowed).
    public init?(fileExtension: String) {
        var ext = Substring(fileExtension)
        if ext.first == "." { ext = ext.dropFirst() }
        self.init(rawValue: ext.lowercased())
    }
}
