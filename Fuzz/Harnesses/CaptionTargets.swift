import Foundation
@testable import PackKit

/// Caption files: the whole reader (format detection, BOMs, UTF-16, every parser, cleaning, rolling-caption
/// merging, then the chunker a build runs next), and each format's parser on its own so that its corpus stays in
/// its format.
enum CaptionTargets {
    static let reader = FuzzTarget(
        name: "captions",
        summary: "TranscriptReader.parse (detector, BOM/UTF-16, all four parsers) and MicroChunker; checks the segments' promises",
        maxLength: 16 << 10,
        dictionary: "captions"
    ) { input in
        // The first byte picks the file name the reader sees: the extension is the detector's tie-breaker.
        guard let selector = input.first else { return }
        let names = ["fuzz.srt", "fuzz.vtt", "fuzz.sbv", "fuzz.json", "fuzz.txt", "fuzz"]
        let name = names[Int(selector) % names.count]
        let parsed: ParsedTranscript
        do throws(TranscriptProblem) {
            parsed = try TranscriptReader.parse(Data(input.dropFirst()), fileName: name)
        } catch {
            require(error.file == name, "a problem names another file: \(error)")
            return
        }
        checkSegments(parsed.segments)
        let chunks = MicroChunker.chunks(of: parsed.segments, settings: ChunkingSettings())
        for chunk in chunks {
            require(chunk.startMs <= chunk.endMs, "a chunk ends before it starts: \(chunk.startMs) > \(chunk.endMs)")
            require(chunk.segmentIndices.allSatisfy { parsed.segments.indices.contains($0) }, "a chunk names a segment that does not exist")
        }
        checkHashReading(parsed.segments, chunks: chunks)
    }

    /// What a hash build does next: each segment read once for its hash features and its terms, and the chunk vectors'
    /// whole counts handed to the bucket index. Each must equal what it is when made alone.
    static func checkHashReading(_ segments: [TranscriptSegment], chunks: [MicroChunk]) {
        let dimension = 64
        let lexical = LexicalSession(), lexicalAlone = LexicalSession()
        let alone = HashEmbeddingSession(dimension: dimension)
        let tokens = SegmentTokens(segments, hashing: HashEmbeddingSession(dimension: dimension), lexical: lexical)
        for (s, segment) in segments.enumerated() {
            var features: [Int32] = []
            alone.appendFeatures(of: segment.text, to: &features)
            require(Array(tokens.features[tokens.featureStarts[s]..<tokens.featureStarts[s + 1]]) == features,
                    "one reading's hash features differ from the hasher's for \(segment.text.debugDescription)")
            var ids: [Int32] = []
            lexicalAlone.appendTermIDs(of: segment.text, to: &ids)
            require(tokens.termIDs[tokens.termStarts[s]..<tokens.termStarts[s + 1]].map { lexical.terms[Int($0)] }
                        == ids.map { lexicalAlone.terms[Int($0)] },
                    "one reading's terms differ from the analyzer's for \(segment.text.debugDescription)")
        }
        var given: BucketRows? = BucketRows()
        let vectors = HashEmbeddingSession.embedChunks(chunks, features: tokens.features, starts: tokens.featureStarts,
                                                       dimension: dimension, buckets: &given)
        let recovered = vectors.withUnsafeBufferPointer { BucketRows(vectors: $0, columns: dimension) }
        require(given?.columns == recovered.columns && given?.counts == recovered.counts && given?.ends == recovered.ends
                    && given?.divisors.map(\.bitPattern) == recovered.divisors.map(\.bitPattern),
                "bucket rows given as whole counts differ from those recovered from the vectors")
    }

    static let srt = formatTarget("srt", SRTParser.parse)
    static let vtt = formatTarget("vtt", WebVTTParser.parse)
    static let sbv = formatTarget("sbv", SBVParser.parse)
    static let jsonTranscript = formatTarget("json", JSONTranscriptParser.parse)

    typealias Parser = @Sendable (TranscriptBytes, String, inout CueBuffer) throws(TranscriptProblem) -> Void

    /// One format's parser on valid UTF-8, as the reader calls it once it has decided on the format.
    private static func formatTarget(_ format: String, _ parse: @escaping Parser) -> FuzzTarget {
        FuzzTarget(
            name: "captions-\(format)",
            summary: "the \(format.uppercased()) parser alone (valid UTF-8 input, as the reader passes it); checks the segments' promises",
            maxLength: 16 << 10,
            dictionary: "captions"
        ) { input in
            guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count > 0,
                  UTF8Validation.firstInvalidOffset(base, count: input.count) == nil else { return }
            let bytes = TranscriptBytes(base: base, count: input.count)
            var cues = CueBuffer(expectedBytes: input.count, fileName: "fuzz.\(format)")
            do throws(TranscriptProblem) {
                try parse(bytes, "fuzz.\(format)", &cues)
            } catch {
                if let line = error.line { require(line >= 1, "a problem on line \(line)") }
                return
            }
            checkSegments(cues.makeSegments())
        }
    }

    /// What `TranscriptSegment` promises: sorted by start, never ending before it starts, non-empty text without
    /// line breaks or runs of whitespace.
    static func checkSegments(_ segments: [TranscriptSegment]) {
        var previousStart = Int.min
        for segment in segments {
            require(segment.startMs >= previousStart, "segments out of order at \(segment.startMs) ms")
            require(segment.endMs >= segment.startMs, "a segment ends before it starts: \(segment)")
            require(!segment.text.isEmpty, "a segment with empty text at \(segment.startMs) ms")
            require(!segment.text.contains(where: \.isNewline), "a segment's text holds a line break: \(segment.text.debugDescription)")
            require(!segment.text.contains("  "), "a segment's text holds a run of spaces: \(segment.text.debugDescription)")
            previousStart = segment.startMs
        }
    }
}
