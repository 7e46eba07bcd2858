import Foundation
import XCTest
@testable import PackKit

final class HeapPolicyTests: XCTestCase {
    static let childVariable = "YTCE_HEAP_POLICY_TEST_ALONE"

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
    ///
    /// The policy decides how the heap grows, so it is checked in a process of its own (this test binary running this
    /// test alone): in the suite's process, hundreds of tests before it may have left free space in the heap that a
    /// 16 MB block is carved from whatever the policy says (a clean clone's run failed so).
    func testFreedLargeArraysGoBackToTheSystem() throws {
        #if os(Linux)
        guard ProcessInfo.processInfo.environment[Self.childVariable] != nil else {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["PackKitTests.HeapPolicyTests/testFreedLargeArraysGoBackToTheSystem"]
            child.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: "1"]) { $1 }
            let output = Pipe()
            child.standardOutput = output
            child.standardError = output
            try child.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            child.waitUntilExit()
            XCTAssertEqual(child.terminationStatus, 0, text)
            XCTAssertTrue(text.contains("Executed 1 test, with 0 failures"), "the test did not run alone: \(text)")
            return
        }
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
