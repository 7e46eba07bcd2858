import Foundation

/// The temporary folder a build writes into, next to the output so that the final rename stays on one file
/// system. Holds the loose files and the zip until `publish` renames the zip over the output.
final class BuildWorkspace {
    let output: URL
    let folder: URL
    private var published = false

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    init(output: URL) throws {
        self.output = output
        let parent = output.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        Self.sweepAbandoned(in: parent)
        folder = parent.appendingPathComponent(".\(output.lastPathComponent).build-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
    }

    func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Proof that the database file stands alone: it has the tables, no WAL beside it, rollback-journal header.
    func verifyDatabase() throws {
        let path = file(PackLayout.database)
        for suffix in ["-wal", "-journal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            throw Problem(description: "pack.sqlite\(suffix) exists after the database was closed; refusing to pack an incomplete database")
        }
        let db = try SQLiteDatabase(path: path, mode: .readOnly(immutable: true))
        let tables = try db.strings("SELECT name FROM sqlite_master WHERE type='table'")
        guard PackSchema.requiredColumns.allSatisfy({ tables.contains($0.table) }) else {
            throw Problem(description: "pack.sqlite lacks tables after writing (found: \(tables.joined(separator: ", ")))")
        }
    }

    /// Zips the pack, syncs it to disk and renames it over the output, holding the output's `PackFileLock` for the
    /// rename: `lock` when the caller already holds it (a writer that read the pack it replaces), else taken here.
    /// `entries` names the files to zip, in order (default: the pack files a build writes).
    func publish(modificationDate: Date, compression: PackCompression,
                 entries: [String]? = nil, holding lock: PackFileLock? = nil, isCancelled: () -> Bool) throws {
        let zipPath = file("pack.zip")
        let names = (entries ?? PackLayout.builtFirst + PackLayout.builtLast)
            .filter { FileManager.default.fileExists(atPath: file($0)) }
        switch compression {
        case .fast:
            try ZipAssembler.write(names.map { .init(name: $0, path: file($0)) }, to: zipPath,
                                   modificationDate: modificationDate)
        case .small:
            let writer = try ZipArchiveWriter(path: zipPath)
            for name in names {
                try writer.addFile(at: file(name), as: name, compression: .deflate(level: 6), modificationDate: modificationDate)
            }
            try writer.close()
        }
        try moveIntoPlace(zipPath, holding: lock, isCancelled: isCancelled)
    }

    /// Starts the stored zip a build fills member by member as each is complete (`publish(_ writer:)` ends it).
    func startZip(modificationDate: Date) throws -> ZipAssembler.Writer {
        try ZipAssembler.Writer(path: file("pack.zip"), modificationDate: modificationDate)
    }

    /// Ends a zip begun with `startZip`, then syncs and renames as `publish` does.
    func publish(_ writer: ZipAssembler.Writer, holding lock: PackFileLock? = nil, isCancelled: () -> Bool) throws {
        try writer.finish()
        try moveIntoPlace(file("pack.zip"), holding: lock, isCancelled: isCancelled)
    }

    /// Zips stored members given as parts (files of the workspace, ranges of the pack being replaced, bytes), then
    /// syncs and renames as `publish` does.
    func publish(_ entries: [ZipAssembler.Entry], modificationDate: Date, holding lock: PackFileLock? = nil,
                 isCancelled: () -> Bool) throws {
        let zipPath = file("pack.zip")
        try ZipAssembler.write(entries, to: zipPath, modificationDate: modificationDate)
        try moveIntoPlace(zipPath, holding: lock, isCancelled: isCancelled)
    }

    private func moveIntoPlace(_ zipPath: String, holding lock: PackFileLock?, isCancelled: () -> Bool) throws {
        dropLooseFiles(keeping: zipPath)
        try Self.fsync(path: zipPath)
        if isCancelled() { throw PackBuildError.cancelled }
        let held = try lock ?? PackFileLock(packPath: output.path)
        defer { if lock == nil { held.release() } }
        guard rename(zipPath, output.path) == 0 else {
            throw Problem(description: "cannot move the pack into place: \(String(cString: strerror(errno)))")
        }
        published = true
        try? Self.fsync(path: output.deletingLastPathComponent().path)
    }

    /// Removes everything the workspace holds but the zip, once the zip holds it: pages of those files that the
    /// kernel has not yet written to disk are dropped instead of being written while the zip is synced (on a 5,000-hour
    /// pack that was as many bytes again as the pack, on a disk that syncs ~60 MB/s when shared).
    private func dropLooseFiles(keeping zipPath: String) {
        let keep = URL(fileURLWithPath: zipPath).lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name != keep { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
    }

    /// Removes the temporary folder (after success or failure).
    func discard() {
        try? FileManager.default.removeItem(at: folder)
    }

    static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "cannot open \(path) to sync: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard Foundation.fsync(fd) == 0 else { throw Problem(description: "cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Workspaces (`.NAME.build-PID-RANDOM`) of builds and attaches whose process is gone (killed mid-write),
    /// whatever pack of the folder they were writing.
    static func sweepAbandoned(in parent: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        for name in names {
            guard let pid = owner(ofWorkspace: name), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
        }
    }

    /// The process id in a workspace folder's name, nil for any other name.
    static func owner(ofWorkspace name: String) -> pid_t? {
        guard name.hasPrefix("."), let marker = name.range(of: ".build-", options: .backwards) else { return nil }
        let parts = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil else { return nil }
        return pid
    }
}
