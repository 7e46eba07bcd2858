import Foundation

/// Reads a file a user pointed ytce at (a transcript, `channel.json`, a config, a pack's files), saying precisely what is
/// wrong with a path that cannot be read: a symbolic link loop, a FIFO or device instead of a file, a folder,
/// a missing file, no permission, or a size past `limit`. The reason is a short phrase for "path: cannot read file: …".
///
/// Only regular files are opened: a FIFO would block the reader forever and a device such as `/dev/zero`
/// never ends. The size is checked before anything is allocated.
enum InputFile {
    struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        let reason: String
        /// Nothing is at the path (not even a dangling link): callers may say "missing" in their own words.
        var isMissing = false
        var description: String { reason }
    }

    static func read(_ path: String, limit: Int) throws(Problem) -> Data {
        let (fd, size) = try openRegular(path)
        defer { close(fd) }
        guard size <= limit else { throw Problem(reason: "is \(size) bytes, more than the \(byteCount(limit)) ytce reads") }
        // Read to the end (the file may have grown since the stat), never past the limit. One spare byte lets
        // the read that meets the end do so without growing the buffer.
        var data = Data(count: size + 1)
        var filled = 0
        while true {
            if filled == data.count {
                guard data.count <= limit else {
                    throw Problem(reason: "grew past the \(byteCount(limit)) ytce reads while being read")
                }
                data.count = min(max(data.count * 2, 4096), limit + 1)
            }
            let n = try readSome(fd, into: &data, at: filled)
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }

    /// At most the first `count` bytes of a regular file (an `.npy` header), however long the file is.
    static func readPrefix(_ path: String, count: Int) throws(Problem) -> Data {
        let (fd, size) = try openRegular(path)
        defer { close(fd) }
        var data = Data(count: min(size, count))
        var filled = 0
        while filled < data.count {
            let n = try readSome(fd, into: &data, at: filled)
            if n == 0 { break }
            filled += n
        }
        data.count = filled
        return data
    }

    /// One `read` into `data` from `offset` to its end (retried when a signal interrupts it): the bytes read, 0 at
    /// the end of the file.
    private static func readSome(_ fd: Int32, into data: inout Data, at offset: Int) throws(Problem) -> Int {
        while true {
            let n = data.withUnsafeMutableBytes { raw in Foundation.read(fd, raw.baseAddress! + offset, raw.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Problem(reason: String(cString: strerror(errno))) }
            return n
        }
    }

    /// Opens a regular file for reading (or mapping) and returns its descriptor, which the caller closes, and
    /// size. Anything else is refused before it is opened for a read that could block.
    static func openRegular(_ path: String) throws(Problem) -> (descriptor: Int32, size: Int) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw openProblem(path, errno) }
        if let kind = nonRegularKind(info.st_mode) { throw Problem(reason: kind) }
        // O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it must not hang.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw openProblem(path, errno) }
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Problem(reason: reason)
        }
        if let kind = nonRegularKind(info.st_mode) {
            close(fd)
            throw Problem(reason: kind)
        }
        return (fd, Int(info.st_size))
    }

    /// "is a FIFO (named pipe), not a regular file", or nil for a regular file.
    static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "is a directory"
        case S_IFIFO: return "is a FIFO (named pipe), not a regular file"
        case S_IFSOCK: return "is a socket, not a regular file"
        case S_IFCHR: return "is a character device, not a regular file"
        case S_IFBLK: return "is a block device, not a regular file"
        default: return "is not a regular file"
        }
    }

    /// Why `stat` or `open` failed, told apart where the bare errno would mislead (a dangling link is not a
    /// missing file to the user who sees it in `ls`).
    private static func openProblem(_ path: String, _ code: Int32) -> Problem {
        switch code {
        case ELOOP: return Problem(reason: "is a symbolic link loop")
        case ENOENT:
            var link = stat()
            if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                return Problem(reason: "is a symbolic link to '\(target)', which does not exist")
            }
            return Problem(reason: "no such file", isMissing: true)
        case EACCES: return Problem(reason: "permission denied")
        case ENOTDIR: return Problem(reason: "a folder on its path is a file")
        default: return Problem(reason: String(cString: strerror(code)))
        }
    }

    /// "256 MiB", "114.5 MiB", "11 bytes".
    static func byteCount(_ n: Int) -> String {
        if n >= 1 << 30 && n % (1 << 30) == 0 { return "\(n >> 30) GiB" }
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 30 { return String(format: "%.1f GiB", Double(n) / Double(1 << 30)) }
        if n >= 1 << 20 { return String(format: "%.1f MiB", Double(n) / Double(1 << 20)) }
        if n >= 1 << 10 { return String(format: "%.1f KiB", Double(n) / Double(1 << 10)) }
        return "\(n) bytes"
    }
}
