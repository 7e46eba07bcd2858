import Foundation

/// Entry point: reads SRT, WebVTT, SBV and JSON transcripts into cleaned segments.
///
/// Pipeline: decode (UTF-8 BOM stripped; UTF-16 — with BOM, or recognisable by its NUL bytes —
/// transcoded; anything else must be valid UTF-8) → detect the format from content → parse cues
/// on raw bytes → clean text (`CaptionText`) → drop empty cues, clamp `end < start` to `start`,
/// sort by start (stable) → remove YouTube rolling-caption repeats (`RollingCueMerger`) →
/// `TranscriptSegment`s.
///
/// Outcomes: an empty or whitespace-only input yields zero segments; non-blank input in which no
/// cue can be found, invalid UTF-8, a time line that does not parse, or a time past `CueTimeLimit.maxMs` is a
/// `TranscriptProblem`.
public enum TranscriptReader {
    /// Supported file extensions, lower-case without dot: `["srt", "vtt", "sbv", "json"]`.
    public static let fileExtensions: [String] = TranscriptFormat.allCases.map(\.rawValue)

    /// Parses transcript bytes. The format is detected from the content; the extension of
    /// `fileName` is only a hint (used for header-less WebVTT and for empty files).
    /// `fileName` is used verbatim in errors. `videoDurationMs`, the video's length when known, makes cues past it
    /// a warning (`ParsedTranscript.warnings`).
    public static func parse(_ data: Data, fileName: String, videoDurationMs: Int? = nil) throws(TranscriptProblem) -> ParsedTranscript {
        // Line offsets within a cue are 32-bit (`CueBuffer`): bounded here for every caller, not only `read`.
        guard data.count <= maxFileBytes else {
            throw TranscriptProblem(file: fileName, line: nil,
                                    message: "is \(data.count) bytes, more than the \(InputFile.byteCount(maxFileBytes)) ytce reads")
        }
        let hint = formatHint(fileName)
        if let (encoding, bomLength) = utf16Encoding(of: data) {
            guard data.count % 2 == 0, let text = String(data: data.dropFirst(bomLength), encoding: encoding) else {
                throw TranscriptProblem(file: fileName, line: nil, message: "invalid UTF-16")
            }
            var utf8 = Array(text.utf8)
            return try utf8.withUnsafeMutableBufferPointer { buffer throws(TranscriptProblem) in
                try parse(UnsafeBufferPointer(buffer), fileName: fileName, hint: hint, videoDurationMs: videoDurationMs)
            }
        }
        var result: Result<ParsedTranscript, TranscriptProblem>!
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            result = Result { () throws(TranscriptProblem) in
                try parse(bytes, fileName: fileName, hint: hint, videoDurationMs: videoDurationMs)
            }
        }
        return try result.get()
    }

    /// The largest transcript file ytce reads. Twelve hours of speech is under 1 MB of SRT; the bound keeps a
    /// wrong file (a video, a disk image) from being read into memory, and the line offsets of a cue within 32 bits.
    public static let maxFileBytes = 256 << 20

    /// Reads and parses a file. An unreadable file is a `TranscriptProblem` (with `line == nil`) that says why
    /// (no such file, a folder, a FIFO, a symbolic link loop, no permission, too large); errors name the file by
    /// `url.path`. `videoDurationMs`, the video's length when known, makes cues past it a warning.
    public static func read(contentsOf url: URL, videoDurationMs: Int? = nil) throws(TranscriptProblem) -> ParsedTranscript {
        try parse(try bytes(of: url), fileName: url.isFileURL ? url.path : url.absoluteString, videoDurationMs: videoDurationMs)
    }

    /// A transcript file's bytes, as `read` reads them (same checks, same errors).
    public static func bytes(of url: URL) throws(TranscriptProblem) -> Data {
        do {
            return try InputFile.read(url.path, limit: maxFileBytes)
        } catch {
            throw TranscriptProblem(file: url.isFileURL ? url.path : url.absoluteString, line: nil, message: "cannot read file: \(error.reason)")
        }
    }

    /// UTF-16 input: a UTF-16 BOM, or (without BOM) the `x 00 x 00` / `00 x 00 x` pattern that
    /// ASCII text has in UTF-16 — NUL bytes never occur in real UTF-8 captions.
    static func utf16Encoding(of data: Data) -> (String.Encoding, bomLength: Int)? {
        guard data.count >= 2 else { return nil }
        let s = data.startIndex
        let b0 = data[s], b1 = data[s + 1]
        if b0 == 0xFF && b1 == 0xFE { return (.utf16LittleEndian, 2) }
        if b0 == 0xFE && b1 == 0xFF { return (.utf16BigEndian, 2) }
        guard data.count >= 4 else { return nil }
        let b2 = data[s + 2], b3 = data[s + 3]
        if b0 != 0 && b1 == 0 && b2 != 0 && b3 == 0 { return (.utf16LittleEndian, 0) }
        if b0 == 0 && b1 != 0 && b2 == 0 && b3 != 0 { return (.utf16BigEndian, 0) }
        return nil
    }

    /// The format suggested by the file name's extension (text after the last `.` of the last
    /// path component), if it is one of ours.
    static func formatHint(_ fileName: String) -> TranscriptFormat? {
        let component = fileName.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = component.lastIndex(of: "."), dot != component.startIndex else { return nil }
        return TranscriptFormat(fileExtension: String(component[component.index(after: dot)...]))
    }

    /// Core: parses UTF-8 bytes (BOM allowed).
    static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, fileName: String, hint: TranscriptFormat?, videoDurationMs: Int? = nil
    ) throws(TranscriptProblem) -> ParsedTranscript {
        guard let start = buffer.baseAddress, buffer.count > 0 else {
            return ParsedTranscript(format: hint ?? .srt, segments: [])
        }
        // A UTF-8 BOM is dropped; it does not affect line numbers.
        var base = start
        var count = buffer.count
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            base += 3
            count -= 3
        }
        let bytes = TranscriptBytes(base: base, count: count)

        if let bad = UTF8Validation.firstInvalidOffset(base, count: count) {
            let line = bytes.lineNumber(ofOffset: bad)
            var lineStart = bad
            while lineStart > 0 && base[lineStart - 1] != 0x0A && base[lineStart - 1] != 0x0D { lineStart -= 1 }
            let hex = String(base[bad], radix: 16, uppercase: true)
            throw TranscriptProblem(
                file: fileName, line: line,
                message: "invalid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex) at column \(bad - lineStart + 1))")
        }

        let format: TranscriptFormat
        switch TranscriptFormatDetector.detect(bytes, hint: hint) {
        case .blank:
            return ParsedTranscript(format: hint ?? .srt, segments: [])
        case .format(let detected):
            format = detected
        case .unknown:
            guard hint == .json else {
                throw TranscriptProblem(file: fileName, line: nil, message: "no cues found (not SRT, WebVTT, SBV or JSON)")
            }
            format = .json  // let the JSON parser report the syntax error
        }

        var cues = CueBuffer(expectedBytes: count, fileName: fileName, videoDurationMs: videoDurationMs)
        switch format {
        case .srt: try SRTParser.parse(bytes, fileName: fileName, into: &cues)
        case .vtt: try WebVTTParser.parse(bytes, fileName: fileName, into: &cues)
        case .sbv: try SBVParser.parse(bytes, fileName: fileName, into: &cues)
        case .json: try JSONTranscriptParser.parse(bytes, fileName: fileName, into: &cues)
        }
        let segments = cues.makeSegments()
        return ParsedTranscript(format: format, segments: segments, warnings: cues.warnings)
    }
}
