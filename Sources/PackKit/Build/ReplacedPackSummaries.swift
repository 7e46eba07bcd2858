import Foundation

/// The summaries held by the pack a build is about to replace. A summary is paid for (a RunPod job) and comes from
/// no caption file, so a new build over a pack carries over those of the videos it still holds; the rest are
/// counted as dropped. Read under the pack's lock, which the build then holds until its rename, so a summary
/// attached meanwhile waits for the new pack rather than being lost with the old one.
enum ReplacedPackSummaries {
    struct Outcome {
        var kept = 0
        var dropped = 0
        /// Why the old pack's summaries could not be read (it is replaced all the same, as before).
        var problem: String?
    }

    /// Copies the summaries of `packPath` (if it is a pack holding any) into the database at `database`.
    static func carry(from packPath: String, into database: String, scratch: String) -> Outcome {
        var outcome = Outcome()
        guard FileManager.default.fileExists(atPath: packPath) else { return outcome }
        let entries: [PackSummaryWriter.Entry]
        do { entries = try read(packPath, scratch: scratch) } catch {
            outcome.problem = "\(error)"
            return outcome
        }
        guard !entries.isEmpty else { return outcome }
        do {
            let refused = try PackSummaryWriter.insert(entries, database: database)
            outcome.dropped = entries.filter { refused[$0.videoID] != nil }.count
            outcome.kept = entries.count - outcome.dropped
        } catch {
            outcome.problem = "\(error)"
        }
        return outcome
    }

    private static func read(_ packPath: String, scratch: String) throws -> [PackSummaryWriter.Entry] {
        let archive: PackArchive
        do { archive = try PackArchive(path: packPath) } catch { return [] }  // not a pack: nothing to keep
        let database: SQLiteDatabase
        if let region = archive.region(PackLayout.database) {
            database = try SQLiteDatabase(path: region.name, mode: .region(region))
        } else {
            // Deflated (or another builder's) pack: its database alone, unpacked beside the build.
            let reader = try ZipArchiveReader(path: packPath)
            guard let entry = reader.entries.first(where: { $0.name == PackLayout.database }) else { return [] }
            try reader.extract(entry, to: scratch)
            database = try SQLiteDatabase(path: scratch, mode: .readOnly(immutable: true))
        }
        guard try database.strings("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'summary'").count == 1 else { return [] }
        let rows = try database.prepare("SELECT video_id, kind, text FROM summary ORDER BY summary_id")
        var entries: [PackSummaryWriter.Entry] = []
        while try rows.step() {
            guard let video = rows.string(0), let kind = rows.string(1), let text = rows.string(2) else { continue }
            entries.append(PackSummaryWriter.Entry(videoID: video, kind: kind, text: text))
        }
        return entries
    }
}
