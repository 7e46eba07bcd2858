import Foundation

/// Finds or builds the lexical index of an opened pack. Packs ytce builds carry one (`PackLayout.lexicalIndex`);
/// for other packs it is built from the chunk texts on the first search and kept in the pack's derived-files entry
/// of the cache (`DerivedFiles`), written to a temporary name and renamed, so concurrent processes and crashes
/// never leave half an index.
public enum LexicalIndexStore {
    /// The name carries the recipe (chunk text + video title, this analyzer): a new recipe gets a new file
    /// rather than reusing an index built the old way.
    public static let fileName = "lexical_index.v1.bin"

    public static func index(for pack: ChannelPack, cache: PackCache, analyzer: LexicalAnalyzer = LexicalAnalyzer()) throws -> LexicalIndex {
        let carried: FileRegion?
        do { carried = try pack.files.region(PackLayout.lexicalIndex) } catch {
            throw PackError(.badVectors, pack: pack.source, "\(PackLayout.lexicalIndex): cannot open: \(error.reason)")
        }
        if let carried {
            let index: LexicalIndex
            do { index = try LexicalIndex(region: carried) } catch { throw PackError(.badVectors, pack: pack.source, "\(PackLayout.lexicalIndex): \(error.description)") }
            guard index.documentCount == pack.counts.chunks else {
                throw PackError(.badVectors, pack: pack.source, "\(PackLayout.lexicalIndex) indexes \(index.documentCount) chunks but pack.sqlite holds \(pack.counts.chunks)")
            }
            return index
        }
        return try DerivedFiles.obtain(fileName, for: pack, cache: cache, open: { path throws -> LexicalIndex in
            let index = try LexicalIndex(contentsOf: path)
            guard index.documentCount == pack.counts.chunks else {
                throw PackError(.badVectors, pack: pack.source, "\(path) indexes \(index.documentCount) chunks, the pack holds \(pack.counts.chunks)")
            }
            return index
        }, make: { path in try build(for: pack, analyzer: analyzer, to: path) })
    }

    /// Builds the index of `pack` from its chunk texts into `path` (a temporary file, then renamed).
    static func build(for pack: ChannelPack, analyzer: LexicalAnalyzer, to path: String) throws {
        let path = URL(fileURLWithPath: path)
        let builder = LexicalIndexBuilder()
        let statement = try pack.database.prepare("""
            SELECT c.text, coalesce(v.title, '') FROM micro_chunk c
            LEFT JOIN video v ON v.video_id = c.video_id ORDER BY c.chunk_id
            """)
        // Each chunk's document is its text plus its video's title: questions often name the topic a video is
        // about rather than words said in the moment (measured: py4e hit@5 0.82 → 0.88, hf-course 0.93 → 0.97).
        let session = LexicalSession(analyzer: analyzer)
        var ids: [Int32] = []
        var titleIDs: [String: [Int32]] = [:]
        while try statement.step() {
            let title = statement.string(1) ?? ""
            if titleIDs[title] == nil {
                var t: [Int32] = []
                session.appendTermIDs(of: title, to: &t)
                titleIDs[title] = t
            }
            ids.removeAll(keepingCapacity: true)
            session.appendTermIDs(of: statement.string(0) ?? "", to: &ids)
            ids += titleIDs[title] ?? []
            builder.add(termIDs: ids, newTerms: session.drainNewTerms())
        }
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = path.deletingLastPathComponent().appendingPathComponent(".\(fileName).\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try builder.write(to: temporary.path)
            guard rename(temporary.path, path.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Where the index of `pack` lives.
    static func location(for pack: ChannelPack, cache: PackCache) throws -> URL {
        try DerivedFiles.location(of: fileName, for: pack, cache: cache)
    }
}
