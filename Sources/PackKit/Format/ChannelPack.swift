import Foundation

/// An opened, checked pack: its manifest, a read-only database connection and the memory-mapped vectors.
/// Opening checks everything a reader depends on, so that later code can trust it.
public final class ChannelPack {
    /// What the user named: the `.pack` file or the folder.
    public let source: String
    /// Where the pack's files are read from: a folder, a cache entry, or the `.pack` itself (in place).
    public let files: PackFiles
    public let manifest: PackManifest
    public let database: SQLiteDatabase
    public let counts: Counts
    public let sectionEmbeddings: NpyMatrix?
    public let chunkEmbeddings: NpyMatrix?
    /// True when this open unpacked the archive (a cache miss).
    public let wasExtracted: Bool
    /// Things a user should know that do not stop the pack from working.
    public let notes: [String]

    /// The folder holding the pack's files, when they are in one (a folder the user named, or a cache entry);
    /// nil for a pack read in place.
    public var root: URL? { files.folder }

    public struct Counts: Sendable, Equatable {
        public var videos: Int
        public var segments: Int
        public var sections: Int
        public var chunks: Int
        public var summaries: Int
        public var videosWithTranscript: Int
    }

    public struct OpenOptions: Sendable {
        public var cache: PackCache
        public init(cache: PackCache) { self.cache = cache }
    }

