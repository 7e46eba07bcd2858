import Foundation

/// Removes a range of a file in place, moving what follows it down, without copying (Linux
/// `fallocate(FALLOC_FL_COLLAPSE_RANGE)`: ext4 and XFS move extents). File systems without it (tmpfs, btrfs, NFS)
/// say so, and the caller copies instead.
enum FileRangeCollapse {
    private typealias Fallocate = @convention(c) (Int32, Int32, Int64, Int64) -> Int32
    /// Swift's Glibc module does not declare it (it needs _GNU_SOURCE): found by name.
    private static let fallocate = CFunction.named("fallocate", as: Fallocate.self)
    private static let collapseRange: Int32 = 0x08

    private typealias FStatFS = @convention(c) (Int32, UnsafeMutableRawPointer) -> Int32
    /// `sys/vfs.h` is not in Swift's Glibc module either.
    private static let fstatfs = CFunction.named("fstatfs", as: FStatFS.self)

    /// Whether the file system of `fd` is one known to remove ranges in place and to keep unwritten room sparse
    /// (ext4, XFS). Elsewhere room far out in a file may be written out as zeros (exFAT, FAT) or refused.
    static func isSupported(_ fd: Int32) -> Bool {
        guard let fstatfs else { return false }
        // `struct statfs` is 120 bytes on 64-bit Linux and starts with the file system's magic number (a long).
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 8)
        defer { buffer.deallocate() }
        guard fstatfs(fd, buffer) == 0 else { return false }
        let magic = buffer.load(as: Int.self)
        return magic == 0xEF53 || magic == 0x5846_5342  // ext2/3/4, XFS
    }

    /// Removes `count` bytes at `offset`. False when the file system cannot (or not at this offset and length:
    /// both must be multiples of its block size, and the range must end before the end of the file).
    static func collapse(_ fd: Int32, offset: Int64, count: Int64) -> Bool {
        guard count > 0 else { return true }
        guard let fallocate else { return false }
        while true {
            if fallocate(fd, collapseRange, offset, count) == 0 { return true }
            if errno != EINTR { return false }
        }
    }
}
