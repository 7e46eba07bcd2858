import Foundation

/// Adds an episode summary to a `.pack`: the archive is unpacked beside it, a `summary` row is written, and the
/// pack is zipped again and renamed over the old one, so a reader sees the old pack or the new one, never half
/// of either, and a failure leaves the old pack as it was. The whole read-change-publish holds the pack's
/// `PackFileLock`, which every writer of a pack takes.
public enum PackSummaryWriter {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Replaces the video's summary of `kind` with `text`.
    public static func attach(_ text: String, kind: String = "episode_long", videoID: String, to packPath: String) throws(Problem) {
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
        do {
            for entry in files {
                let destination = workspace.file(entry.name)
                try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try reader.extract(entry, to: destination)
            }
            try insert(text, kind: kind, videoID: videoID, database: workspace.file(PackLayout.database))
            try workspace.verifyDatabase()
            let compressed = files.contains { $0.compressedSize < $0.uncompressedSize }
            try workspace.publish(modificationDate: Date(), compression: compressed ? .small : .fast,
                                  entries: files.map(\.name), holding: lock, isCancelled: { false })
        } catch let problem as Problem {
            throw fail(problem.description)
        } catch {
            throw fail("\(error)")
        }
    }

    private static func insert(_ text: String, kind: String, videoID: String, database path: String) throws {
        let database = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        // A pack's database stands alone: rollback journal, nothing in a WAL. Packs written by the reference keep
        // their database in WAL mode; it is switched before anything else, while no statement holds it open.
        try database.execute("PRAGMA journal_mode = DELETE")
        let known = try database.prepare("SELECT 1 FROM video WHERE video_id = ?1")
        known.bind(1, videoID)
        let exists = try known.step()
        known.reset()
        guard exists else { throw Problem(description: "the pack has no video '\(videoID)'") }
        try database.transaction {
            let remove = try database.prepare("DELETE FROM summary WHERE video_id = ?1 AND kind = ?2")
            remove.bind(1, videoID); remove.bind(2, kind)
            try remove.run()
            let add = try database.prepare("INSERT INTO summary (video_id, kind, text) VALUES (?1, ?2, ?3)")
            add.bind(1, videoID); add.bind(2, kind); add.bind(3, text)
            try add.run()
        }
    }
}