    /// Opens a `.pack` file (in place when ytce wrote it, else through the cache) or an unpacked pack folder.
    public static func open(_ path: String, options: OpenOptions) throws(PackError) -> ChannelPack {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PackError(.notFound, pack: path, "no such file or folder")
        }
        if isDirectory.boolValue {
            // A folder may be changed by others (shared file systems): open it read-only, checked in full each time.
            return try ChannelPack(source: path, files: .folder(URL(fileURLWithPath: path, isDirectory: true)),
                                   checks: .full, extracted: false)
        }
        // ytce's own packs: every member stored and page-aligned, read where it lies. Any archive this reader does
        // not take (another tool's layout, or damage) goes the way of every other pack: libzip unpacks it, or
        // says what is wrong with it.
        if let archive = try? PackArchive(path: path), archive.isReadableInPlace {
            return try ChannelPack(source: path, files: .archive(archive), checks: .inPlace, extracted: false)
        }
        // Checked once, before the entry becomes visible in the cache; the integrity check runs while the
        // vectors are still being unpacked.
        let entry = try options.cache.materialize(
            packFile: path,
            checkDatabase: { database throws(PackError) in try Self.checkIntegrity(atPath: database, source: path) },
            validate: { root, key throws(PackError) in
                _ = try ChannelPack(source: path, files: .cacheEntry(root, key: key), checks: .allButIntegrity, extracted: true)
            })
        // A cache entry was fully checked before it was published and is never written: open it quickly.
        return try ChannelPack(source: path, files: .cacheEntry(entry.root, key: entry.key), checks: .trustCache,
                               extracted: entry.extracted)
    }

    /// How much opening verifies.
    enum Checks {
        /// Integrity check, real row counts compared with ytce's span table: folders others may change.
        case full
        /// As `full` but the integrity check already ran (while unpacking).
        case allButIntegrity
        /// Counts from the span table when there is one: a cache entry that passed `allButIntegrity`.
        case trustCache
        /// A pack read in place: counts from the span table, checked against the tables' id ranges (which a
        /// lookup finds at once, where counting rows reads the whole database); SQLite itself reports a damaged
        /// page when a query reads it. Real counts when the span table and the ids disagree.
        case inPlace
    }

    init(source: String, files: PackFiles, checks: Checks, extracted: Bool) throws(PackError) {
        self.source = source
        self.files = files
        self.wasExtracted = extracted
        var notes: [String] = []
        let manifestData: Data
        do {
            guard let data = try files.data(PackLayout.manifest, limit: PackManifest.maxBytes) else {
                throw PackError(.missingEntry, pack: source, "manifest.json is missing")
            }
            manifestData = data
        } catch let error as PackError {
            throw error
        } catch {
            throw PackError(.badManifest, pack: source, "manifest.json cannot be read: \(error)")
        }
        let manifest = try PackManifest.parse(manifestData, pack: source)
        self.manifest = manifest

        let database: SQLiteDatabase
        do {
            switch files {
            case .folder(let root), .cacheEntry(let root, _):
                let databasePath = root.appendingPathComponent(PackLayout.database).path
                guard FileManager.default.fileExists(atPath: databasePath) else {
                    throw PackError(.missingEntry, pack: source, "pack.sqlite is missing")
                }
                database = try SQLiteDatabase(path: databasePath, mode: .readOnly(immutable: files.contentKey != nil))
            case .archive(let archive):
                guard let region = archive.region(PackLayout.database) else {
                    throw PackError(.missingEntry, pack: source, "pack.sqlite is missing")
                }
                database = try SQLiteDatabase(path: archive.path + "/" + PackLayout.database, mode: .region(region))
            }
        } catch let error as PackError {
            throw error
        } catch {
            throw PackError(.corruptDatabase, pack: source, "pack.sqlite cannot be opened: \((error as? SQLiteError)?.message ?? "\(error)")")
        }
        self.database = database
        try Self.checkSchema(database, source: source)
        if checks == .full { try Self.checkIntegrity(database, source: source) }
        let counts = try Self.count(database, source: source, checks: checks)
        self.counts = counts
        if counts.videos != manifest.videoCount {
            notes.append("manifest says \(manifest.videoCount) videos, the database holds \(counts.videos)")
        }
        if counts.videosWithTranscript < counts.videos {
            notes.append("\(counts.videos - counts.videosWithTranscript) of \(counts.videos) videos have no transcript")
        }

        self.sectionEmbeddings = try Self.loadMatrix(PackLayout.sectionEmbeddings, files: files, source: source,
                                                      expectedRows: counts.sections, table: "section", dim: manifest.embeddingDim)
        self.chunkEmbeddings = try Self.loadMatrix(PackLayout.chunkEmbeddings, files: files, source: source,
                                                    expectedRows: counts.chunks, table: "micro_chunk", dim: manifest.embeddingDim)
        if chunkEmbeddings == nil && counts.chunks > 0 { notes.append("no chunk embeddings: vector search is unavailable") }
        if sectionEmbeddings == nil && counts.sections > 0 { notes.append("no section embeddings") }
        if let parsed = Self.hashDimension(manifest.embeddingModelID), parsed != manifest.embeddingDim {
            throw PackError(.embeddingMismatch, pack: source,
                            "manifest.json: embedding_model_id '\(manifest.embeddingModelID)' makes \(parsed)-dimensional vectors but embedding_dim is \(manifest.embeddingDim)")
        }
        self.notes = notes
    }

    static func hashDimension(_ modelID: String) -> Int? {
        modelID.hasPrefix("hash-") ? Int(modelID.dropFirst(5)) : nil
    }

    private static func checkSchema(_ db: SQLiteDatabase, source: String) throws(PackError) {
        let tables: Set<String>
        do {
            tables = Set(try db.strings("SELECT name FROM sqlite_master WHERE type IN ('table','view')"))
        } catch {
            throw PackError(.corruptDatabase, pack: source, "pack.sqlite is not a readable SQLite database (\(error.message))")
        }
        if tables.isEmpty {
            throw PackError(.emptyDatabase, pack: source,
                            "pack.sqlite holds no tables: the pack was zipped while its rows were still in SQLite's WAL file (a known bug of the reference builder); rebuild it with `ytce pack build`")
        }
        for (table, columns) in PackSchema.requiredColumns {
            guard tables.contains(table) else {
                throw PackError(.missingTable, pack: source, "pack.sqlite has no table '\(table)'")
            }
            let present: Set<String>
            do { present = Set(try db.strings("SELECT name FROM pragma_table_info('\(table)')")) } catch {
                throw PackError(.corruptDatabase, pack: source, "pack.sqlite: cannot read table '\(table)': \(error.message)")
            }
            if let missing = columns.first(where: { !present.contains($0) }) {
                throw PackError(.missingColumn, pack: source, "pack.sqlite: table '\(table)' has no column '\(missing)'")
            }
        }
    }

    static func checkIntegrity(atPath path: String, source: String) throws(PackError) {
        let db: SQLiteDatabase
        do { db = try SQLiteDatabase(path: path, mode: .readOnly(immutable: true)) } catch {
            throw PackError(.corruptDatabase, pack: source, "pack.sqlite cannot be opened: \(error.message)")
        }
        try checkIntegrity(db, source: source)
    }

    private static func checkIntegrity(_ db: SQLiteDatabase, source: String) throws(PackError) {
        do {
            let result = try db.strings("PRAGMA quick_check(1)")
            guard result == ["ok"] else {
                let detail = (result.first ?? "no answer").split(whereSeparator: \.isNewline)
                    .filter { !$0.hasPrefix("***") }.joined(separator: "; ")
                throw PackError(.corruptDatabase, pack: source, "pack.sqlite fails its integrity check: \(detail)")
            }
        } catch let error as PackError {
            throw error
        } catch {
            throw PackError(.corruptDatabase, pack: source, "pack.sqlite fails its integrity check: \(error)")
        }
    }

    /// Row counts. Packs built by ytce carry per-video spans, which give the counts without scanning the big
    /// tables; they are compared with real counts unless the pack is a checked cache entry.
    private static func count(_ db: SQLiteDatabase, source: String, checks: Checks) throws(PackError) -> Counts {
        do {
            func n(_ sql: String) throws(SQLiteError) -> Int { Int(try db.scalarInt(sql) ?? 0) }
            let videos = try n("SELECT count(*) FROM video")
            let summaries = try n("SELECT count(*) FROM summary")
            let hasSpans = try n("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='ytce_video_span'") > 0
            var spanCounts: Counts?
            if hasSpans {
                let row = try db.prepare("""
                    SELECT coalesce(sum(segment_count),0), coalesce(sum(section_count),0), coalesce(sum(chunk_count),0),
                           coalesce(sum(chunk_count > 0),0) FROM ytce_video_span
                    """)
                if try row.step() {
                    spanCounts = Counts(videos: videos, segments: row.int(0), sections: row.int(1), chunks: row.int(2),
                                        summaries: summaries, videosWithTranscript: row.int(3))
                }
            }
            if checks == .trustCache, let spanCounts { return spanCounts }
            // ytce numbers each video's segments, sections and chunks as one run of ids (`ytce_video_span`): from 1
            // with no gap after a build; `pack build --update` leaves out the runs of the videos it replaced. The
            // runs must then not overlap and must start at the smallest id and end at the largest (two lookups per
            // table; counting rows would read the whole database). A pack whose ids say otherwise is counted in full.
            if checks == .inPlace, let spanCounts, let spans = try VideoSpan.all(in: db) {
                func ids(_ table: String, _ column: String) throws(SQLiteError) -> (Int64, Int64) {
                    (try db.scalarInt("SELECT min(\(column)) FROM \(table)") ?? 0, try db.scalarInt("SELECT max(\(column)) FROM \(table)") ?? 0)
                }
                let runs = Array(spans.values)
                if VideoSpan.runsCover(try ids("transcript_segment", "segment_id"), runs.map { ($0.firstSegmentID, $0.segmentCount) }),
                   VideoSpan.runsCover(try ids("section", "section_id"), runs.map { ($0.firstSectionID, $0.sectionCount) }),
                   VideoSpan.runsCover(try ids("micro_chunk", "chunk_id"), runs.map { ($0.firstChunkID, $0.chunkCount) }),
                   spanCounts.segments == runs.reduce(0, { $0 + $1.segmentCount }) {
                    return spanCounts
                }
            }
            // With spans, checking that each listed video's first and last chunk ids are its own stands in for
            // the full-table DISTINCT scan.
            let withTranscript = spanCounts == nil
                ? try n("SELECT count(DISTINCT video_id) FROM micro_chunk")
                : try n("""
                    SELECT count(*) FROM ytce_video_span s
                    JOIN micro_chunk a ON a.chunk_id = s.first_chunk_id AND a.video_id = s.video_id
                    JOIN micro_chunk b ON b.chunk_id = s.first_chunk_id + s.chunk_count - 1 AND b.video_id = s.video_id
                    WHERE s.chunk_count > 0
                    """)
            let counted = Counts(
                videos: videos,
                segments: try n("SELECT count(*) FROM transcript_segment"),
                sections: try n("SELECT count(*) FROM section"),
                chunks: try n("SELECT count(*) FROM micro_chunk"),
                summaries: summaries,
                videosWithTranscript: withTranscript
            )
            if let spanCounts, spanCounts != counted {
                throw PackError(.corruptDatabase, pack: source,
                                "pack.sqlite: table ytce_video_span disagrees with the tables it describes (\(spanCounts.chunks) chunks listed, \(counted.chunks) stored)")
            }
            return counted
        } catch let error as PackError {
            throw error
        } catch {
            throw PackError(.corruptDatabase, pack: source, "pack.sqlite cannot be read: \(error)")
        }
    }

    private static func loadMatrix(_ name: String, files: PackFiles, source: String, expectedRows: Int, table: String,
                                   dim: Int) throws(PackError) -> NpyMatrix? {
        let region: FileRegion
        do {
            // A missing matrix is a note (search falls back to lexical), not an error.
            guard let found = try files.region(name) else { return nil }
            region = found
        } catch {
            throw PackError(.badVectors, pack: source, "\(name): cannot open: \(error.reason)")
        }
        let matrix: NpyMatrix
        do { matrix = try NpyMatrix(region: region) } catch {
            throw PackError(.badVectors, pack: source, "\(name): \(error.reason)")
        }
        guard matrix.rows == expectedRows else {
            throw PackError(.badVectors, pack: source,
                            "\(name) has \(matrix.rows) rows but table '\(table)' has \(expectedRows) rows; they must match one to one")
        }
        guard matrix.columns == dim || matrix.rows == 0 else {
            throw PackError(.badVectors, pack: source,
                            "\(name) has dimension \(matrix.columns) but manifest.json says embedding_dim \(dim)")
        }
        return matrix
    }
}
