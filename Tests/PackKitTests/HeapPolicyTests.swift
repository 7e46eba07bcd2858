import Foundation
import XCTest
@testable import PackKit

final class HeapPolicyTests: XCTestCase {
    /// Resident bytes of this process (/proc/self/statm: pages).
    private func residentBytes() throws -> Int {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// By default glibc keeps a freed multi-megabyte block in its heap once one of that size was freed before (its
    /// mmap threshold follows the largest block freed): a build's per-batch arrays then stay resident. With the
    /// build's policy each goes back to the system when freed.
    func testFreedLargeArraysGoBackToTheSystem() throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/statm") else { throw XCTSkip("needs /proc (Linux)") }
        XCTAssertTrue(HeapPolicy.returnBlocks(), "glibc's mallopt was not found")
        let before = try residentBytes()
        var peak = 0
        for round in 0..<4 {
            let block = UnsafeMutableRawPointer.allocate(byteCount: 16 << 20, alignment: 16)
            memset(block, Int32(round + 1), 16 << 20)   // touched: resident
            peak = max(peak, try residentBytes())
            block.deallocate()
        }
        let after = try residentBytes()
        XCTAssertGreaterThan(peak - before, 12 << 20, "the block was never resident: the test measures nothing")
        XCTAssertLessThan(after - before, 8 << 20, "a freed 16 MB block stayed resident (\((after - before) >> 20) MB)")
    }
}
