import Foundation

/// Writes `pack.sqlite` for a build. The database never uses WAL (journal off while building, a plain
/// rollback-journal file at the end), so the file on disk is complete when closed: the reference's
/// empty-pack bug cannot happen here.
final class PackDatabaseWriter {
    private let db: SQLiteDatabase
    private let insertSegment: SQLiteStatement
    private let insertSection: SQLiteStatement
    private let insertChunk: SQLiteStatement
    private let insertVideo: SQLiteStatement
    private(set) var nextSectionID: Int64 = 1
    private(set) var nextChunkID: Int64 = 1
    private(set) var segmentCount = 0

    init(path: String) throws(SQLiteError) {
        db = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        try db.execute("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;
            PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;
            """)
        try db.execute(PackSchema.createTables)
        try db.execute("BEGIN")
        insertVideo = try db.prepare(
            "INSERT INTO video(video_id,channel_id,title,description,published_at,duration_sec,url) VALUES (?,?,?,?,?,?,?)")
        insertSegment = try db.prepare(
            "INSERT INTO transcript_segment(video_id,start_ms,end_ms,text,speaker) VALUES (?,?,?,?,?)")
        insertSection = try db.prepare(
            "INSERT INTO section(section_id,video_id,start_ms,end_ms,title,summary) VALUES (?,?,?,?,?,'')")
        insertChunk = try db.prepare(
            "INSERT INTO micro_chunk(chunk_id,video_id,section_id,start_ms,end_ms,text) VALUES (?,?,?,?,?,?)")
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
        for s in p.segments {
            insertSegment.bind(1, id)
            insertSegment.bind(2, s.startMs)
            insertSegment.bind(3, s.endMs)
            insertSegment.bind(4, s.text)
            insertSegment.bind(5, s.speaker)
            try insertSegment.run()
        }
        segmentCount += p.segments.count
        let firstSection = nextSectionID
        for s in p.sections {
            insertSection.bind(1, nextSectionID)
            insertSection.bind(2, id)
            insertSection.bind(3, s.startMs)
            insertSection.bind(4, s.endMs)
            insertSection.bind(5, s.title)
            try insertSection.run()
            nextSectionID += 1
        }
        for (i, c) in p.chunks.enumerated() {
            insertChunk.bind(1, nextChunkID)
            insertChunk.bind(2, id)
            if p.sections.isEmpty { insertChunk.bindNull(3) } else { insertChunk.bind(3, firstSection + Int64(p.chunkSection[i])) }
            insertChunk.bind(4, c.startMs)
            insertChunk.bind(5, c.endMs)
            insertChunk.bind(6, c.text)
            try insertChunk.run()
            nextChunkID += 1
        }
    }

    /// Commits, adds ytce's indexes and leaves a self-contained rollback-journal database.
    func finish() throws(SQLiteError) {
        try db.execute("COMMIT")
        try db.execute(PackSchema.createIndexes)
        try db.execute("PRAGMA journal_mode=DELETE")
    }
}
