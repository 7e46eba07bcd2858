import Foundation
import XCTest
@testable import PackKit

final class ZipAssemblerTests: XCTestCase {
    func testLibzipAndPythonReadWhatItWrites() throws {
        let dir = TestSupport.temporaryDirectory(self)
        var entries: [ZipAssembler.Entry] = []
        let contents: [String: Data] = [
            "empty.txt": Data(),
            "dir/ünïcode name.bin": Data((0..<100_000).map { UInt8($0 % 251) }),
            "manifest.json": Data(#"{"a": 1}"#.utf8),
        ]
        for (i, (name, data)) in contents.sorted(by: { $0.key < $1.key }).enumerated() {
            let path = dir.appendingPathComponent("src\(i)").path
            try data.write(to: URL(fileURLWithPath: path))
            entries.append(.init(name: name, path: path))
        }
        let zip = dir.appendingPathComponent("out.zip").path
        let date = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00:00 UTC
        try ZipAssembler.write(entries, to: zip, modificationDate: date)

        let reader = try ZipArchiveReader(path: zip)  // opened with ZIP_CHECKCONS: local and central headers agree
        XCTAssertEqual(reader.entries.map(\.name), entries.map(\.name))
        for entry in reader.entries {
            XCTAssertEqual(try reader.data(of: entry), contents[entry.name], entry.name)
        }
        let python = try TestSupport.run("/usr/bin/env", ["python3", "-c", """
            import zipfile, sys
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            print(sorted((i.filename, i.file_size, i.date_time) for i in z.infolist()))
            """, zip])
        if python.status == 127 { throw XCTSkip("python3 not installed") }
        XCTAssertEqual(python.status, 0, python.stderr)
        XCTAssertTrue(python.stdout.contains("('dir/ünïcode name.bin', 100000, (2026, 1, 1, 0, 0, 0))"), python.stdout)
    }

    /// A build hands members over one at a time, each copied (and its writeback started) while later ones are still
    /// being made: the archive is the same, byte for byte, as one written whole, and every reader checks its CRCs.
    func testMembersAppendedOneAtATimeMakeTheSameArchive() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let big = dir.appendingPathComponent("big").path
        try Data((0..<300_000).map { UInt8(($0 * 7) % 253) }).write(to: URL(fileURLWithPath: big))
        let small = dir.appendingPathComponent("small").path
        try Data("{}".utf8).write(to: URL(fileURLWithPath: small))
        let entries: [ZipAssembler.Entry] = [
            .init(name: "manifest.json", path: small),
            .init(name: "vectors/big.npy", path: big),
            .init(name: "parts.bin", parts: [.bytes([1, 2, 3]), .file(path: big, offset: 10, length: 5000)]),
        ]
        let date = Date(timeIntervalSince1970: 1_767_225_600)
        let whole = dir.appendingPathComponent("whole.zip").path
        try ZipAssembler.write(entries, to: whole, modificationDate: date)
        let appended = dir.appendingPathComponent("appended.zip").path
        let writer = try ZipAssembler.Writer(path: appended, modificationDate: date)
        for entry in entries { try writer.append(entry, writeBack: true) }
        try writer.finish()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: appended)), try Data(contentsOf: URL(fileURLWithPath: whole)))

        let reader = try ZipArchiveReader(path: appended)
        XCTAssertEqual(try reader.data(of: reader.entries[2]), Data([1, 2, 3]) + (try Data(contentsOf: URL(fileURLWithPath: big)))[10..<5010])
        let python = try TestSupport.run("/usr/bin/env", ["python3", "-c", """
            import zipfile, sys
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            """, appended])
        if python.status == 127 { throw XCTSkip("python3 not installed") }
        XCTAssertEqual(python.status, 0, python.stderr)
    }

    /// A build streams its chunk vectors straight into the zip as it writes them (a header patched at the end), then
    /// appends the other members: every reader checks the CRCs, the streamed member's bytes start on the alignment
    /// boundary, and they are the bytes written, patch included.
    func testAStreamedMemberIsReadLikeACopiedOne() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let small = dir.appendingPathComponent("small").path
        try Data("{}".utf8).write(to: URL(fileURLWithPath: small))
        let zipPath = dir.appendingPathComponent("streamed.zip").path
        let writer = try ZipAssembler.Writer(path: zipPath, modificationDate: Date(timeIntervalSince1970: 1_767_225_600))
        let member = try writer.beginStreamedMember(name: "vectors/chunk_embeddings.npy")
        var expected = [UInt8](repeating: 0, count: 16)
        try member.write(expected)
        for round in 0..<12 {   // 12 MB: the reader below reads members of up to 16 MB
            let piece = (0..<(1 << 20) + round).map { UInt8(truncatingIfNeeded: $0 * 31 + round) }
            try member.write(piece)
            expected += piece
        }
        let header = [UInt8]("header-patched!!".utf8)
        try member.write(header, at: 0)
        expected.replaceSubrange(0..<16, with: header)
        XCTAssertThrowsError(try member.write(header, at: expected.count - 8), "a patch past the end is refused")
        try member.close()
        XCTAssertThrowsError(try member.write(header), "nothing is appended to a closed member")
        try writer.append(.init(name: "manifest.json", path: small))
        try writer.finish()

        XCTAssertEqual(member.dataOffset % Int64(PackLayout.memberAlignment), 0)
        let reader = try ZipArchiveReader(path: zipPath)  // ZIP_CHECKCONS: local and central headers agree
        XCTAssertEqual(reader.entries.map(\.name), ["vectors/chunk_embeddings.npy", "manifest.json"])
        XCTAssertEqual(try reader.data(of: reader.entries[0]), Data(expected))
        XCTAssertEqual(try Self.pythonSize(of: "vectors/chunk_embeddings.npy", in: zipPath), expected.count)
    }

    /// The size Python's `zipfile` gives `member` after `testzip()` found every member's CRC right (skips without
    /// python3).
    static func pythonSize(of member: String, in zipPath: String) throws -> Int? {
        let python = try TestSupport.run("/usr/bin/env", ["python3", "-c", """
            import zipfile, sys
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            print(z.getinfo(sys.argv[2]).file_size)
            """, zipPath, member])
        if python.status == 127 { throw XCTSkip("python3 not installed") }
        XCTAssertEqual(python.status, 0, python.stderr)
        return Int(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A streamed member must be closed before the next member begins: the archive is not written with half a member.
    func testAMemberStillBeingStreamedStopsTheNextAppend() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let writer = try ZipAssembler.Writer(path: dir.appendingPathComponent("open.zip").path, modificationDate: Date())
        let member = try writer.beginStreamedMember(name: "a.bin")
        try member.write([UInt8](repeating: 1, count: 10))
        XCTAssertThrowsError(try writer.finish()) { error in
            XCTAssertTrue("\(error)".contains("a.bin was still being written"), "\(error)")
        }
    }

    func testDOSTimeIsUTCAndClamped() {
        let t = ZipAssembler.dosDateTime(Date(timeIntervalSince1970: 1_767_225_600 + 3661))
        XCTAssertEqual(t.time, UInt16(1 << 11 | 1 << 5 | 0))
        XCTAssertEqual(t.date, UInt16((2026 - 1980) << 9 | 1 << 5 | 1))
        XCTAssertEqual(ZipAssembler.dosDateTime(Date(timeIntervalSince1970: 0)).date, UInt16(0 << 9 | 1 << 5 | 1))
    }
}
