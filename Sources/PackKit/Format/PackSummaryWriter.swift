import Foundation

/// Adds an episode summary to a `.pack`: the archive is unpacked beside it, a `summary` row is written, and the
/// pack is zipped again and renamed over the old one, so a reader sees the old pack or the new one, never half
/// of either, and a failure leaves the old pack as it was. The whole read-change-publish holds the pack's
/// `PackFileLock`, which every writer of a pack takes.
public enum PackSummaryWriter {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// One summary to put into a pack: the video's summary of `kind` becomes `text`.
    public struct Entry: Sendable, Equatable {
        public var videoID: String
        public var kind: String
        public var text: String

        public init(videoID: String, kind: String = "episode_long", text: String) {
            self.videoID = videoID
            self.kind = kind
            self.text = text
        }
    }

    /// Replaces the video's summary of `kind` with `text`.
    public static func attach(_ text: String, kind: String = "episode_long", videoID: String, to packPath: String) throws(Problem) {
        let refused = try attach([Entry(videoID: videoID, kind: kind, text: text)], to: packPath)
        if let reason = refused[videoID] { throw Problem(description: "\(packPath): \(reason)") }
    }

    /// Puts every entry into the pack in one rewrite (a channel's summaries arriving together cost one rewrite, not
    /// one each). Entries naming a video the pack does not have are left out and returned with the reason; the
    /// others are written. Nothing is rewritten when no entry can be.
    @discardableResult
    public static func attach(_ entries: [Entry], to packPath: String) throws(Problem) -> [String: String] {
        func fail(_ message: String) -> Problem { Problem(description: "\(packPath): \(message)") }
        // Read under the lock: a build or another attach that replaced the pack meanwhile is never undone.
        let lock: PackFileLock
        do { lock = try PackFileLock(packPath: packPath) } catch { throw Problem(description: error.description) }
        defer { lock.release() }

        let reader: ZipArchiveReader
        do { reader = try ZipArchiveReader(path: packPath) } catch { throw fail(error.description) }
        let files = reader.entries.filter { !$0.isDirectory }
        for entry in files where entry.name.hasPrefix("/") || entry.name.split(separator: "/").contains("..") {
            throw fail("refusing to rewrite an archive with the unsafe entry '\(entry.name)'")
        }
        guard files.contains(where: { $0.name == PackLayout.database }) else { throw fail("no \(PackLayout.database) in the archive") }
        let workspace: BuildWorkspace
        do { workspace = try BuildWorkspace(output: URL(fileURLWithPath: packPath)) } catch { throw fail("\(error)") }
        defer { workspace.discard() }
        var refused: [String: String] = [:]
        do {
            for entry in files {
                let destination = workspace.file(entry.name)
                try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try reader.extract(entry, to: destination)
            }
            refused = try insert(entries, database: workspace.file(PackLayout.database))
            guard refused.count < entries.count else { return refused }
            try workspace.verifyDatabase()
            let compressed = files.contains { $0.compressedSize < $0.uncompressedSize }
            try workspace.publish(modificationDate: Date(), compression: compressed ? .small : .fast,
                                  entries: files.map(\.name), holding: lock, isCancelled: { false })
        } catch let problem as Problem {
            throw fail(problem.description)
        } catch {
            throw fail("\(error)")
        }
        return refused
    }

    /// Writes the entries for videos the pack has; returns the others with why they were left out.
    static func insert(_ entries: [Entry], database path: String) throws -> [String: String] {
        let database = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        // A pack's database stands alone: rollback journal, nothing in a WAL. Packs written by the reference keep
        // their database in WAL mode; it is switched before anything else, while no statement holds it open.
        try database.execute("PRAGMA journal_mode = DELETE")
        let videos = Set(try database.strings("SELECT video_id FROM video"))
        var refused: [String: String] = [:]
        let writable = entries.filter { entry in
            if videos.contains(entry.videoID) || entry.videoID == channelVideoID { return true }
            refused[entry.videoID] = "the pack has no video '\(entry.videoID)'"
            return false
        }
        guard !writable.isEmpty else { return refused }
        try database.transaction {
            let remove = try database.prepare("DELETE FROM summary WHERE video_id = ?1 AND kind = ?2")
            let add = try database.prepare("INSERT INTO summary (video_id, kind, text) VALUES (?1, ?2, ?3)")
            for entry in writable {
                remove.reset(); remove.bind(1, entry.videoID); remove.bind(2, entry.kind)
                try remove.run()
                add.reset(); add.bind(1, entry.videoID); add.bind(2, entry.kind); add.bind(3, entry.text)
                try add.run()
            }
        }
        return refused
    }

    /// The `video_id` of a summary of the whole channel (kind `channel_overview`): no video has an empty id, and the
    /// reference's readers look summaries up by a video's id, so they never meet it.
    public static let channelVideoID = ""
    public static let channelOverviewKind = "channel_overview"

    /// The channel overview a pack holds, if any.
    public static func channelOverview(database: SQLiteDatabase) -> String? {
        guard let s = try? database.prepare("SELECT text FROM summary WHERE video_id = ?1 AND kind = ?2 AND length(text) > 0 ORDER BY summary_id DESC LIMIT 1") else { return nil }
        s.bind(1, channelVideoID); s.bind(2, channelOverviewKind)
        defer { s.reset() }
        return (try? s.step()) == true ? s.string(0) : nil
    }
}
