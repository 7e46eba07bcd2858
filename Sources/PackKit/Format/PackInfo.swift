import Foundation

/// A summary of an opened pack: what `ytce pack info` prints and the pack picker shows.
public struct PackInfo: Sendable {
    public var source: String
    /// The folder holding the pack's files, nil for a pack read in place.
    public var cacheRoot: String?
    public var readInPlace: Bool
    public var extracted: Bool
    public var manifest: PackManifest
    public var counts: ChannelPack.Counts
    public var sectionVectors: (rows: Int, dim: Int)?
    public var chunkVectors: (rows: Int, dim: Int)?
    public var hasBM25Docs: Bool
    /// What the pack lacks that some feature needs.
    public var missing: [String]
    public var notes: [String]

    public init(_ pack: ChannelPack) {
        source = pack.source
        cacheRoot = pack.root?.path
        readInPlace = pack.files.isReadInPlace
        extracted = pack.wasExtracted
        manifest = pack.manifest
        counts = pack.counts
        sectionVectors = pack.sectionEmbeddings.map { ($0.rows, $0.columns) }
        chunkVectors = pack.chunkEmbeddings.map { ($0.rows, $0.columns) }
        hasBM25Docs = pack.files.contains(PackLayout.bm25Docs)
        var missing: [String] = []
        if pack.chunkEmbeddings == nil { missing.append("chunk embeddings (\(PackLayout.chunkEmbeddings))") }
        if pack.sectionEmbeddings == nil { missing.append("section embeddings (\(PackLayout.sectionEmbeddings))") }
        if !hasBM25Docs { missing.append("lexical documents (\(PackLayout.bm25Docs))") }
        if counts.summaries == 0 { missing.append("episode summaries (summary table is empty)") }
        if counts.videosWithTranscript < counts.videos {
            missing.append("transcripts for \(counts.videos - counts.videosWithTranscript) of \(counts.videos) videos")
        }
        self.missing = missing
        notes = pack.notes
    }

    public func text() -> String {
        var lines: [(String, String)] = [
            ("Pack", source),
            ("Channel", "\(manifest.channelTitle) (\(manifest.channelID))"),
            ("Created", manifest.createdAt),
            ("Builder", manifest.extra["builder"]?.stringValue ?? "yt-channel-expert (reference)"),
            ("Format", "pack v\(manifest.packVersion), schema v\(manifest.schemaVersion)"),
            ("Embedding", "\(manifest.embeddingModelID), \(manifest.embeddingDim) dims"),
            ("Videos", "\(counts.videos) (\(counts.videosWithTranscript) with transcripts)"),
            ("Segments", "\(counts.segments)"),
            ("Sections", "\(counts.sections)"),
            ("Chunks", "\(counts.chunks)"),
            ("Summaries", "\(counts.summaries)"),
            ("Vectors", "sections \(sectionVectors.map { "\($0.rows)×\($0.dim)" } ?? "none"), chunks \(chunkVectors.map { "\($0.rows)×\($0.dim)" } ?? "none")"),
            ("Files", readInPlace ? "read in place (no copy)" : (cacheRoot ?? "") + (extracted ? " (just extracted)" : "")),
            ("Missing", missing.isEmpty ? "nothing" : missing.joined(separator: "; ")),
        ]
        for note in notes { lines.append(("Note", note)) }
        return lines.map { "\($0.0.padding(toLength: 10, withPad: " ", startingAt: 0)) \($0.1)" }.joined(separator: "\n")
    }

    public func json() -> String {
        func n(_ x: Int) -> JSONValue { .number(Double(x)) }
        func matrix(_ m: (rows: Int, dim: Int)?) -> JSONValue {
            m.map { .object(["rows": n($0.rows), "dim": n($0.dim)]) } ?? .null
        }
        var manifestObject: [String: JSONValue] = manifest.extra
        manifestObject["pack_version"] = n(manifest.packVersion)
        manifestObject["schema_version"] = n(manifest.schemaVersion)
        manifestObject["created_at"] = .string(manifest.createdAt)
        manifestObject["channel_id"] = .string(manifest.channelID)
        manifestObject["channel_title"] = .string(manifest.channelTitle)
        manifestObject["embedding_dim"] = n(manifest.embeddingDim)
        manifestObject["embedding_model_id"] = .string(manifest.embeddingModelID)
        manifestObject["video_count"] = n(manifest.videoCount)
        let value: JSONValue = .object([
            "pack": .string(source),
            "unpacked_at": cacheRoot.map { .string($0) } ?? .null,
            "read_in_place": .bool(readInPlace),
            "extracted": .bool(extracted),
            "manifest": .object(manifestObject),
            "counts": .object([
                "videos": n(counts.videos), "videos_with_transcript": n(counts.videosWithTranscript),
                "segments": n(counts.segments), "sections": n(counts.sections),
                "chunks": n(counts.chunks), "summaries": n(counts.summaries),
            ]),
            "vectors": .object(["sections": matrix(sectionVectors), "chunks": matrix(chunkVectors),
                                "bm25_docs": .bool(hasBM25Docs)]),
            "missing": .array(missing.map { .string($0) }),
            "notes": .array(notes.map { .string($0) }),
        ])
        return JSONValue.serialize(value)
    }
}
