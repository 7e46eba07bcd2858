import Foundation

/// The lock every writer of a `.pack` holds while it replaces the file: a build from reading the summaries of the
/// pack it replaces until its new pack is in place, an attach from reading the pack it changes until its rewrite is in place. Writers of one pack thus
/// take turns, and one that changes a pack reads it under the lock: it can never publish a copy of a pack that
/// another writer has replaced meanwhile. Readers take no lock (a pack is replaced by a rename: they see the old
/// file or the new one).
///
/// An advisory `flock` on `.<pack name>.lock` beside the pack, so the kernel releases it when a writer dies, however
/// it dies. The lock file lives only while the lock is held: the holder removes it when it lets go, and a writer that
/// waited on a removed (or replaced) lock file tries again on the current one.
public final class PackFileLock {
    public let packPath: String
    private let lockPath: String
    private var descriptor: Int32

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Waits until no other writer holds the lock of `packPath`, then holds it until `release()` (or deinit).
    public init(packPath: String) throws(Problem) {
        self.packPath = packPath
        let lockPath = Self.lockPath(for: packPath)
        self.lockPath = lockPath
        func problem(_ what: String) -> Problem {
            Problem(description: "\(packPath): cannot \(what) the lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        while true {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw problem("create") }
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let failure = problem("lock")
                    close(fd)
                    throw failure
                }
            }
            // The holder before us may have removed the file we waited on: only the file at the path counts.
            var held = stat(), current = stat()
            if fstat(fd, &held) == 0, stat(lockPath, &current) == 0, held.st_dev == current.st_dev, held.st_ino == current.st_ino {
                descriptor = fd
                return
            }
            close(fd)
        }
    }

    deinit { release() }

    /// Lets the next writer in.
    public func release() {
        guard descriptor >= 0 else { return }
        unlink(lockPath)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    /// Runs `body` holding the lock of `packPath`.
    public static func withLock<T>(_ packPath: String, _ body: (PackFileLock) throws -> T) throws -> T {
        let lock = try PackFileLock(packPath: packPath)
        defer { lock.release() }
        return try body(lock)
    }

    /// `.<name>.lock` in the pack's folder.
    public static func lockPath(for packPath: String) -> String {
        let url = URL(fileURLWithPath: packPath)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).lock").path
    }
}
