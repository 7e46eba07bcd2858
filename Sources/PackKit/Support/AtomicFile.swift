import Foundation

/// Replaces a file so that readers see the old content or the new, never a mix, and a crash leaves one of the
/// two: write a temporary file beside it, sync, rename over.
public enum AtomicFile {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(Problem) {
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
            guard rename(temporary, path) == 0 else { throw Problem(description: "cannot move \(temporary) to \(path): \(String(cString: strerror(errno)))") }
        } catch let problem as Problem {
            unlink(temporary)
            throw problem
        } catch {
            unlink(temporary)
            throw Problem(description: "\(error)")
        }
    }
}
