import Crypto
import Foundation

/// What a video's rows were made from, kept in the pack (`ytce_video_source`, a table the reference ignores) so that
/// `pack build --update` can tell a changed video from an unchanged one without processing it: the SHA-256 of the
/// transcript file's bytes, and of the metadata that shapes its rows (title: lexical documents and section headings;
/// description: chapters; duration: the warnings about cues past it).
public struct VideoSource: Sendable, Equatable {
    /// The transcript file's name in `transcripts/` ("" when the video had none).
    public var transcriptFile: String
    /// Hex SHA-256 of the transcript file ("" when none).
    public var transcriptSHA256: String
    /// Hex SHA-256 of the metadata that shapes the rows.
    public var metadataSHA256: String

    public init(transcriptFile: String, transcriptSHA256: String, metadataSHA256: String) {
        self.transcriptFile = transcriptFile
        self.transcriptSHA256 = transcriptSHA256
        self.metadataSHA256 = metadataSHA256
    }

    /// The source of `video` whose transcript file holds `bytes` (nil: no transcript).
    init(video: Video, file: URL?, bytes: Data?) {
        transcriptFile = file?.lastPathComponent ?? ""
        transcriptSHA256 = bytes.map { Self.hex(SHA256.hash(data: $0)) } ?? ""
        metadataSHA256 = Self.metadataHash(video)
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
          metadata_sha256 TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    /// Every video's source in a pack's database; nil when the pack predates the table (or was not built by ytce).
    static func all(in database: SQLiteDatabase) throws(SQLiteError) -> [String: VideoSource]? {
        guard (try database.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'ytce_video_source'") ?? 0) > 0 else { return nil }
        let rows = try database.prepare("SELECT video_id, transcript_file, transcript_sha256, metadata_sha256 FROM ytce_video_source")
        var out: [String: VideoSource] = [:]
        while try rows.step() {
            out[rows.string(0) ?? ""] = VideoSource(transcriptFile: rows.string(1) ?? "", transcriptSHA256: rows.string(2) ?? "",
                                                    metadataSHA256: rows.string(3) ?? "")
        }
        return out
    }
}
