import Foundation
import XCTest
@testable import PackKit

/// Members written far out in a zip while others are still being written (a build writes its database, section
/// vectors and lexical documents at once), then moved into place: in place where the file system removes ranges
/// (ext4, XFS), else by copying. Either way the zip is the one a plain writer makes, and every reader reads it.
final class ParkedMemberTests: XCTestCase {
    static let date = Date(timeIntervalSince1970: 1_767_225_600)

    static func bytes(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 * 131 + seed * 7 + $0 >> 9) }
    }

    /// Streams "first", parks "late" and "later" and writes them interleaved, appends a file, adopts both.
    func writeZip(at path: String, parking: ZipAssembler.Writer.Parking, small: String) throws -> ZipAssembler.Writer {
        let writer = try ZipAssembler.Writer(path: path, modificationDate: Self.date, parking: parking)
        let first = try writer.beginStreamedMember(name: "first.bin")
        try first.write(Self.bytes(100_000, seed: 1))
        try first.close()
        guard let late = try writer.parkMember(name: "late.bin"), let later = try writer.parkMember(name: "later.json") else {
            return writer
        }
        for round in 0..<6 {
            try later.write(Self.bytes(500_000, seed: 10 + round))
            try late.write(Self.bytes(200_000 + round, seed: 20 + round))
        }
        try late.write([UInt8]("patched".utf8), at: 3)
        try late.close()
        XCTAssertThrowsError(try writer.adopt([later]), "a member still being written is not adopted")
        try later.close()
        try writer.append(.init(name: "manifest.json", path: small))
        try writer.adopt([late, later])
        try writer.finish()
        return writer
    }

    func testParkedMembersEndUpAsIfWrittenInOrder() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let small = dir.appendingPathComponent("small.json").path
        try Data("{}".utf8).write(to: URL(fileURLWithPath: small))
        var late: [UInt8] = []
        for round in 0..<6 { late += Self.bytes(200_000 + round, seed: 20 + round) }
        late.replaceSubrange(3..<10, with: [UInt8]("patched".utf8))
        let later = (0..<6).flatMap { Self.bytes(500_000, seed: 10 + $0) }

        let moved = dir.appendingPathComponent("moved.zip").path
        let copied = dir.appendingPathComponent("copied.zip").path
        let movedWriter = try writeZip(at: moved, parking: .whereRangesCollapse, small: small)
        _ = try writeZip(at: copied, parking: .copying, small: small)
        for path in [moved, copied] where path == copied || movedWriter.parks {
            let reader = try ZipArchiveReader(path: path)  // ZIP_CHECKCONS: local and central headers agree
            XCTAssertEqual(reader.entries.map(\.name), ["first.bin", "manifest.json", "late.bin", "later.json"])
            XCTAssertEqual(try reader.data(of: reader.entries[0]), Data(Self.bytes(100_000, seed: 1)))
            XCTAssertEqual(try reader.data(of: reader.entries[2]), Data(late))
            XCTAssertEqual(try reader.data(of: reader.entries[3]), Data(later))
            // No room is left behind: the file ends with the central directory, and holds no more blocks than bytes.
            var info = stat()
            XCTAssertEqual(stat(path, &info), 0)
            XCTAssertLessThan(Int(info.st_size), 4_600_000, path)
            XCTAssertLessThan(Int(info.st_blocks) * 512, 4_700_000, path)
            XCTAssertEqual(try ZipAssemblerTests.pythonSize(of: "late.bin", in: path), late.count)
        }
        if movedWriter.parks {
            // Moved in place or copied down: the same bytes.
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: moved)), try Data(contentsOf: URL(fileURLWithPath: copied)))
        } else {
            print("ParkedMemberTests: \(dir.path) is on a file system that does not remove ranges in place; checked the copying path only")
        }
    }

    func testAParkedMemberMustBeAdoptedBeforeTheZipIsFinished() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let writer = try ZipAssembler.Writer(path: dir.appendingPathComponent("open.zip").path, modificationDate: Self.date, parking: .copying)
        let member = try XCTUnwrap(try writer.parkMember(name: "docs.json"))
        try member.write([UInt8]("[]".utf8))
        try member.close()
        XCTAssertThrowsError(try writer.finish()) { error in
            XCTAssertTrue("\(error)".contains("docs.json was parked and never adopted"), "\(error)")
        }
        let never = try ZipAssembler.Writer(path: dir.appendingPathComponent("never.zip").path, modificationDate: Self.date, parking: .never)
        XCTAssertNil(try never.parkMember(name: "docs.json"), "no parking: the caller writes a file of its own")
    }

    /// A database written through `ParkedDatabaseVFS` into a parked member, by two connections one after the other
    /// (the second with a rollback journal, as a build carries an old pack's summaries), reads back from the zip
    /// as a whole, consistent SQLite file.
    func testADatabaseWrittenIntoAParkedMemberIsWholeInTheZip() throws {
        let dir = TestSupport.temporaryDirectory(self)
        for parking in [ZipAssembler.Writer.Parking.whereRangesCollapse, .copying] {
            let zipPath = dir.appendingPathComponent("db-\(parking).zip").path
            let writer = try ZipAssembler.Writer(path: zipPath, modificationDate: Self.date, parking: parking)
            guard let member = try writer.parkMember(name: "pack.sqlite") else { continue }
            let path = dir.appendingPathComponent("pack-\(parking).sqlite").path
            ParkedDatabaseVFS.register(path: path, member: member)
            defer { ParkedDatabaseVFS.unregister(path: path) }
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
            do {
                let db = try SQLiteDatabase(path: path, mode: .readWriteCreate)
                // A tiny page cache: pages spill into the member in any order while rows go in.
                try db.execute("PRAGMA journal_mode=OFF; PRAGMA cache_size=8; CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT)")
                try db.execute("CREATE INDEX t_text ON t(text)")
                try db.transaction {
                    let insert = try db.prepare("INSERT INTO t (text) VALUES (?1)")
                    for i in 0..<20_000 {
                        insert.reset(); insert.bind(1, "row \(i * 7919 % 20_011) of the parked database")
                        try insert.run()
                    }
                }
                try db.execute("PRAGMA journal_mode=DELETE")
            }
            do {
                let second = try SQLiteDatabase(path: path, mode: .readWriteCreate)
                try second.transaction { try second.execute("DELETE FROM t WHERE id % 2 = 0") }
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-journal"), "the journal went with its commit")
            XCTAssertEqual(try SQLiteDatabase(path: path, mode: .readOnly(immutable: true)).strings("SELECT count(*) FROM t"), ["10000"])
            try member.close()
            try writer.adopt([member])
            try writer.finish()

            let archive = try PackArchive(path: zipPath)
            let region = try XCTUnwrap(archive.region("pack.sqlite"))
            let read = try SQLiteDatabase(path: region.name, mode: .region(region))
            XCTAssertEqual(try read.strings("PRAGMA integrity_check"), ["ok"], "\(parking)")
            XCTAssertEqual(try read.strings("SELECT count(*) FROM t"), ["10000"])
            XCTAssertEqual(try read.strings("SELECT text FROM t WHERE id = 3"), ["row \(2 * 7919 % 20_011) of the parked database"])
        }
    }
}
