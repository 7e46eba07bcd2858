import Crypto
import Foundation

/// What a video's rows were made from, kept in the pack (`ytce_video_source`, a table the reference ignores) so that
/// `pack build --update` can tell a changed video from an unchanged one without processing it: the SHA-256 of the
/// transcript file's bytes, and of the metadata that shapes its rows (title: lexical documents and section headings;
/// description: chapters; duration: the warnings about cues past it). The transcript file's size and modification
/// time are kept too: an update trusts a file whose size and time are as recorded (as rsync and git do) and does not
/// read it again.
public struct VideoSource: Sendable, Equatable {
    /// The transcript file's name in `transcripts/` ("" when the video had none).
    public var transcriptFile: String
    /// Hex SHA-256 of the transcript file ("" when none).
    public var transcriptSHA256: String
    /// Hex SHA-256 of the metadata that shapes the rows.
    public var metadataSHA256: String
    /// The transcript file's size and modification time when it was hashed (nil: not to be trusted, read it again).
    public var stamp: FileStamp?

    public init(transcriptFile: String, transcriptSHA256: String, metadataSHA256: String, stamp: FileStamp? = nil) {
        self.transcriptFile = transcriptFile
        self.transcriptSHA256 = transcriptSHA256
        self.metadataSHA256 = metadataSHA256
        self.stamp = stamp
    }

    /// The source of `video` whose transcript file holds `bytes` (nil: no transcript), `stamp` taken before the read.
    init(video: Video, file: URL?, bytes: Data?, stamp: FileStamp? = nil) {
        transcriptFile = file?.lastPathComponent ?? ""
        transcriptSHA256 = bytes.map { Self.hex(SHA256.hash(data: $0)) } ?? ""
        metadataSHA256 = Self.metadataHash(video)
        self.stamp = bytes == nil ? nil : stamp
    }

    /// A file's size and modification time (nanoseconds since 1970).
    public struct FileStamp: Sendable, Equatable {
        public var size: Int64
        public var modifiedNs: Int64

        public init(size: Int64, modifiedNs: Int64) {
            self.size = size
            self.modifiedNs = modifiedNs
        }

        /// A file modified this close to the moment its stamp is taken may change again within the same clock tick
        /// without its time moving ("racy" in git's words): such a stamp is not recorded, the file is hashed next time.
        static let racyWindowNs: Int64 = 2_000_000_000

        /// The stamp of the file at `path`, nil when it cannot be read or was modified too recently to be trusted.
        static func of(_ path: String, now: Date = Date()) -> FileStamp? {
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            let (seconds, overflow) = Int64(info.st_mtim.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
            guard !overflow else { return nil }
            let modified = seconds.addingReportingOverflow(Int64(info.st_mtim.tv_nsec))
            guard !modified.overflow, modified.partialValue > 0 else { return nil }
            let nowNs = Int64(now.timeIntervalSince1970 * 1e9)
            guard modified.partialValue < nowNs - racyWindowNs else { return nil }
            return FileStamp(size: Int64(info.st_size), modifiedNs: modified.partialValue)
        }
    }

    static func metadataHash(_ video: Video) -> String {
        var hasher = SHA256()
        for field in [video.title, video.description, String(video.durationSec)] {
            hasher.update(data: Array(field.utf8))
            hasher.update(data: [0])
        }
        return hex(hasher.finalize())
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS ytce_video_source (
          video_id TEXT PRIMARY KEY,
          transcript_file TEXT NOT NULL,
          transcript_sha256 TEXT NOT NULL,
          metadata_sha256 TEXT NOT NULL,
          transcript_size INTEGER NOT NULL DEFAULT 0,
          transcript_mtime_ns INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        """

    /// Adds the stamp columns to a pack's table made before they existed (its videos are then hashed once more).
    static func addStampColumns(to database: SQLiteDatabase) throws(SQLiteError) {
        let columns = try database.strings("SELECT name FROM pragma_table_info('ytce_video_source')")
        for column in ["transcript_size", "transcript_mtime_ns"] where !columns.contains(column) {
            try database.execute("ALTER TABLE ytce_video_source ADD COLUMN \(column) INTEGER NOT NULL DEFAULT 0")
        }
    }

    /// Every video's source in a pack's database; nil when the pack predates the table (or was not built by ytce).
    static func all(in database: SQLiteDatabase) throws(SQLiteError) -> [String: VideoSource]? {
        guard (try database.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'ytce_video_source'") ?? 0) > 0 else { return nil }
        let stamped = try database.strings("SELECT name FROM pragma_table_info('ytce_video_source')").contains("transcript_mtime_ns")
        let rows = try database.prepare("SELECT video_id, transcript_file, transcript_sha256, metadata_sha256"
                                        + (stamped ? ", transcript_size, transcript_mtime_ns" : "") + " FROM ytce_video_source")
        var out: [String: VideoSource] = [:]
        while try rows.step() {
            let stamp = stamped && rows.int64(5) > 0 ? FileStamp(size: rows.int64(4), modifiedNs: rows.int64(5)) : nil
            out[rows.string(0) ?? ""] = VideoSource(transcriptFile: rows.string(1) ?? "", transcriptSHA256: rows.string(2) ?? "",
                                                    metadataSHA256: rows.string(3) ?? "", stamp: stamp)
        }
        return out
    }
}
