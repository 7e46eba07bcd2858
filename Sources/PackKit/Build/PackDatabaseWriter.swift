import Foundation

/// Writes `pack.sqlite` for a build. The database never uses WAL (journal off while building, a plain
/// rollback-journal file at the end), so the file on disk is complete when closed: the reference's
/// empty-pack bug cannot happen here.
final class PackDatabaseWriter {
    private let db: SQLiteDatabase
    private let insertSegment: BatchInsert
    private let insertSection: BatchInsert
    private let insertChunk: BatchInsert
    private let insertVideo: SQLiteStatement
    private let insertSpan: SQLiteStatement
    private let insertSource: SQLiteStatement
    private(set) var nextSegmentID: Int64 = 1
    private(set) var nextSectionID: Int64 = 1
    private(set) var nextChunkID: Int64 = 1
    private(set) var segmentCount = 0
    /// The chunks' videos, sections and times as their rows are written, for the pack's `ChunkTable`.
    let chunkTable = ChunkTableWriter()

    /// 16 KiB pages: chunk rows (~1 KB of text) fill them better than 4 KiB ones, so the file is smaller and
    /// bulk inserts touch fewer pages. Rows are appended in rowid order, so a small page cache (8 MiB) suffices;
    /// a larger one only raised the build's peak memory.
    convenience init(path: String) throws(SQLiteError) {
        try self.init(path: path, existing: false)
    }

    /// A copy of a pack's database that an update changes (`pack build --update`): new rows take ids after the
    /// largest ones there, so the rows of videos that did not change keep theirs.
    convenience init(updating path: String) throws(SQLiteError) {
        try self.init(path: path, existing: true)
    }

