/// A stretch of a video (5-12 min): the coarse unit of retrieval.
public struct Section: Sendable, Equatable {
    public var startMs: Int
    public var endMs: Int
    public var title: String
    /// Half-open range of the video's chunk indices that belong to the section.
    public var chunks: Range<Int>
}

public enum Sectioner {
    /// Sections from description chapters. Chapters at or past the end of the transcript are dropped; a chunk
    /// belongs to the chapter that holds its midpoint (the one that holds most of it), so chunk ranges tile the video.
    public static func fromChapters(_ chapters: [Chapter], chunks: [MicroChunk], videoEndMs: Int) -> [Section] {
        let usable = chapters.filter { $0.startMs < videoEndMs }
        guard !usable.isEmpty else { return [] }
        var sections: [Section] = []
        var chunkIndex = 0
        for (i, chapter) in usable.enumerated() {
            let end = i + 1 < usable.count ? usable[i + 1].startMs : videoEndMs
            let first = chunkIndex
            while chunkIndex < chunks.count {
                let mid = (chunks[chunkIndex].startMs + chunks[chunkIndex].endMs) / 2
                guard i + 1 == usable.count || mid < end else { break }
                chunkIndex += 1
            }
            sections.append(Section(startMs: chapter.startMs, endMs: end, title: chapter.title, chunks: first..<chunkIndex))
        }
        return sections
    }

    /// Auto-chapters: cut where consecutive chunk embeddings change most, keeping sections near `target`
    /// and never over `max` (unless one chunk alone is longer). `embeddings` holds one row of `dim` per chunk.
    public static func automatic(chunks: [MicroChunk], embeddings: [Float], dim: Int, settings: ChunkingSettings) -> [Section] {
        guard !chunks.isEmpty else { return [] }
        let n = chunks.count
        // change[i]: cosine distance between chunk i-1 and chunk i (a cut before chunk i).
        var change = [Float](repeating: 0, count: n)
        for i in 1..<max(1, n) {
            var dot: Float = 0, a: Float = 0, b: Float = 0
            let p = (i - 1) * dim, q = i * dim
            for k in 0..<dim {
                let x = embeddings[p + k], y = embeddings[q + k]
                dot += x * y; a += x * x; b += y * y
            }
            change[i] = 1 - dot / ((a * b).squareRoot() + 1e-12)
        }
        // Standardise the scores within the video so that the length penalty weighs the same everywhere.
        let scores = standardised(Array(change.dropFirst()))
        let targetMs = settings.targetSectionSec * 1000
        let maxMs = max(settings.maxSectionSec * 1000, targetMs)
        let minMs = targetMs / 2

        var sections: [Section] = []
        var start = 0
        while start < n {
            let startMs = chunks[start].startMs
            let videoEnd = chunks[n - 1].endMs
            var cut = n
            if videoEnd - startMs > maxMs {
                var best = -1
                var bestScore = -Float.infinity
                var lastWithinMax = start + 1
                for j in (start + 1)..<n {
                    let length = chunks[j].startMs - startMs
                    if length > maxMs { break }
                    lastWithinMax = j
                    let tail = videoEnd - chunks[j].startMs
                    guard length >= minMs, tail >= minMs else { continue }
                    let score = scores[j - 1] - abs(Float(length - targetMs)) / Float(targetMs)
                    if score > bestScore { bestScore = score; best = j }
                }
                cut = best > 0 ? best : lastWithinMax
            }
            let endMs = cut < n ? chunks[cut].startMs : videoEnd
            sections.append(Section(startMs: startMs, endMs: endMs, title: "Section \(sections.count + 1)", chunks: start..<cut))
            start = cut
        }
        return sections
    }

    private static func standardised(_ values: [Float]) -> [Float] {
        guard values.count > 1 else { return values.map { _ in 0 } }
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
        let sd = variance.squareRoot()
        return sd > 1e-6 ? values.map { ($0 - mean) / sd } : values.map { _ in 0 }
    }
}
