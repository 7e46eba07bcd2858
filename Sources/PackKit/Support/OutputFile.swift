import Foundation

/// A file opened for writing with plain POSIX calls: bytes go from the caller's buffer straight to the kernel
/// (no intermediate `Data` copies, which mattered for hundreds of megabytes per build).
final class OutputFile {
    let path: String
    private var fd: Int32

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates or truncates `path`.
    init(path: String) throws(Problem) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)  // read too: a writer may sort its bytes in place
        guard fd >= 0 else { throw Problem(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { if fd >= 0 { Foundation.close(fd) } }

    var descriptor: Int32 { fd }

    /// Appends all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(Problem) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(fd, base + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Problem(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    func write<T>(_ array: [T]) throws(Problem) {
        let result: Result<Void, Problem> = array.withUnsafeBytes { raw in
            do throws(Problem) { try write(raw); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Overwrites bytes at `offset` without moving the append position's end (for headers patched at the end).
    func write(_ bytes: [UInt8], at offset: Int) throws(Problem) {
        let result: Result<Void, Problem> = bytes.withUnsafeBytes { raw in
            do throws(Problem) { try write(raw, at: offset); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Overwrites (or writes past the end, leaving a gap to fill) bytes at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(Problem) {
        guard let base = bytes.baseAddress else { return }
        try transfer(bytes.count, at: offset, "write") { done in pwrite(fd, base + done, bytes.count - done, off_t(offset + done)) }
    }

    /// Reads back `buffer.count` bytes written before at `offset`.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(Problem) {
        guard let base = buffer.baseAddress else { return }
        try transfer(buffer.count, at: offset, "read back") { done in pread(fd, base + done, buffer.count - done, off_t(offset + done)) }
    }

    /// Repeats a positioned read or write (`step`, given the bytes done so far) until `count` bytes are done.
    private func transfer(_ count: Int, at offset: Int, _ verb: String, _ step: (_ done: Int) -> Int) throws(Problem) {
        var done = 0
        while done < count {
            let n = step(done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Problem(description: "cannot \(verb) \(path): \(n == 0 ? "it ends early" : String(cString: strerror(errno)))") }
            done += n
        }
    }

    /// Moves the append position.
    func seek(to offset: Int64) throws(Problem) {
        guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw Problem(description: "cannot seek in \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Whether the file may grow to `length` bytes (the file system's largest file): tried, then undone.
    func canGrow(to length: Int64) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        guard ftruncate(fd, off_t(length)) == 0 else { return false }
        return ftruncate(fd, info.st_size) == 0
    }

    /// Cuts the file off at `length`. A file no longer than that is left alone: truncating it to its own size still
    /// waits for the writeback of its last page (ext4), 20 ms at the end of a build that has just started it.
    func truncate(at length: Int64) throws(Problem) {
        var info = stat()
        if fstat(fd, &info) == 0 && Int64(info.st_size) <= length { return }
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw Problem(description: "cannot truncate \(path): \(String(cString: strerror(errno)))")
        }
    }

    func close() throws(Problem) {
        guard fd >= 0 else { return }
        let rc = Foundation.close(fd)
        fd = -1
        guard rc == 0 else { throw Problem(description: "cannot close \(path): \(String(cString: strerror(errno)))") }
    }
}
