/// The tables of `pack.sqlite`: the reference's schema, column for column, plus ytce's indexes.
public enum PackSchema {
    public static let version = 1

    /// Required tables and the columns each must have (the reference reader's contract).
    public static let requiredColumns: [(table: String, columns: [String])] = [
        ("channel", ["channel_id", "title", "description", "source", "created_at", "last_sync_at"]),
        ("video", ["video_id", "channel_id", "title", "description", "published_at", "duration_sec", "url"]),
        ("transcript_segment", ["segment_id", "video_id", "start_ms", "end_ms", "text", "speaker"]),
        ("section", ["section_id", "video_id", "start_ms", "end_ms", "title", "summary"]),
        ("micro_chunk", ["chunk_id", "video_id", "section_id", "start_ms", "end_ms", "text"]),
        ("summary", ["summary_id", "video_id", "kind", "text"]),
    ]

    /// The reference's DDL verbatim in meaning, so its reader and ours see the same database.
    static let createTables = """
        CREATE TABLE channel (
          channel_id TEXT PRIMARY KEY,
          title TEXT NOT NULL,
          description TEXT DEFAULT '',
          source TEXT DEFAULT '',
          created_at TEXT DEFAULT '',
          last_sync_at TEXT DEFAULT ''
        );
        CREATE TABLE video (
          video_id TEXT PRIMARY KEY,
          channel_id TEXT NOT NULL,
          title TEXT NOT NULL,
          description TEXT DEFAULT '',
          published_at TEXT DEFAULT '',
          duration_sec INTEGER DEFAULT 0,
          url TEXT DEFAULT '',
          FOREIGN KEY(channel_id) REFERENCES channel(channel_id)
        );
        CREATE TABLE transcript_segment (
          segment_id INTEGER PRIMARY KEY AUTOINCREMENT,
          video_id TEXT NOT NULL,
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          text TEXT NOT NULL,
          speaker TEXT DEFAULT NULL,
          FOREIGN KEY(video_id) REFERENCES video(video_id)
        );
        CREATE TABLE section (
          section_id INTEGER PRIMARY KEY AUTOINCREMENT,
          video_id TEXT NOT NULL,
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          title TEXT NOT NULL,
          summary TEXT DEFAULT '',
          FOREIGN KEY(video_id) REFERENCES video(video_id)
        );
        CREATE TABLE micro_chunk (
          chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
          video_id TEXT NOT NULL,
          section_id INTEGER DEFAULT NULL,
          start_ms INTEGER NOT NULL,
          end_ms INTEGER NOT NULL,
          text TEXT NOT NULL,
          FOREIGN KEY(video_id) REFERENCES video(video_id),
          FOREIGN KEY(section_id) REFERENCES section(section_id)
        );
        CREATE TABLE summary (
          summary_id INTEGER PRIMARY KEY AUTOINCREMENT,
          video_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          text TEXT NOT NULL,
          FOREIGN KEY(video_id) REFERENCES video(video_id)
        );
        """

    /// ytce's additions. A video's segments, sections and chunks are stored contiguously in id order, so one
    /// row per video locates them by rowid range: cheaper to build and smaller than an index over every segment.
    static let createExtras = """
        CREATE TABLE IF NOT EXISTS ytce_video_span (
          video_id TEXT PRIMARY KEY,
          first_segment_id INTEGER NOT NULL,
          segment_count INTEGER NOT NULL,
          first_section_id INTEGER NOT NULL,
          section_count INTEGER NOT NULL,
          first_chunk_id INTEGER NOT NULL,
          chunk_count INTEGER NOT NULL
        ) WITHOUT ROWID;
        """ + VideoSource.createTable

    static let createIndexes = """
        CREATE INDEX IF NOT EXISTS ytce_section_video_time ON section(video_id, start_ms);
        CREATE INDEX IF NOT EXISTS ytce_summary_video ON summary(video_id, kind);
        """
}
