import Foundation

/// Starts the kernel writing a file's range to disk without waiting for it (Linux `sync_file_range` with
/// `SYNC_FILE_RANGE_WRITE`): a later fsync then finds most pages clean. Does nothing where the call is missing.
enum WriteBack {
    private typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    /// Swift's Glibc module does not declare it (it needs _GNU_SOURCE): found by name.
    private static let syncFileRange = CFunction.named("sync_file_range", as: SyncFileRange.self)

    /// SYNC_FILE_RANGE_WRITE: start writeback of dirty pages in the range, do not wait.
    private static let write: UInt32 = 2

    static func start(_ fd: Int32, offset: Int64, count: Int64) {
        guard count > 0, let syncFileRange else { return }
        _ = syncFileRange(fd, offset, count, write)
    }
}
