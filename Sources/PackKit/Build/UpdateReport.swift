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
        func n(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        if nothingChanged { return "\(output): nothing changed (\(n(unchanged, "video")) as \(unchanged == 1 ? "it was" : "they were")); the pack was not rewritten" }
        var line = "updated \(output): \(n(added.count, "video")) added, \(changed.count) changed, \(unchanged) unchanged"
        if !metadataOnly.isEmpty { line += ", \(metadataOnly.count) with new metadata" }
        if !notInInput.isEmpty { line += ", \(notInInput.count) not in the input (kept)" }
        line += "; \(n(videos, "video")), \(n(chunks, "chunk")); \(n(chunksEmbedded, "chunk")) embedded, \(n(vectorsReused, "vector")) kept in "
            + String(format: "%.2f", seconds) + " s"
        return line
    }
}
