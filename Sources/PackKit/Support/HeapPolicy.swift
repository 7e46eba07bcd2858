import Foundation

/// How glibc's allocator gives memory back, for long, memory-hungry work (a pack build).
///
/// By default glibc raises its mmap threshold to the largest block freed (up to 32 MB): the multi-megabyte arrays a
/// build's worker threads allocate for each batch of videos and free again then come from the heap, and their freed
/// pages stay resident in the threads' arenas. Blocks of 256 KiB and more mapped on their own instead go back to the
/// system when freed. Measured on the synthetic 5,000-hour channel, `pack build` paired with the build before
/// (`farm-bench -n 3`): peak RSS 504 → 464 MiB, wall time ratio 1.02 (pairs 0.85-1.11: within the machine's spread);
/// single runs: default 508 MiB, 256 KiB 457 MiB, 1 MiB 463 MiB, 4 MiB 491 MiB. A MiniLM build (hf-course), whose
/// batches allocate large activations, is not slowed: paired wall ratio 1.01 (0.99-1.03), system time equal.
/// `pack build --update` peaks in mapped members of the old pack, which this does not change (886 → 879 MiB).
public enum HeapPolicy {
    private typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
    /// Swift's Glibc module does not declare `mallopt` (malloc.h): found by name; absent elsewhere.
    private static let mallopt = CFunction.named("mallopt", as: MallOpt.self)

    /// malloc.h's M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
    private static let trimThreshold: Int32 = -1
    private static let mmapThreshold: Int32 = -3

    /// Blocks of at least `bytes` are mapped on their own and unmapped when freed, and free memory at the top of
    /// the heap past `bytes` is returned. Returns false where the allocator has no such settings.
    @discardableResult
    public static func returnBlocks(atLeast bytes: Int32 = 256 << 10) -> Bool {
        guard let mallopt else { return false }
        return mallopt(mmapThreshold, bytes) == 1 && mallopt(trimThreshold, bytes) == 1
    }
}
