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
    /// Fixed windows of `microChunkSec` every `microChunkSec - microOverlapSec`, each holding the segments that
    /// overlap it (the reference's rule), found in one sweep instead of scanning every segment per window.
    /// `segments` must be sorted by start time.
    public static func chunks(of segments: [TranscriptSegment], settings: ChunkingSettings) -> [MicroChunk] {
        guard let first = segments.first else { return [] }
        let endMs = segments.reduce(first.endMs) { max($0, $1.endMs) }
        let windowMs = settings.microChunkSec * 1000
        let stepMs = max(1, (settings.microChunkSec - settings.microOverlapSec) * 1000)
        var chunks: [MicroChunk] = []
        chunks.reserveCapacity((endMs - first.startMs) / stepMs + 1)
        var low = 0   // every segment before `low` ends at or before the current window
        var high = 0  // every segment before `high` starts before the current window's end
        var windowStart = first.startMs
        while windowStart < endMs {
            let windowEnd = windowStart + windowMs
            while high < segments.count && segments[high].startMs < windowEnd { high += 1 }
            while low < high && segments[low].endMs <= windowStart { low += 1 }
            if low < high {
                var text = ""
                var indices: [Int] = []
                for i in low..<high where segments[i].endMs > windowStart {
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
}