    private init(path: String, existing: Bool) throws(SQLiteError) {
        db = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        // A database being updated is a private copy in the workspace, thrown away if anything fails: no journal.
        try db.execute("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;
            PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY; PRAGMA page_size=16384;
            """)
        if !existing { try db.execute(PackSchema.createTables) }
        try db.execute(PackSchema.createExtras)
        if existing { try VideoSource.addStampColumns(to: db) }
        try db.execute("BEGIN")
        if existing {
            nextSegmentID = (try db.scalarInt("SELECT max(segment_id) FROM transcript_segment") ?? 0) + 1
            nextSectionID = (try db.scalarInt("SELECT max(section_id) FROM section") ?? 0) + 1
            nextChunkID = (try db.scalarInt("SELECT max(chunk_id) FROM micro_chunk") ?? 0) + 1
        }
        insertVideo = try db.prepare(
            "INSERT INTO video(video_id,channel_id,title,description,published_at,duration_sec,url) VALUES (?,?,?,?,?,?,?)")
        insertSegment = try BatchInsert(db, table: "transcript_segment",
                                        columns: ["segment_id", "video_id", "start_ms", "end_ms", "text", "speaker"])
        insertSpan = try db.prepare("INSERT INTO ytce_video_span VALUES (?,?,?,?,?,?,?)")
        insertSource = try db.prepare("""
            INSERT OR REPLACE INTO ytce_video_source(video_id,transcript_file,transcript_sha256,metadata_sha256,transcript_size,transcript_mtime_ns)
            VALUES (?,?,?,?,?,?)
            """)
        insertSection = try BatchInsert(db, table: "section",
                                        columns: ["section_id", "video_id", "start_ms", "end_ms", "title", "summary"])
        insertChunk = try BatchInsert(db, table: "micro_chunk",
                                      columns: ["chunk_id", "video_id", "section_id", "start_ms", "end_ms", "text"])
    }

    func insert(channel: Channel, createdAt: String) throws(SQLiteError) {
        let statement = try db.prepare(
            "INSERT INTO channel(channel_id,title,description,source,created_at,last_sync_at) VALUES (?,?,?,?,?,?)")
        statement.bind(1, channel.channelID)
        statement.bind(2, channel.title)
        statement.bind(3, channel.description)
        statement.bind(4, channel.source)
        statement.bind(5, createdAt)
        statement.bind(6, createdAt)
        try statement.run()
    }

    func insert(video v: Video) throws(SQLiteError) {
        insertVideo.bind(1, v.videoID)
        insertVideo.bind(2, v.channelID)
        insertVideo.bind(3, v.title)
        insertVideo.bind(4, v.description)
        insertVideo.bind(5, v.publishedAt)
        insertVideo.bind(6, v.durationSec)
        insertVideo.bind(7, v.url)
        try insertVideo.run()
    }

    /// Segments, sections and chunks of one video; ids follow insertion order, as the vector rows do.
    func insert(_ p: ProcessedVideo) throws(SQLiteError) {
        let id = p.video.videoID
        let firstSegment = nextSegmentID
        for s in p.segments {
            try insertSegment.add(.int(nextSegmentID), .text(id), .int(Int64(s.startMs)), .int(Int64(s.endMs)),
                                  .text(s.text), .optionalText(s.speaker))
            nextSegmentID += 1
        }
        segmentCount += p.segments.count
        let firstSection = nextSectionID
        let firstChunk = nextChunkID
        for s in p.sections {
            try insertSection.add(.int(nextSectionID), .text(id), .int(Int64(s.startMs)), .int(Int64(s.endMs)),
                                  .text(s.title), .text(""))
            nextSectionID += 1
        }
        for (i, c) in p.chunks.enumerated() {
            let section = p.sections.isEmpty ? nil : firstSection + Int64(p.chunkSection[i])
            try insertChunk.add(.int(nextChunkID), .text(id), section.map { .int($0) } ?? .null,
                                .int(Int64(c.startMs)), .int(Int64(c.endMs)), .text(c.text))
            chunkTable.add(video: id, sectionID: section, startMs: c.startMs, endMs: c.endMs)
            nextChunkID += 1
        }
        insertSpan.bind(1, id)
        insertSpan.bind(2, firstSegment)
        insertSpan.bind(3, p.segments.count)
        insertSpan.bind(4, firstSection)
        insertSpan.bind(5, p.sections.count)
        insertSpan.bind(6, firstChunk)
        insertSpan.bind(7, p.chunks.count)
        try insertSpan.run()
        try insert(source: p.source, of: id)
    }

    /// A video's source row (a new one, or the same hashes with the transcript's new stamp).
    func insert(source: VideoSource, of videoID: String) throws(SQLiteError) {
        insertSource.bind(1, videoID)
        insertSource.bind(2, source.transcriptFile)
        insertSource.bind(3, source.transcriptSHA256)
        insertSource.bind(4, source.metadataSHA256)
        insertSource.bind(5, source.stamp?.size ?? 0)
        insertSource.bind(6, source.stamp?.modifiedNs ?? 0)
        try insertSource.run()
    }

    /// Replaces a video's row (its metadata changed).
    func replace(video v: Video) throws(SQLiteError) {
        let statement = try db.prepare(
            "INSERT OR REPLACE INTO video(video_id,channel_id,title,description,published_at,duration_sec,url) VALUES (?,?,?,?,?,?,?)")
        statement.bind(1, v.videoID); statement.bind(2, v.channelID); statement.bind(3, v.title)
        statement.bind(4, v.description); statement.bind(5, v.publishedAt); statement.bind(6, v.durationSec); statement.bind(7, v.url)
        try statement.run()
    }

    /// Removes a video's segments, sections and chunks (rows `span` locates) and its span and source rows; the
    /// video's row and its summaries stay.
    func removeRows(of videoID: String, span: VideoSpan) throws(SQLiteError) {
        try insertSegment.flush()
        try insertSection.flush()
        try insertChunk.flush()
        for (table, column, first, count) in [("transcript_segment", "segment_id", span.firstSegmentID, span.segmentCount),
                                              ("section", "section_id", span.firstSectionID, span.sectionCount),
                                              ("micro_chunk", "chunk_id", span.firstChunkID, span.chunkCount)] where count > 0 {
            let statement = try db.prepare("DELETE FROM \(table) WHERE \(column) BETWEEN ?1 AND ?2 AND video_id = ?3")
            statement.bind(1, first); statement.bind(2, first + Int64(count) - 1); statement.bind(3, videoID)
            try statement.run()
        }
        for table in ["ytce_video_span", "ytce_video_source"] {
            let statement = try db.prepare("DELETE FROM \(table) WHERE video_id = ?1")
            statement.bind(1, videoID)
            try statement.run()
        }
    }

    /// The channel's row, from the input of an update (the build time stays; `last_sync_at` becomes `syncedAt`).
    func update(channel: Channel, syncedAt: String) throws(SQLiteError) {
        let statement = try db.prepare("UPDATE channel SET title = ?2, description = ?3, source = ?4, last_sync_at = ?5 WHERE channel_id = ?1")
        statement.bind(1, channel.channelID); statement.bind(2, channel.title); statement.bind(3, channel.description)
        statement.bind(4, channel.source); statement.bind(5, syncedAt)
        try statement.run()
    }

    var database: SQLiteDatabase { db }

    /// Commits, adds ytce's indexes and leaves a self-contained rollback-journal database.
    func finish() throws(SQLiteError) {
        try insertSegment.flush()
        try insertSection.flush()
        try insertChunk.flush()
        try db.execute("COMMIT")
        try db.execute(PackSchema.createIndexes)
        try db.execute("PRAGMA journal_mode=DELETE")
        // Give up the exclusive lock (it goes at the next access): the build then writes the replaced pack's
        // summaries through a connection of its own.
        try db.execute("PRAGMA locking_mode=NORMAL; SELECT count(*) FROM sqlite_master;")
    }
}
