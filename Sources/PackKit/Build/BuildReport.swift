import Foundation

/// What a build did, for the one-line summary and for `--keep-going` listings.
public struct BuildReport: Sendable {
    public var output: String
    public var videos = 0
    public var videosWithTranscript = 0
    public var segments = 0
    public var chunks = 0
    public var sections = 0
    public var seconds = 0.0
    /// Transcripts that could not be read (only with keep-going; otherwise the build fails on them).
    public var skipped: [TranscriptProblem] = []
    /// Videos with no transcript file: kept with their metadata.
    public var withoutTranscript: [String] = []
    /// Transcript files that name no video in videos.json.
    public var strayTranscripts: [String] = []
    /// Videos with several transcript files, and the one used.
    public var duplicateTranscripts: [String] = []
    /// Transcript files that yielded no searchable text (no cue with text, hence no chunk).
    public var emptyTranscripts: [String] = []
    /// Transcripts used as they are but with something odd, each naming the file and line (cues past the
    /// video's duration in videos.json).
    public var warnings: [TranscriptProblem] = []
    /// What an embeddings endpoint did (nil for local embedders).
    public var embedding: EmbeddingStatistics?
    /// Summaries of the pack this build replaced, carried over (their video is still here) or dropped (it is not).
    public var summariesKept = 0
    public var summariesDropped = 0
    /// Why the replaced pack's summaries could not be read, if they could not.
    public var summariesProblem: String?

    public init(output: String) { self.output = output }

    public var summaryLine: String {
        "built \(output): \(videos) videos (\(videosWithTranscript) with transcripts), \(segments) segments, "
            + "\(chunks) chunks, \(sections) sections in \(String(format: "%.2f", seconds)) s"
            + (embedding.map { "; vectors: \($0.computed) from the endpoint in \($0.requests) requests, \($0.cached) from the cache" } ?? "")
            + (summariesKept + summariesDropped > 0
                ? "; kept \(summariesKept) summaries of the pack it replaced" + (summariesDropped > 0 ? " (dropped \(summariesDropped) of videos no longer in the input)" : "")
                : "")
    }
}

public struct BuildProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int

    public init(phase: String, done: Int, total: Int) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}

/// Why a build failed. Nothing was written to the output path.
public enum PackBuildError: Error, Sendable, CustomStringConvertible {
    case input(InputProblem)
    case config(String)
    case transcripts([TranscriptProblem])
    case output(String)
    /// The embeddings endpoint failed (after its retries); vectors it answered stay cached for the next build.
    case embedding(String)
    case cancelled

    /// A failure while writing `output`: said as a full disk when it is one (SQLite's SQLITE_FULL, or ENOSPC from a
    /// write), naming the folder, with the failing step after it. (What is free is not said: the half-written
    /// workspace still fills the disk at this point, so it would read as nothing.)
    static func writing(_ error: any Error, output: URL) -> PackBuildError {
        let text = "\(error)"
        let full = (error as? SQLiteError)?.isDiskFull == true || text.contains(String(cString: strerror(ENOSPC)))
        guard full else { return .output("\(output.path): \(text)") }
        return .output("\(output.path): not enough disk space in \(output.deletingLastPathComponent().path) to write the pack; "
                       + "nothing was written (\(text))")
    }

    public var description: String {
        switch self {
        case .input(let p): return p.description
        case .config(let m): return m
        case .transcripts(let problems):
            let list = problems.prefix(20).map { "  \($0)" }.joined(separator: "\n")
            let more = problems.count > 20 ? "\n  … and \(problems.count - 20) more" : ""
            return "\(problems.count) transcript(s) could not be read; nothing was written (use --keep-going to skip them):\n\(list)\(more)"
        case .output(let m): return m
        case .embedding(let m): return "embeddings: \(m); nothing was written (vectors already computed are cached: run the build again to go on)"
        case .cancelled: return "build cancelled; nothing was written"
        }
    }
}
