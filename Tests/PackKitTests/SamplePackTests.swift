import Foundation
import XCTest
@testable import PackKit

/// The committed sample pack is exactly what today's builder makes from the committed sample input.
final class SamplePackTests: XCTestCase {
    func testCommittedSamplePackMatchesAFreshBuild() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let samples = TestSupport.repoRoot.appendingPathComponent("sample-packs")
        let committed = samples.appendingPathComponent("coffee-lab.pack")
        let manifest = try TestSupport.open(committed.path, cacheIn: dir).manifest
        // The committed pack was built with SOURCE_DATE_EPOCH; rebuild with the same instant.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try XCTUnwrap(formatter.date(from: manifest.createdAt.replacingOccurrences(of: ".000000", with: ".000")))
        let fresh = dir.appendingPathComponent("fresh.pack")
        _ = try PackBuilder(buildDate: date).build(input: samples.appendingPathComponent("coffee-lab"), output: fresh)

        func contents(_ path: URL) throws -> [String: String] {
            Dictionary(uniqueKeysWithValues: try ZipArchiveReader(path: path.path).entries.map { ($0.name, "\($0.uncompressedSize) bytes, crc \($0.crc32)") })
        }
        XCTAssertEqual(try contents(fresh), try contents(committed),
                       "sample-packs/coffee-lab.pack is stale: rebuild it with `SOURCE_DATE_EPOCH=1767225600 ytce pack build --input sample-packs/coffee-lab --out sample-packs/coffee-lab.pack`")
    }

    func testSampleChannelIsComplete() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let pack = try TestSupport.open(TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path, cacheIn: dir)
        XCTAssertEqual(pack.counts.videos, 5)
        XCTAssertEqual(pack.counts.videosWithTranscript, 5)
        XCTAssertEqual(try pack.database.scalarInt("SELECT count(DISTINCT video_id) FROM section"), 5)
        // Chapters from descriptions become titled sections.
        XCTAssertGreaterThan(try pack.database.scalarInt("SELECT count(*) FROM section WHERE title NOT LIKE 'Section %'") ?? 0, 10)
    }
}
