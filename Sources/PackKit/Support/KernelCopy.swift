import Foundation

/// Moves bytes from one file to another inside the kernel. `copy_file_range` first: on file systems that share
/// extents (XFS, Btrfs, bcachefs) the bytes of an older pack are then shared rather than written again, and NFS copies
/// on the server; where it cannot work (other file systems, older kernels) `sendfile`, which copies page-cache
/// to page-cache without a trip through user space.
enum KernelCopy {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    private typealias CopyFileRange = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
    /// glibc (2.27 and later) has the function, Swift's Glibc module does not declare it: found by name.
    private static let copyFileRange = CFunction.named("copy_file_range", as: CopyFileRange.self)

    /// Appends `count` bytes of `path` from `offset` at `fd`'s position; stops with an error once `isCancelled`.
    static func copy(from path: String, offset: Int64, count: Int64, to fd: Int32, output: String,
                     isCancelled: () -> Bool = { false }) throws(Problem) {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var remaining = count
        var position = offset
        var kernelCopies = copyFileRange != nil
        while remaining > 0 {
            if isCancelled() { throw Problem(description: "copying \(path) into \(output) was cancelled") }
            let chunk = Int(min(remaining, Self.step))
            var n: Int
            if kernelCopies, let copyFileRange {
                n = copyFileRange(input, &position, fd, nil, chunk, 0)
                if n < 0 && [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP, EBADF, ETXTBSY].contains(errno) {
                    // Not between these two files: the rest goes by sendfile.
                    kernelCopies = false
                    continue
                }
            } else {
                var at = off_t(position)
                n = sendfile(fd, input, &at, chunk)
                if n > 0 { position += Int64(n) }
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw Problem(description: "cannot write \(output): \(n < 0 ? String(cString: strerror(errno)) : "\(path) ended early")")
            }
            remaining -= Int64(n)
        }
    }

    /// Writes `count` bytes of `path` from `offset` at `outputOffset` of `fd`, leaving `fd`'s position alone (a zip's
    /// writer appends at it): `copy_file_range`, else through a buffer.
    static func copy(from path: String, offset: Int64, count: Int64, to fd: Int32, at outputOffset: Int64, output: String,
                     isCancelled: () -> Bool = { false }) throws(Problem) {
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Problem(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var remaining = count
        var position = offset, target = outputOffset
        var kernelCopies = copyFileRange != nil
        var buffer: UnsafeMutableRawPointer?
        defer { buffer?.deallocate() }
        while remaining > 0 {
            if isCancelled() { throw Problem(description: "copying \(path) into \(output) was cancelled") }
            let chunk = Int(min(remaining, Self.step))
            var n: Int
            if kernelCopies, let copyFileRange {
                n = copyFileRange(input, &position, fd, &target, chunk, 0)
                if n < 0 && [EXDEV, ENOSYS, EINVAL, EOPNOTSUPP, EBADF, ETXTBSY].contains(errno) {
                    kernelCopies = false
                    continue
                }
            } else {
                let capacity = 4 << 20
                let bytes = buffer ?? UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
                buffer = bytes
                n = pread(input, bytes, min(chunk, capacity), off_t(position))
                if n > 0 {
                    var written = 0
                    while written < n {
                        let w = pwrite(fd, bytes + written, n - written, off_t(target + Int64(written)))
                        if w < 0 && errno == EINTR { continue }
                        guard w > 0 else { throw Problem(description: "cannot write \(output): \(String(cString: strerror(errno)))") }
                        written += w
                    }
                    position += Int64(n)
                    target += Int64(n)
                }
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw Problem(description: "cannot write \(output): \(n < 0 ? String(cString: strerror(errno)) : "\(path) ended early")")
            }
            remaining -= Int64(n)
        }
    }

    /// Bytes copied between two looks at `isCancelled`.
    private static let step: Int64 = 64 << 20

    /// Copies `count` bytes of `path` from `offset` into a new file `destination`.
    static func copy(from path: String, offset: Int64, count: Int64, toNewFile destination: String,
                     isCancelled: () -> Bool = { false }) throws(Problem) {
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw Problem(description: "cannot create \(destination): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        try copy(from: path, offset: offset, count: count, to: output, output: destination, isCancelled: isCancelled)
    }
}
