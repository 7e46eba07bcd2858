import Foundation
import XCTest
@testable import PackKit

/// Every kind of broken pack gets a one-line error naming the problem, and nothing is written outside the cache.
final class BadPackTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
    }

    /// The files of the reference demo pack, to assemble variations from.
    func demoFiles() throws -> [String: Data] {
        let archive = try ZipArchiveReader(path: try TestSupport.referencePack("demo_channel.pack"))
        var files: [String: Data] = [:]
        for entry in archive.entries { files[entry.name] = try archive.data(of: entry) }
        XCTAssertEqual(files.count, 5)
        return files
    }

    /// Writes a zip holding `files` (name → bytes) and returns its path.
    func zip(_ files: [String: Data], name: String = "bad.pack", compression: ZipArchiveWriter.Compression = .deflate(level: 6)) throws -> String {
        let staging = dir.appendingPathComponent("staging-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        let writer = try ZipArchiveWriter(path: path)
        for (i, (entry, data)) in files.sorted(by: { $0.key < $1.key }).enumerated() {
            let source = staging.appendingPathComponent("\(i)")
            try data.write(to: source)
            try writer.addFile(at: source.path, as: entry, compression: compression)
        }
        try writer.close()
        return path
    }

    /// The files of the demo channel as ytce builds it (with its lexical index and span table).
    func builtDemoFiles() throws -> [String: Data] {
        let output = dir.appendingPathComponent("build-\(UUID().uuidString.prefix(6))").appendingPathComponent("demo.pack")
        _ = try PackBuilder().build(input: try TestSupport.shared("fixtures/demo_channel"), output: output)
        let archive = try ZipArchiveReader(path: output.path)
        var files: [String: Data] = [:]
        for entry in archive.entries { files[entry.name] = try archive.data(of: entry) }
        return files
    }

    /// Runs `sql` on the pack's database (a real SQLite file) and puts the result back.
    func changeDatabase(_ files: inout [String: Data], _ sql: String) throws {
        let staging = dir.appendingPathComponent("changed-\(UUID().uuidString.prefix(6)).sqlite")
        try XCTUnwrap(files[PackLayout.database]).write(to: staging)
        let db = try SQLiteDatabase(path: staging.path, mode: .readWriteCreate)
        try db.execute(sql)
        files[PackLayout.database] = try Data(contentsOf: staging)
    }

    func npy(rows: Int, columns: Int, claimRows: Int? = nil) -> Data {
        var data = Data(NpyHeader.encode(rows: claimRows ?? rows, columns: columns))
        data.append(Data(count: rows * columns * 4))
        return data
    }

    func testNotAZip() throws {
        let path = dir.appendingPathComponent("text.pack").path
        try Data("just some text, not an archive\n".utf8).write(to: URL(fileURLWithPath: path))
        let message = TestSupport.assertOpenFails(path, cacheIn: dir, kind: .notAZip)
        XCTAssertTrue(message.contains("not a zip"), message)
    }

    func testTruncatedZip() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: try TestSupport.referencePack("py4e.pack")))
        let path = dir.appendingPathComponent("truncated.pack").path
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        let message = TestSupport.assertOpenFails(path, cacheIn: dir, kind: .truncated)
        XCTAssertTrue(message.contains("truncated"), message)
    }

    func testMissingManifestOrDatabase() throws {
        var files = try demoFiles()
        files[PackLayout.manifest] = nil
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files, name: "a.pack"), cacheIn: dir, kind: .missingEntry).contains("manifest.json"))
        files = try demoFiles()
        files[PackLayout.database] = nil
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files, name: "b.pack"), cacheIn: dir, kind: .missingEntry).contains("pack.sqlite"))
    }

    func testManifestOfTheWrongShape() throws {
        var files = try demoFiles()
        files[PackLayout.manifest] = Data("[1, 2, 3]".utf8)
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files, name: "a.pack"), cacheIn: dir, kind: .badManifest).contains("JSON object"))

        var manifest = try JSONValue.parse(try demoFiles()[PackLayout.manifest]!)
        guard case .object(var object) = manifest else { return XCTFail() }
        object["embedding_dim"] = .string("wide")
        manifest = .object(object)
        files[PackLayout.manifest] = Data(JSONValue.serialize(manifest).utf8)
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files, name: "b.pack"), cacheIn: dir, kind: .badManifest).contains("'embedding_dim'"))

        object["embedding_dim"] = .number(384)
        object["channel_id"] = nil
        files[PackLayout.manifest] = Data(JSONValue.serialize(.object(object)).utf8)
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files, name: "c.pack"), cacheIn: dir, kind: .badManifest).contains("'channel_id'"))

        files[PackLayout.manifest] = Data("{\"pack_version\": 1,\n\"schema_version\": 1,\n\"created_at\": oops}".utf8)
        let syntax = TestSupport.assertOpenFails(try zip(files, name: "d.pack"), cacheIn: dir, kind: .badManifest)
        XCTAssertTrue(syntax.contains("not valid JSON: line 3"), syntax)
    }

    func testVectorsThatDisagreeWithTheDatabaseOrManifest() throws {
        var files = try demoFiles()
        files[PackLayout.chunkEmbeddings] = npy(rows: 10, columns: 384)  // the database has 11 chunks
        let rows = TestSupport.assertOpenFails(try zip(files, name: "a.pack"), cacheIn: dir, kind: .badVectors)
        XCTAssertTrue(rows.contains("10 rows") && rows.contains("11 rows"), rows)

        files = try demoFiles()
        files[PackLayout.sectionEmbeddings] = npy(rows: 5, columns: 128)
        let dim = TestSupport.assertOpenFails(try zip(files, name: "b.pack"), cacheIn: dir, kind: .badVectors)
        XCTAssertTrue(dim.contains("128") && dim.contains("384"), dim)
    }

    func testNpyHeaderThatLies() throws {
        var files = try demoFiles()
        files[PackLayout.chunkEmbeddings] = npy(rows: 11, columns: 384, claimRows: 5000)
        let message = TestSupport.assertOpenFails(try zip(files, name: "a.pack"), cacheIn: dir, kind: .badVectors)
        XCTAssertTrue(message.contains("5000"), message)

        var garbage = Data(NpyHeader.magic)
        garbage.append(contentsOf: [1, 0, 0xFF, 0xFF])  // header length far past the end
        files[PackLayout.chunkEmbeddings] = garbage
        XCTAssertEqual(TestSupport.assertOpenFails(try zip(files, name: "b.pack"), cacheIn: dir, kind: .badVectors).isEmpty, false)

        var bigEndian = Data("\u{93}NUMPY".utf8.dropFirst(0))
        bigEndian = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let header = "{'descr': '>f4', 'fortran_order': False, 'shape': (11, 384), }".padding(toLength: 117, withPad: " ", startingAt: 0) + "\n"
        bigEndian.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        bigEndian.append(Data(header.utf8))
        bigEndian.append(Data(count: 11 * 384 * 4))
        files[PackLayout.chunkEmbeddings] = bigEndian
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files, name: "c.pack"), cacheIn: dir, kind: .badVectors).contains("'>f4'"))
    }

    func testEntriesThatEscapeTheCacheAreRefused() throws {
        for (i, evil) in ["../escaped.txt", "/tmp/ytce-absolute-\(getpid()).txt", "vectors/../../escaped2.txt", "C:/windows.txt"].enumerated() {
            var files = try demoFiles()
            files[evil] = Data("gotcha".utf8)
            let message = TestSupport.assertOpenFails(try zip(files, name: "evil\(i).pack"), cacheIn: dir, kind: .unsafeEntry)
            XCTAssertTrue(message.contains("unsafe"), message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("escaped.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/ytce-absolute-\(getpid()).txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cache/escaped.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("escaped2.txt").path))
    }

    func testZipBombsAndAbsurdSizesAreRefused() throws {
        var files = try demoFiles()
        files["vectors/padding.bin"] = Data(count: 80 << 20)  // 80 MiB of zeros deflate about 1000:1
        let bomb = try zip(files, name: "bomb.pack", compression: .deflate(level: 9))
        let message = TestSupport.assertOpenFails(bomb, cacheIn: dir, kind: .tooLarge)
        XCTAssertTrue(message.contains("zip bomb"), message)

        let small = PackCache(directory: dir.appendingPathComponent("small-cache"), maxUnpackedBytes: 20_000)
        XCTAssertThrowsError(try ChannelPack.open(try TestSupport.referencePack("demo_channel.pack"), options: .init(cache: small))) { error in
            XCTAssertEqual((error as? PackError)?.kind, .tooLarge, "\(error)")
        }
    }

    func testDatabaseThatFailsItsIntegrityCheck() throws {
        let source = try TestSupport.open(try TestSupport.referencePack("py4e.pack"), cacheIn: dir.appendingPathComponent("source"))
        var files: [String: Data] = [:]
        for name in [PackLayout.manifest, PackLayout.database, PackLayout.sectionEmbeddings, PackLayout.chunkEmbeddings] {
            files[name] = try XCTUnwrap(try source.files.data(name, limit: 1 << 30))
        }
        var database = files[PackLayout.database]!
        let page = 300 * 4096
        database.replaceSubrange((page + 8)..<(page + 200), with: Data(repeating: 0xAB, count: 192))
        files[PackLayout.database] = database
        let message = TestSupport.assertOpenFails(try zip(files), cacheIn: dir, kind: .corruptDatabase)
        XCTAssertTrue(message.contains("integrity"), message)
    }

    func testDatabaseThatIsNotSQLite() throws {
        var files = try demoFiles()
        files[PackLayout.database] = Data(repeating: 0x42, count: 8192)
        TestSupport.assertOpenFails(try zip(files), cacheIn: dir, kind: .corruptDatabase)
    }

    func testMissingTableOrColumn() throws {
        let staging = dir.appendingPathComponent("db.sqlite")
        let db = try SQLiteDatabase(path: staging.path, mode: .readWriteCreate)
        try db.execute(PackSchema.createTables)
        try db.execute("DROP TABLE summary")
        var files = try demoFiles()
        files[PackLayout.database] = try Data(contentsOf: staging)
        files[PackLayout.chunkEmbeddings] = npy(rows: 0, columns: 384)
        files[PackLayout.sectionEmbeddings] = npy(rows: 0, columns: 384)
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files, name: "a.pack"), cacheIn: dir, kind: .missingTable).contains("'summary'"))

        try db.execute("CREATE TABLE summary (summary_id INTEGER PRIMARY KEY, video_id TEXT, text TEXT)")
        files[PackLayout.database] = try Data(contentsOf: staging)
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files, name: "b.pack"), cacheIn: dir, kind: .missingColumn).contains("'kind'"))
    }

    func testMissingPath() {
        TestSupport.assertOpenFails(dir.appendingPathComponent("nope.pack").path, cacheIn: dir, kind: .notFound)
    }

    func testHashModelWithWrongDimension() throws {
        var files = try demoFiles()
        guard case .object(var object) = try JSONValue.parse(files[PackLayout.manifest]!) else { return XCTFail() }
        object["embedding_model_id"] = .string("hash-256")
        files[PackLayout.manifest] = Data(JSONValue.serialize(.object(object)).utf8)
        XCTAssertTrue(TestSupport.assertOpenFails(try zip(files), cacheIn: dir, kind: .embeddingMismatch).contains("hash-256"))
    }

    /// ytce's own per-video span table must agree with the rows it describes, or counts would be wrong.
    func testSpanTableThatLies() throws {
        var files = try builtDemoFiles()
        try changeDatabase(&files, "UPDATE ytce_video_span SET chunk_count = chunk_count + 5 WHERE video_id = 'vid001'")
        let message = TestSupport.assertOpenFails(try zip(files), cacheIn: dir, kind: .corruptDatabase)
        XCTAssertTrue(message.contains("ytce_video_span"), message)
    }

    /// A lexical index that does not describe the pack's chunks is refused by search with a one-line error,
    /// never used to rank rows it does not know.
    func testLexicalIndexThatLies() throws {
        var files = try builtDemoFiles()
        let builder = LexicalIndexBuilder()
        for _ in 0..<3 { builder.add(terms: ["coffe"]) }
        let staging = dir.appendingPathComponent("lying.bin")
        try builder.write(to: staging.path)
        files[PackLayout.lexicalIndex] = try Data(contentsOf: staging)
        let pack = try TestSupport.open(try zip(files), cacheIn: dir)
        XCTAssertThrowsError(try Retriever(pack: pack, cache: TestSupport.cache(in: dir))) { error in
            XCTAssertTrue("\(error)".contains("ytce_lexical_index.v1.bin indexes 3 chunks but pack.sqlite holds"), "\(error)")
        }
    }

    // MARK: Numbers from the file that would overflow (each trapped before it was checked)

    /// A term whose postings offset is near Int.max: the sum with the postings section's offset overflowed.
    func testLexicalIndexWhosePostingsOffsetOverflows() throws {
        var files = try builtDemoFiles()
        var index = try XCTUnwrap(files[PackLayout.lexicalIndex])
        let termTable = Int(index.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 40, as: UInt64.self)) })
        withUnsafeBytes(of: UInt64(0x7FFF_FFFF_FFFF_FFF8).littleEndian) { index.replaceSubrange((termTable + 16)..<(termTable + 24), with: $0) }
        files[PackLayout.lexicalIndex] = index
        let pack = try TestSupport.open(try zip(files), cacheIn: dir)
        XCTAssertThrowsError(try Retriever(pack: pack, cache: TestSupport.cache(in: dir))) { error in
            XCTAssertEqual((error as? PackError)?.kind, .badVectors, "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("term 0 points outside the index"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    /// Shapes whose byte size overflows: the row width (columns × 4), the whole matrix, or the data offset plus
    /// the matrix. A huge dimension with no rows would have made every question's vector an absurd allocation.
    func testNpyHeadersWhoseSizesOverflow() throws {
        func header(_ rows: String, _ columns: String) -> Data {
            let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
            let text = dict.padding(toLength: 117, withPad: " ", startingAt: 0) + "\n"
            return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count), 0]) + Data(text.utf8)
        }
        let cases: [(rows: String, columns: String, expected: String)] = [
            ("1", "4611686018427387904", "dimension 4611686018427387904 is more than the 65536 an embedding may have"),
            ("0", "1048576", "dimension 1048576 is more than the 65536"),
            ("4611686018427387904", "384", "more bytes than any file can hold"),
            ("2305843009213693926", "1", "more bytes than any file can hold"),
            ("99999999999999999999", "384", "integer 99999999999999999999 is out of range"),
        ]
        for (i, c) in cases.enumerated() {
            var files = try demoFiles()
            files[PackLayout.chunkEmbeddings] = header(c.rows, c.columns)
            let path = try zip(files, name: "npy\(i).pack")
            let message = TestSupport.assertOpenFails(path, cacheIn: dir, kind: .badVectors)
            XCTAssertTrue(message.contains(c.expected), message)
            // `ytce pack info` opens the pack the same way: one line, non-zero exit, no trap.
            var environment = ProcessInfo.processInfo.environment
            environment["YTCE_CACHE_DIR"] = dir.appendingPathComponent("cli-cache").path
            let info = try TestSupport.run(try TestSupport.ytceBinary(), ["pack", "info", "--pack", path], environment: environment)
            XCTAssertEqual(info.status, 1, info.stderr)
            XCTAssertEqual(info.stderr.split(separator: "\n").count, 1, info.stderr)
            XCTAssertTrue(info.stderr.contains(c.expected), info.stderr)
        }
    }

    func testManifestWithAnAbsurdEmbeddingDimension() throws {
        var files = try demoFiles()
        guard case .object(var object) = try JSONValue.parse(files[PackLayout.manifest]!) else { return XCTFail() }
        object["embedding_dim"] = .number(1e12)
        object["embedding_model_id"] = .string("hash-1000000000000")
        files[PackLayout.manifest] = Data(JSONValue.serialize(.object(object)).utf8)
        let message = TestSupport.assertOpenFails(try zip(files), cacheIn: dir, kind: .badManifest)
        XCTAssertTrue(message.contains("field 'embedding_dim' must be an integer from 1 to 65536, found 1000000000000"), message)
    }

    /// A chunk time below -2^31 trapped in the neighbourhood scoring's 32-bit arithmetic; a time the pack cannot
    /// mean is now refused when the chunks are loaded, naming the row.
    func testChunkAndSegmentTimesOutOfRange() throws {
        var files = try builtDemoFiles()
        try changeDatabase(&files, "UPDATE micro_chunk SET start_ms = -3000000000 WHERE chunk_id = 2")
        // Without its chunk table (as built by another tool): the table is derived from these rows.
        files[PackLayout.chunkTable] = nil
        let path = try zip(files, name: "a.pack")
        let pack = try TestSupport.open(path, cacheIn: dir)
        let expected = "pack.sqlite: micro_chunk row 2 has start_ms -3000000000; times must be whole milliseconds from 0 to 9007199254740991"
        XCTAssertThrowsError(try Retriever(pack: pack, cache: TestSupport.cache(in: dir)).search("laptop note app", topK: 5)) { error in
            XCTAssertEqual((error as? PackError)?.kind, .corruptDatabase, "\(error)")
            XCTAssertTrue("\(error)".hasSuffix(expected), "\(error)")
        }
        // The command line says it once, naming the pack once.
        var environment = ProcessInfo.processInfo.environment
        environment["YTCE_CACHE_DIR"] = dir.appendingPathComponent("cli-cache").path
        let search = try TestSupport.run(try TestSupport.ytceBinary(), ["pack", "search", "--pack", path, "--question", "laptop"], environment: environment)
        XCTAssertEqual(search.status, 1)
        XCTAssertEqual(search.stderr, "ytce: \(path): \(expected)\n")

        // A chunk table whose time is out of range is refused as it is opened, naming the row.
        files = try builtDemoFiles()
        var table = try XCTUnwrap(files[PackLayout.chunkTable])
        func field(_ at: Int) -> Int { Int(table[at..<(at + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) }
        func padded(_ n: Int) -> Int { (n + 7) / 8 * 8 }
        let rows = field(8), videos = field(16), idBytes = field(24)
        let startsAt = 64 + padded((videos + 1) * 4) + padded(idBytes) + padded(rows * 4) + rows * 8
        table.replaceSubrange((startsAt + 8)..<(startsAt + 16), with: Data([0, 0, 0, 0, 0, 0, 0, 0x80]))
        files[PackLayout.chunkTable] = table
        let lyingTable = try TestSupport.open(try zip(files, name: "t.pack"), cacheIn: dir)
        XCTAssertThrowsError(try Retriever(pack: lyingTable, cache: TestSupport.cache(in: dir))) { error in
            XCTAssertTrue("\(error)".contains("row 1 has the times -9223372036854775808"), "\(error)")
        }

        files = try builtDemoFiles()
        try changeDatabase(&files, "UPDATE transcript_segment SET end_ms = 9223372036854775807 WHERE video_id = 'vid001'")
        let segments = try TestSupport.open(try zip(files, name: "b.pack"), cacheIn: dir)
        XCTAssertThrowsError(try VideoTranscript.load("vid001", from: segments)) { error in
            XCTAssertTrue("\(error)".contains("transcript_segment row 1 has end_ms 9223372036854775807"), "\(error)")
        }
        let retriever = try Retriever(pack: segments, cache: TestSupport.cache(in: dir))
        XCTAssertThrowsError(try retriever.search("espresso", topK: 10)) { error in
            XCTAssertTrue("\(error)".contains("has end_ms 9223372036854775807"), "\(error)")
        }
    }

    /// A full cache disk says what it needs, margin included: "6 MiB needed, 8 MiB free" was a contradiction.
    func testAFullDiskSaysWhatItNeedsIncludingTheMargin() throws {
        let cacheDirectory = dir.appendingPathComponent("full-cache")
        let free = try XCTUnwrap(PackCache.freeBytes(at: dir.path))
        // A margin larger than the disk's free space: the real free space is then too small, as on a full disk.
        let cache = PackCache(directory: cacheDirectory, freeSpaceMargin: free + (1 << 30))
        // Looked up outside the assertion, so a missing ../shared skips the test instead of failing it.
        let pack = try TestSupport.referencePack("demo_channel.pack")
        XCTAssertThrowsError(try ChannelPack.open(pack, options: .init(cache: cache))) { error in
            let message = "\(error)"
            XCTAssertEqual((error as? PackError)?.kind, .io, message)
            XCTAssertTrue(message.contains("not enough disk space in \(cacheDirectory.path) to unpack: the pack's files take 1 MiB and ytce leaves "), message)
            XCTAssertTrue(message.contains(" free besides ("), message)
            XCTAssertTrue(message.contains(" MiB needed), "), message)
            XCTAssertTrue(message.hasSuffix(" MiB free"), message)
        }
    }

    /// A one-entry zip whose zip64 sizes (local and central, so libzip finds them consistent) declare
    /// `size` bytes for one byte of stored data.
    func zip64(declaring size: UInt64) -> Data {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let name = Array("manifest.json".utf8), body: [UInt8] = [0x7B]
        let crc = UInt32(0x15D5_4739)  // CRC-32 of "{"
        let extra = le(UInt16(1)) + le(UInt16(16)) + le(size) + le(UInt64(body.count))
        let local = le(UInt32(0x0403_4B50)) + le(UInt16(45)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0))
            + le(crc) + le(UInt32.max) + le(UInt32.max) + le(UInt16(name.count)) + le(UInt16(extra.count)) + name + extra + body
        let central = le(UInt32(0x0201_4B50)) + le(UInt16(45)) + le(UInt16(45)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0))
            + le(UInt16(0)) + le(crc) + le(UInt32.max) + le(UInt32.max) + le(UInt16(name.count)) + le(UInt16(extra.count))
            + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0)) + le(UInt32(0)) + name + extra
        let end = le(UInt32(0x0605_4B50)) + le(UInt16(0)) + le(UInt16(0)) + le(UInt16(1)) + le(UInt16(1))
            + le(UInt32(central.count)) + le(UInt32(local.count)) + le(UInt16(0))
        return Data(local + central + end)
    }

    /// Zip64 sizes past Int64.max trapped when converted; one of Int64.max trapped in the zip bomb message.
    func testZipEntriesDeclaringImpossibleSizes() throws {
        let huge = dir.appendingPathComponent("huge.pack")
        try zip64(declaring: UInt64.max).write(to: huge)
        let message = TestSupport.assertOpenFails(huge.path, cacheIn: dir, kind: .io)
        XCTAssertTrue(message.hasSuffix("entry 0 of the central directory declares an impossible size (18446744073709551615 bytes)"), message)
        XCTAssertThrowsError(try PackPreview.read(huge.path))

        let largest = dir.appendingPathComponent("largest.pack")
        try zip64(declaring: UInt64(Int64.max)).write(to: largest)
        let bomb = TestSupport.assertOpenFails(largest.path, cacheIn: dir, kind: .tooLarge)
        XCTAssertTrue(bomb.contains("inflates 9223372036854775808:1 to 9223372036854775807 bytes"), bomb)
    }
}
