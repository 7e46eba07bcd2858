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
            files[name] = try Data(contentsOf: source.root.appendingPathComponent(name))
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
        let dir2 = dir.appendingPathComponent("build")
        let output = dir2.appendingPathComponent("demo.pack")
        _ = try PackBuilder().build(input: try TestSupport.shared("fixtures/demo_channel"), output: output)
        let archive = try ZipArchiveReader(path: output.path)
        var files: [String: Data] = [:]
        for entry in archive.entries { files[entry.name] = try archive.data(of: entry) }
        let staging = dir.appendingPathComponent("lying.sqlite")
        try files[PackLayout.database]!.write(to: staging)
        let db = try SQLiteDatabase(path: staging.path, mode: .readWriteCreate)
        try db.execute("UPDATE ytce_video_span SET chunk_count = chunk_count + 5 WHERE video_id = 'vid001'")
        files[PackLayout.database] = try Data(contentsOf: staging)
        let message = TestSupport.assertOpenFails(try zip(files), cacheIn: dir, kind: .corruptDatabase)
        XCTAssertTrue(message.contains("ytce_video_span"), message)
    }

    /// A lexical index that does not describe the pack's chunks is refused by search with a one-line error,
    /// never used to rank rows it does not know.
    func testLexicalIndexThatLies() throws {
        let output = dir.appendingPathComponent("build").appendingPathComponent("demo.pack")
        _ = try PackBuilder().build(input: try TestSupport.shared("fixtures/demo_channel"), output: output)
        let archive = try ZipArchiveReader(path: output.path)
        var files: [String: Data] = [:]
        for entry in archive.entries { files[entry.name] = try archive.data(of: entry) }
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
}
