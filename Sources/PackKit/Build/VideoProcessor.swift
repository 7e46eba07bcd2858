import Foundation

/// One video after processing: everything the pack stores for it, computed off the writer thread.
struct ProcessedVideo {
    var video: Video
    var transcriptFile: String?
    var format: TranscriptFormat?
    var segments: [TranscriptSegment] = []
    var chunks: [MicroChunk] = []
    var sections: [Section] = []
    /// Section index of each chunk.
    var chunkSection: [Int] = []
    var chunkVectors: [Float] = []
    /// The chunk vectors as bucket index rows, when the embedder gives them (hash vectors: whole counts).
    var chunkBuckets: BucketRows?
    var sectionVectors: [Float] = []
    /// The chunk texts as `bm25_docs.json` elements, encoded on the worker rather than the writer thread.
    var chunkDocuments = JSONArrayWriter.EncodedStrings()
    /// The chunks as lexical index documents (nil when the transcript was not analyzed).
    var lexical: LexicalChunks?
    /// What the rows were made from (content hashes for `pack build --update`).
    var source: VideoSource
    var problem: TranscriptProblem?
    /// Oddities that did not stop the transcript from being used (cues past the video's duration).
    var warnings: [TranscriptProblem] = []
}

/// Parse → chunk → embed → section, for one video. Pure CPU work on values; safe to run in parallel
/// as long as each thread has its own embedding session.
struct VideoProcessor {
    let settings: ChunkingSettings
    let dimension: Int
    /// Whether transcripts' sizes and times are recorded; a reproducible build (a fixed build date) records none,
    /// else its bytes would depend on when the input was checked out.
    var recordsStamps = true

    func process(_ video: Video, transcript: URL?, session: any EmbeddingSession,
                 lane: Int, lexical: LexicalSession) -> ProcessedVideo {
        var out = ProcessedVideo(video: video, transcriptFile: transcript?.path, source: VideoSource(video: video, file: nil, bytes: nil))
        guard let transcript else { return out }
        let parsed: ParsedTranscript
        let duration = video.durationSec > 0 ? video.durationSec * 1000 : nil
        do {
            // Stamped before the read: a change while reading moves the time, and the next update reads the file again.
            let stamp = recordsStamps ? VideoSource.FileStamp.of(transcript.path) : nil
            let bytes = try TranscriptReader.bytes(of: transcript)
            out.source = VideoSource(video: video, file: transcript, bytes: bytes, stamp: stamp)
            parsed = try TranscriptReader.parse(bytes, fileName: transcript.path, videoDurationMs: duration)
        } catch {
            out.problem = error
            return out
        }
        out.format = parsed.format
        out.segments = parsed.segments
        out.warnings = parsed.warnings
        guard !parsed.segments.isEmpty else { return out }
        // Checked before anything is built: a cue lasting hours would be copied into every window it spans.
        let textBytes = MicroChunker.textBytesBound(of: parsed.segments, settings: settings)
        guard textBytes <= MicroChunker.maxTextBytesPerVideo else {
            let longest = parsed.segments.max { $0.endMs - $0.startMs < $1.endMs - $1.startMs } ?? parsed.segments[0]
            out.problem = TranscriptProblem(
                file: transcript.path, line: nil,
                message: "its chunks would copy its text into \(InputFile.byteCount(textBytes)) of overlapping windows, more "
                    + "than the \(InputFile.byteCount(MicroChunker.maxTextBytesPerVideo)) a video may have (its longest cue, at "
                    + "\(CueTimeLimit.format(longest.startMs)), lasts \(CueTimeLimit.format(longest.endMs - longest.startMs)))")
            return out
        }

        let chunks = MicroChunker.chunks(of: parsed.segments, settings: settings)
        out.chunks = chunks
        if let hashing = session as? HashEmbeddingSession {
            // Hash vectors and lexical terms come from one reading of the text; the vectors' whole counts are
            // handed to the bucket index as they are.
            let tokens = SegmentTokens(parsed.segments, hashing: hashing, lexical: lexical)
            var buckets: BucketRows? = BucketRows()
            out.chunkVectors = HashEmbeddingSession.embedChunks(chunks, features: tokens.features, starts: tokens.featureStarts,
                                                                dimension: dimension, buckets: &buckets)
            out.chunkBuckets = buckets
            out.lexical = LexicalChunks(lane: lane, session: lexical, title: video.title, segmentIDs: tokens.termIDs,
                                        segmentStarts: tokens.termStarts, chunks: chunks)
        } else {
            out.chunkVectors = session.embedChunks(chunks, of: parsed.segments, dimension: dimension)
            out.lexical = LexicalChunks(lane: lane, session: lexical, title: video.title, segments: parsed.segments, chunks: chunks)
        }
        out.chunkDocuments = JSONArrayWriter.fragment(chunks.map(\.text))

        let videoEnd = parsed.segments.reduce(0) { max($0, $1.endMs) }
        let chapters = ChapterParser.parse(video.description)
        var sections = Sectioner.fromChapters(chapters, chunks: chunks, videoEndMs: videoEnd)
        if sections.isEmpty {
            sections = Sectioner.automatic(chunks: chunks, embeddings: out.chunkVectors, dim: dimension, settings: settings)
        }
        out.sections = sections
        out.chunkSection = [Int](repeating: 0, count: chunks.count)
        for (s, section) in sections.enumerated() {
            for c in section.chunks { out.chunkSection[c] = s }
        }
        out.sectionVectors = sectionVectors(video: video, sections: sections, chunkVectors: out.chunkVectors, session: session)
        return out
    }

    /// A section's vector: the normalised mean of its heading's vector and its chunks' vectors, so that it
    /// stands for what is said in it (the reference embedded only "title / Section N", the same for every
    /// auto-section of a video).
    private func sectionVectors(video: Video, sections: [Section], chunkVectors: [Float], session: any EmbeddingSession) -> [Float] {
        // All headings of the video in one call: an embedder that batches (MiniLM, an endpoint) does it in one pass.
        var out = session.embed(sections.map { "\(video.title)\n\($0.title)" }, dimension: dimension)
        guard out.count == sections.count * dimension else { return [Float](repeating: 0, count: sections.count * dimension) }
        for (s, section) in sections.enumerated() {
            let base = s * dimension
            for c in section.chunks {
                let row = c * dimension
                for k in 0..<dimension { out[base + k] += chunkVectors[row + k] }
            }
            out.withUnsafeMutableBufferPointer { buffer in
                HashEmbeddingSession.normalise(UnsafeMutableBufferPointer(rebasing: buffer[base..<(base + dimension)]))
            }
        }
        return out
    }
}
