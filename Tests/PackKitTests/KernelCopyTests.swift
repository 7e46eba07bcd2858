import Foundation
import XCTest
@testable import PackKit

/// `KernelCopy`: ranges of one file appended to another inside the kernel, by `copy_file_range` where the two files
/// allow it and `sendfile` where they do not.
final class KernelCopyTests: XCTestCase {
    func testRangesOfAFileAreAppendedInOrder() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let source = dir.appendingPathComponent("source").path
        // Larger than one page and not a multiple of one, so ranges cross page boundaries.
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        let output = dir.appendingPathComponent("out").path
        let file = try OutputFile(path: output)
        try file.write(Array("head".utf8))
        try KernelCopy.copy(from: source, offset: 4096, count: 8192, to: file.descriptor, output: output)
        try KernelCopy.copy(from: source, offset: 7, count: 50_000, to: file.descriptor, output: output)
        try file.write(Array("tail".utf8))
        try file.close()
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: output))),
                       Array("head".utf8) + Array(bytes[4096..<12288]) + Array(bytes[7..<50_007]) + Array("tail".utf8))

        let whole = dir.appendingPathComponent("whole").path
        try KernelCopy.copy(from: source, offset: 1, count: Int64(bytes.count - 1), toNewFile: whole)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: whole))), Array(bytes[1...]))
    }

    func testWhereCopyFileRangeCannotWriteSendfileDoes() throws {
        // copy_file_range refuses a pipe (EINVAL); sendfile writes to one.
        let dir = TestSupport.temporaryDirectory(self)
        let source = dir.appendingPathComponent("source").path
        try Data("0123456789".utf8).write(to: URL(fileURLWithPath: source))
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        defer { close(ends[0]) }
        try KernelCopy.copy(from: source, offset: 2, count: 5, to: ends[1], output: "a pipe")
        close(ends[1])
        var read = [UInt8](repeating: 0, count: 16)
        let n = Foundation.read(ends[0], &read, 16)
        XCTAssertEqual(Array(read.prefix(max(0, n))), Array("23456".utf8))
    }

    /// Bytes copied to an offset land there and leave the file's position alone (a zip's writer appends at it), by
    /// `copy_file_range` between files and through a buffer where it cannot (a device as the source).
    func testACopyToAnOffsetLeavesThePositionAlone() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let source = dir.appendingPathComponent("source").path
        let bytes = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        for (from, expected) in [(source, Array(bytes[3..<20_003])), ("/dev/zero", [UInt8](repeating: 0, count: 20_000))] {
            let output = dir.appendingPathComponent("out").path
            let file = try OutputFile(path: output)
            try file.write([UInt8](repeating: 0xFF, count: 30_000))
            try KernelCopy.copy(from: from, offset: from == source ? 3 : 0, count: 20_000, to: file.descriptor, at: 5_000, output: output)
            try file.write(Array("tail".utf8))
            try file.close()
            let written = Array(try Data(contentsOf: URL(fileURLWithPath: output)))
            XCTAssertEqual(written, [UInt8](repeating: 0xFF, count: 5_000) + expected + [UInt8](repeating: 0xFF, count: 5_000) + Array("tail".utf8), from)
        }
    }

    /// A copy asked to stop (an update that finds nothing changed while copying its database) stops with an error,
    /// between steps of 64 MB: a small copy that is never asked finishes.
    func testACopyStopsWhenCancelled() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let source = dir.appendingPathComponent("source").path
        try Data(count: 1000).write(to: URL(fileURLWithPath: source))
        XCTAssertThrowsError(try KernelCopy.copy(from: source, offset: 0, count: 1000, toNewFile: dir.appendingPathComponent("a").path,
                                                 isCancelled: { true })) { error in
            XCTAssertTrue("\(error)".contains("cancelled"), "\(error)")
        }
        var asked = 0
        try KernelCopy.copy(from: source, offset: 0, count: 1000, toNewFile: dir.appendingPathComponent("b").path,
                            isCancelled: { asked += 1; return false })
        XCTAssertEqual(asked, 1)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("b")).count, 1000)
    }

    func testAMissingSourceIsNamed() {
        XCTAssertThrowsError(try KernelCopy.copy(from: "/nonexistent/x", offset: 0, count: 1, toNewFile: NSTemporaryDirectory() + "/kc-none")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/x"), "\(error)")
        }
    }
}
