#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// C's `stdout`, which `print` writes through, is a shared mutable global to Swift 6; it is set once, before any task.
enum StandardOutput {
    /// Each line reaches the file or pipe when printed, not when a 4 KiB block fills.
    static func lineBuffered() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
