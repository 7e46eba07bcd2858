import Foundation
import XCTest
@testable import PackKit

/// `MappedRegion.populate`: the pages a scan is about to read are mapped in one call, not the whole region;
/// `release`: the pages a pass has read leave the resident set, and read again they are the file's bytes.
final class MappedRegionTests: XCTestCase {
    static let page = Int(MappedRegion.pageSize)

    /// A file of `pages` pages with a region starting `lead` bytes into its second page (as a pack's member does).
    func region(pages: Int, lead: Int) throws -> FileRegion {
        let path = TestSupport.temporaryDirectory(self).appendingPathComponent("region.bin").path
        let bytes = (0..<(pages * Self.page)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try FileRegion.file(atPath: path)
        let start = Int64(Self.page + lead)
        return FileRegion(file: file.file, offset: start, length: file.length - start, name: "region")
    }

    /// Resident pages of the mapping that holds `address`, from /proc/self/smaps.
    func residentBytes(of address: UnsafeRawPointer) throws -> Int {
        // Read to the end: /proc files report no size, so readers that trust the size stop early.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/smaps") else { throw XCTSkip("no /proc/self/smaps") }
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let target = UInt(bitPattern: address)
        var inside = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                let ends = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = ends.count == 2 && ends[0] <= target && target < ends[1]
            } else if inside, fields.first == "Rss:", fields.count >= 2, let kb = Int(fields[1]) {
                return kb * 1024
            }
        }
        throw XCTSkip("no mapping of the region in /proc/self/smaps")
    }

    /// MADV_POPULATE_READ came with Linux 5.14: asked of a page of anonymous memory, an older kernel says EINVAL.
    func skipUnlessTheKernelPopulates() throws {
        guard let page = mmap(nil, Self.page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), page != MAP_FAILED else { return }
        defer { munmap(page, Self.page) }
        if madvise(page, Self.page, 22) != 0 { throw XCTSkip("this kernel does not take MADV_POPULATE_READ (Linux 5.14)") }
    }

    func testPopulateMapsTheRangesPagesNotTheWholeRegion() throws {
        let mapped = try region(pages: 64, lead: 100).map()
        // MAP_SHARED of a file: nothing is resident before a read.
        XCTAssertEqual(try residentBytes(of: mapped.base), 0)
        // Bytes 10 pages into the region, 8 pages long (not page-aligned at either end: 9 pages hold them).
        let lower = 10 * Self.page + 7
        mapped.populate(lower..<(lower + 8 * Self.page))
        try skipUnlessTheKernelPopulates()
        let resident = try residentBytes(of: mapped.base)
        // Those 9 pages at least; the kernel may map a few around them (fault-around, 64 KiB by default), not all 63.
        XCTAssertGreaterThanOrEqual(resident, 9 * Self.page)
        XCTAssertLessThanOrEqual(resident, 40 * Self.page)
        // The bytes read through the mapping are the file's.
        XCTAssertEqual(mapped.bytes[lower], UInt8(truncatingIfNeeded: (Self.page + 100 + lower) &* 31))
    }

    func testPopulateClampsToTheRegion() throws {
        let mapped = try region(pages: 8, lead: 0).map()
        mapped.populate(-5..<(mapped.count + 10 * Self.page))
        mapped.populate(mapped.count..<(mapped.count + 1))
        mapped.populate(3..<3)
        try skipUnlessTheKernelPopulates()
        XCTAssertEqual(try residentBytes(of: mapped.base), 7 * Self.page)
    }

    func testReleaseLetsGoOfTheWholePagesOfARangeRead() throws {
        let mapped = try region(pages: 64, lead: 100).map()
        var sum = 0
        for i in stride(from: 0, to: mapped.count, by: 512) { sum &+= Int(mapped.bytes[i]) }
        XCTAssertEqual(try residentBytes(of: mapped.base), 63 * Self.page, "every page of the region was read")
        // 20 pages from 7 bytes into the region's second page: the 19 whole pages inside go, the partial ones stay.
        let lower = Self.page + 7
        mapped.release(lower..<(lower + 20 * Self.page))
        XCTAssertEqual(try residentBytes(of: mapped.base), (63 - 19) * Self.page)
        // Out of range and empty ranges are clamped or ignored; then the rest goes.
        mapped.release(-5..<3)
        mapped.release(9..<9)
        mapped.release(0..<(mapped.count + 10 * Self.page))
        XCTAssertLessThanOrEqual(try residentBytes(of: mapped.base), Self.page, "at most the page that holds the region's first bytes")
        // Read again, the bytes are the file's.
        var again = 0
        for i in stride(from: 0, to: mapped.count, by: 512) { again &+= Int(mapped.bytes[i]) }
        XCTAssertEqual(again, sum)
        XCTAssertEqual(mapped.bytes[lower], UInt8(truncatingIfNeeded: (Self.page + 100 + lower) &* 31))
    }
}
