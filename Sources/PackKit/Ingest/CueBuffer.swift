/// A cue as collected by a parser, before sorting and rolling-cue merging.
struct RawCue {
    var startMs: Int
    var endMs: Int
    /// Cleaned text: the cue's non-empty cleaned lines joined with one space.
    var text: String
    /// Index of the cue's first line in `CueBuffer.lines`.
    var firstLine: Int
    /// Number of non-empty cleaned lines.
    var lineCount: Int
    var speaker: String?
}

/// Collects cues while a parser runs. The open cue's cleaned lines are written into a small
/// reusable scratch buffer; when the cue is finished that buffer becomes the cue's one String
/// (the only allocation per cue). Line boundaries are kept (as UTF-8 offsets into the cue text)
/// for `RollingCueMerger`.
struct CueBuffer: ~Copyable {
    /// UTF-8 offsets of one cleaned line inside its cue's `text`.
    struct Span {
        var start: UInt32
        var end: UInt32
    }

    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int
    private var used = 0
    private(set) var lines: [Span] = []
    private(set) var cues: [RawCue] = []
    private var cleaner = CaptionCleaner()
    private var isOpen = false

    /// The file as named in problems.
    private let fileName: String
    /// The video's length when known: later cues are reported (`lateCues`).
    private let videoDurationMs: Int?
    /// The first cue that ends past the video's known duration (its line, or JSON context, and end) and how many do.
    private var firstLateCue: (line: Int?, context: String, endMs: Int)?
    private var lateCueCount = 0

    init(expectedBytes: Int, fileName: String, videoDurationMs: Int? = nil) {
        self.fileName = fileName
        self.videoDurationMs = videoDurationMs.flatMap { $0 > 0 ? $0 : nil }
        scratchCapacity = 1024
        scratch = .allocate(capacity: scratchCapacity)
        lines.reserveCapacity(max(16, expectedBytes / 40))
        cues.reserveCapacity(max(16, expectedBytes / 80))
    }

    deinit { scratch.deallocate() }

    var cueCount: Int { cues.count }

    /// Starts a new cue (finishing any open one). An end before the start is clamped to the start. Times past
    /// `CueTimeLimit.maxMs` are a problem naming `line` (or, without a line, starting with `context`, such as
    /// "element 3: "); a cue ending past the video's known duration is counted for `warnings`.
    mutating func begin(startMs: Int, endMs: Int, speaker: String? = nil, line: Int?, context: String = "") throws(TranscriptProblem) {
        if let message = CueTimeLimit.problem(startMs: startMs, endMs: endMs) {
            throw TranscriptProblem(file: fileName, line: line, message: context + message)
        }
        if let duration = videoDurationMs, max(startMs, endMs) > duration + CueTimeLimit.durationSlackMs {
            if firstLateCue == nil { firstLateCue = (line, context, max(startMs, endMs)) }
            lateCueCount += 1
        }
        finish()
        cues.append(RawCue(startMs: startMs, endMs: max(startMs, endMs), text: "", firstLine: lines.count, lineCount: 0, speaker: speaker))
        cleaner = CaptionCleaner()
        used = 0
        isOpen = true
    }

    /// Cleans one raw text line of the open cue and keeps it unless it cleans to nothing.
    mutating func appendLine(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        guard isOpen, end > start else { return }
        let needed = used + 1 + (end - start)  // separator + text; cleaning never grows text
        if needed > scratchCapacity { grow(toFit: needed) }
        let separator = used > 0 ? 1 : 0
        let written = cleaner.clean(p, start, end, into: scratch + used + separator)
        guard written > 0 else { return }
        if separator == 1 { scratch[used] = 0x20 }
        let lineStart = used + separator
        used = lineStart + written
        // Within 32 bits: a transcript is at most `TranscriptReader.maxFileBytes` (1.5 times that once UTF-16 is
        // transcoded), far below 4 GiB.
        lines.append(Span(start: UInt32(lineStart), end: UInt32(used)))
        cues[cues.count - 1].lineCount += 1
    }

    /// Cleans text that may contain line breaks (JSON), keeping each line separately.
    mutating func appendText(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        var s = start
        var i = start
        while i < end {
            let c = p[i]
            if c == 0x0A || c == 0x0D {
                appendLine(p, s, i)
                s = i + 1
            }
            i += 1
        }
        appendLine(p, s, end)
    }

    /// Closes the open cue: builds its text and takes the speaker from a `<v …>` tag when none
    /// was given.
    mutating func finish() {
        guard isOpen else { return }
        isOpen = false
        let last = cues.count - 1
        if used > 0 {
            let source = UnsafeBufferPointer(start: scratch, count: used)
            cues[last].text = String(unsafeUninitializedCapacity: used) { dst in
                _ = dst.initialize(from: source)
                return source.count
            }
        }
        if cues[last].speaker == nil, let voice = cleaner.speaker { cues[last].speaker = voice }
    }

    private mutating func grow(toFit needed: Int) {
        var newCapacity = scratchCapacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newScratch = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newScratch.update(from: scratch, count: used)
        scratch.deallocate()
        scratch = newScratch
        scratchCapacity = newCapacity
    }

    // MARK: Output

    /// Finishes collecting and returns the final segments: empty cues dropped, sorted by start
    /// (stable), rolling auto-caption repeats merged away.
    mutating func makeSegments() -> [TranscriptSegment] {
        finish()
        var kept = cues.filter { $0.lineCount > 0 }
        if !Self.isSortedByStart(kept) {
            kept = kept.enumerated()
                .sorted { ($0.element.startMs, $0.offset) < ($1.element.startMs, $1.offset) }
                .map(\.element)
        }
        let pieces = RollingCueMerger.merge(kept, lines: lines)
        var segments: [TranscriptSegment] = []
        segments.reserveCapacity(pieces.count)
        for piece in pieces {
            let cue = kept[piece.cue]
            var text = cue.text
            if piece.skipLines > 0 {
                let from = Int(lines[cue.firstLine + piece.skipLines].start)
                let utf8 = cue.text.utf8
                text = String(decoding: utf8[utf8.index(utf8.startIndex, offsetBy: from)...], as: UTF8.self)
            }
            segments.append(TranscriptSegment(startMs: piece.startMs, endMs: piece.endMs, text: text, speaker: cue.speaker))
        }
        return segments
    }

    /// Problems that do not stop the transcript from being used: cues past the video's known duration.
    var warnings: [TranscriptProblem] {
        guard let late = firstLateCue, let duration = videoDurationMs else { return [] }
        let others = lateCueCount > 1 ? " (and \(lateCueCount - 1) later cue\(lateCueCount > 2 ? "s" : ""))" : ""
        return [TranscriptProblem(
            file: fileName, line: late.line,
            message: "\(late.context)cue ends at \(CueTimeLimit.format(late.endMs)), past the video's duration of "
                + "\(CueTimeLimit.format(duration)) in videos.json\(others); kept as written")]
    }

    private static func isSortedByStart(_ cues: [RawCue]) -> Bool {
        var previous = Int.min
        for cue in cues {
            if cue.startMs < previous { return false }
            previous = cue.startMs
        }
        return true
    }
}
