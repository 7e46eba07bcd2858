import Foundation
import XCTest
@testable import PackKit

final class HeapPolicyTests: XCTestCase {
    /// Whether the middle page of the `bytes`-byte block at `address` is still mapped into this process: `mincore`
    /// fails (ENOMEM) on a page that is not. Asked of the kernel's mappings rather than of resident-memory counters,
    /// which sandboxed kernels report coarsely or not at all.
    private func isMapped(_ address: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        // The middle page: the first may share a page with the allocator's header of the block.
        let middle = (Int(bitPattern: address) + bytes / 2) & ~(page - 1)
        guard let pointer = UnsafeMutableRawPointer(bitPattern: middle) else { return false }
        var residency: UInt8 = 0
        return mincore(pointer, page, &residency) == 0
    }

    /// By default glibc keeps a freed multi-megabyte block in its heap once one of that size was freed before (its
    /// mmap threshold follows the largest block freed): a build's per-batch arrays then stay in the process. With
    /// the build's policy each is unmapped, given back to the system, when freed.
    func testFreedLargeArraysGoBackToTheSystem() throws {
        #if os(Linux)
        XCTAssertTrue(HeapPolicy.returnBlocks(), "glibc's mallopt was not found")
        let bytes = 16 << 20
        for round in 0..<4 {
            let block = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
            memset(block, Int32(round + 1), bytes)
            XCTAssertTrue(isMapped(block, bytes: bytes), "round \(round): a live block reads as unmapped: the test measures nothing")
            block.deallocate()
            XCTAssertFalse(isMapped(block, bytes: bytes), "round \(round): a freed 16 MB block stayed in the process")
        }
        #else
        throw XCTSkip("the policy applies to glibc's allocator")
        #endif
    }
}
