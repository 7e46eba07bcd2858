import Foundation

/// Replaces a file so that readers see the old content or the new, never a mix, and a crash leaves one of the
/// two: write a temporary file beside it, sync, rename over.
public enum AtomicFile {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Writes `bytes` to `path` only when nothing is there: false, and nothing written, when a file is. Readers see
    /// no file or the whole one; two writers racing for one name cannot both win.
    public static func create(_ bytes: [UInt8], at path: String) throws(Problem) -> Bool {
        let temporary = try writeTemporary(bytes, beside: path)
        defer { unlink(temporary) }
        // link() fails when the name exists, atomically; rename() would replace it.
        if link(temporary, path) == 0 { return true }
        let code = errno
        if code == EEXIST { return false }
        // A file system without hard links: check, then rename (a racing writer could slip in between).
        guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EMLINK else {
            throw Problem(description: "cannot create \(path): \(String(cString: strerror(code)))")
        }
        if FileManager.default.fileExists(atPath: path) { return false }
        guard rename(temporary, path) == 0 else { throw Problem(description: "cannot move \(temporary) to \(path): \(String(cString: strerror(errno)))") }
        return true
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(Problem) {
        let temporary = try writeTemporary(bytes, beside: path)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Problem(description: "cannot move \(temporary) to \(path): \(reason)")
        }
    }

    /// A synced temporary file holding `bytes` in `path`'s folder (created if need be); returns its path.
    private static func writeTemporary(_ bytes: [UInt8], beside path: String) throws(Problem) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        } catch { throw Problem(description: "cannot create \(directory): \(error.localizedDescription)") }
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            let file = try OutputFile(path: temporary)
            try file.write(bytes)
            guard fsync(file.descriptor) == 0 else { throw Problem(description: "cannot sync \(temporary): \(String(cString: strerror(errno)))") }
            try file.close()
            return temporary
        } catch let problem as Problem {
            unlink(temporary)
            throw problem
        } catch {
            unlink(temporary)
            throw Problem(description: "\(error)")
        }
    }
}
