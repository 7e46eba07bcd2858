import Foundation

/// What an update did.
public struct UpdateReport: Sendable {
    public var output: String
    public var videos = 0
    public var chunks = 0
    public var added: [String] = []
    public var changed: [String] = []
    /// Videos whose metadata changed in ways that shape no row (publication date, link): their row only.
    public var metadataOnly: [String] = []
    public var unchanged = 0
    /// Videos of the pack the input no longer lists: kept as they are.
    public var notInInput: [String] = []
    /// Chunk vector rows carried over from the old pack.
    public var vectorsReused = 0
    /// Chunks embedded for new or changed videos.
    public var chunksEmbedded = 0
    /// Transcripts read to tell whether they changed (the others' size and time were as the pack recorded).
    public var transcriptsRead = 0
    public var nothingChanged = false
    public var skipped: [TranscriptProblem] = []
    public var withoutTranscript: [String] = []
    public var strayTranscripts: [String] = []
    public var duplicateTranscripts: [String] = []
    public var warnings: [TranscriptProblem] = []
    public var embedding: EmbeddingStatistics?
    public var seconds = 0.0

    public var summaryLine: String {
        if nothingChanged { return "\(output): nothing changed (\(unchanged) videos as they were); the pack was not rewritten" }
        var line = "updated \(output): \(added.count) videos added, \(changed.count) changed, \(unchanged) unchanged"
        if !metadataOnly.isEmpty { line += ", \(metadataOnly.count) with new metadata" }
        if !notInInput.isEmpty { line += ", \(notInInput.count) not in the input (kept)" }
        line += "; \(videos) videos, \(chunks) chunks; \(chunksEmbedded) chunks embedded, \(vectorsReused) vectors kept in "
            + String(format: "%.2f", seconds) + " s"
        return line
    }
}
