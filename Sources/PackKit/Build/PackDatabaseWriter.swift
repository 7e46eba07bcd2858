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
    private(set) var nextSegmentID: Int64 = 1
    private(set) var nextSectionID: Int64 = 1
    private(set) var nextChunkID: Int64 = 1
    private(set) var segmentCount = 0

    /// 16 KiB pages: chunk rows (~1 KB of text) fill them better than 4 KiB ones, so the file is smaller and
    /// bulk inserts touch fewer pages. Rows are appended in rowid order, so a small page cache (8 MiB) suffices;
    /// a larger one only raised the build's peak memory.
    init(path: String) throws(SQLiteError) {
        db = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        try db.execute("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;
            PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY; PRAGMA page_size=16384;
            """)
        try db.execute(PackSchema.createTables)
        try db.execute(PackSchema.createExtras)
        try db.execute("BEGIN")
        insertVideo = try db.prepare(
            "INSERT INTO video(video_id,channel_id,title,description,published_at,duration_sec,url) VALUES (?,?,?,?,?,?,?)")
        insertSegment = try BatchInsert(db, table: "transcript_segment",
                                        columns: ["segment_id", "video_id", "start_ms", "end_ms", "text", "speaker"])
        insertSpan = try db.prepare("INSERT INTO ytce_video_span VALUES (?,?,?,?,?,?,?)")
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
            try insertChunk.add(.int(nextChunkID), .text(id),
                                p.sections.isEmpty ? .null : .int(firstSection + Int64(p.chunkSection[i])),
                                .int(Int64(c.startMs)), .int(Int64(c.endMs)), .text(c.text))
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
    }

    /// Commits, adds ytce's indexes and leaves a self-contained rollback-journal database.
    func finish() throws(SQLiteError) {
        try insertSegment.flush()
        try insertSection.flush()
        try insertChunk.flush()
        try db.execute("COMMIT")
        try db.execute(PackSchema.createIndexes)
        try db.execute("PRAGMA journal_mode=DELETE")
    }
}
