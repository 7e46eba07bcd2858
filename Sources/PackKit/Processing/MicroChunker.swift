/// A window of transcript text: the unit of retrieval.
public struct MicroChunk: Sendable, Equatable {
    public var startMs: Int
    public var endMs: Int
    public var text: String
    /// Indices (into the video's sorted segments) of the segments whose text the window holds, in order.
    public var segmentIndices: [Int]
    public var firstSegment: Int { segmentIndices.first ?? 0 }
    public var lastSegment: Int { segmentIndices.last ?? 0 }
}

public struct ChunkingSettings: Sendable, Equatable {
    public var microChunkSec: Int = 45
    public var microOverlapSec: Int = 15
    public var targetSectionSec: Int = 7 * 60
    public var maxSectionSec: Int = 12 * 60
    public init() {}
}

public enum MicroChunker {
    /// The most chunk text one video may make (`textBytesBound`). A twelve-hour talk makes about 1 MB; the bound
    /// refuses transcripts whose cues last hours each, which would make gigabytes of copies of the same words.
    public static let maxTextBytesPerVideo = 64 << 20

    /// Fixed windows of `microChunkSec` every `microChunkSec - microOverlapSec`, each holding the segments that
    /// overlap it (the reference's rule), found in one sweep instead of scanning every segment per window.
    /// Windows follow the speech: a silence longer than a window is jumped over, so the number of windows
    /// grows with the cues, not with the time they span.
    /// A zero-length segment (a cue whose end equals its start) counts as lasting one millisecond: it belongs to
    /// the window that holds its moment. (The reference drops such a cue when it sits at a window's start, and
    /// a transcript of only such cues gets no chunk at all.)
    /// `segments` must be sorted by start time.
    public static func chunks(of segments: [TranscriptSegment], settings: ChunkingSettings) -> [MicroChunk] {
        guard let first = segments.first else { return [] }
        let endMs = segments.reduce(first.endMs) { max($0, effectiveEnd($1)) }
        let windowMs = settings.microChunkSec * 1000
        let stepMs = max(1, (settings.microChunkSec - settings.microOverlapSec) * 1000)
        var chunks: [MicroChunk] = []
        // One window per step of the span, but never more than the cues can fill (each is in at most a few
        // windows, unless it lasts long): one cue 40 hours in must not reserve for the empty hours before it.
        chunks.reserveCapacity(min((endMs - first.startMs) / stepMs + 1, 2 * segments.count + 16))
        var low = 0   // every segment before `low` ends at or before the current window
        var high = 0  // every segment before `high` starts before the current window's end
        var windowStart = first.startMs
        while windowStart < endMs {
            let windowEnd = windowStart + windowMs
            while high < segments.count && segments[high].startMs < windowEnd { high += 1 }
            while low < high && effectiveEnd(segments[low]) <= windowStart { low += 1 }
            if low < high {
                var text = ""
                var indices: [Int] = []
                for i in low..<high where effectiveEnd(segments[i]) > windowStart {
                    if !indices.isEmpty { text += " " }
                    text += segments[i].text
                    indices.append(i)
                }
                if !indices.isEmpty && !text.isEmpty {
                    chunks.append(MicroChunk(startMs: windowStart, endMs: min(windowEnd, endMs), text: text,
                                             segmentIndices: indices))
                }
            } else if high < segments.count {
                // Silence longer than a window: jump to the first grid window that reaches the next segment.
                let gap = segments[high].startMs - windowEnd
                if gap >= 0 {
                    windowStart += (gap / stepMs + 1) * stepMs
                    continue
                }
            }
            windowStart += stepMs
        }
        return chunks
    }

    /// The end of a segment as windows see it: a zero-length segment lasts one millisecond.
    @inline(__always)
    static func effectiveEnd(_ segment: TranscriptSegment) -> Int { max(segment.endMs, segment.startMs + 1) }

    /// An upper bound on the bytes of text `chunks(of:settings:)` would build: each segment's text is copied into
    /// every window it overlaps. Ordinary captions give about one and a half times the transcript's text; a cue
    /// lasting hours is copied into hundreds of windows. Computed from the times alone, before anything is built.
    public static func textBytesBound(of segments: [TranscriptSegment], settings: ChunkingSettings) -> Int {
        let windowMs = settings.microChunkSec * 1000
        let stepMs = max(1, (settings.microChunkSec - settings.microOverlapSec) * 1000)
        var total = 0
        for segment in segments {
            // Windows start on a grid of `stepMs`; those overlapping [start, end) start in (start - window, end).
            let windows = (effectiveEnd(segment) - segment.startMs + windowMs) / stepMs + 1
            let (bytes, overflow) = (segment.text.utf8.count + 1).multipliedReportingOverflow(by: windows)
            let (sum, overflow2) = total.addingReportingOverflow(bytes)
            if overflow || overflow2 { return Int.max }
            total = sum
        }
        return total
    }
}
