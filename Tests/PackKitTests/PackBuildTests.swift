import Foundation
import XCTest
@testable import PackKit

final class PackBuildTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
    }

    func build(_ input: URL, to output: URL, keepGoing: Bool = false, config: PackConfig = PackConfig(),
               isCancelled: @escaping @Sendable () -> Bool = { false }) throws -> BuildReport {
        try PackBuilder(config: config, keepGoing: keepGoing).build(input: input, output: output, isCancelled: isCancelled)
    }

    /// Files in `folder` other than the named ones: temporary leftovers.
    func strayFiles(in folder: URL, expecting names: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !names.contains($0) }
    }

    // MARK: Real channels, compared with the reference

    /// ytce's build of the real channels holds exactly the reference's segments, chunks and chunk vectors.
    func testRealChannelsMatchTheReferenceBuildRowForRow() throws {
        for (channel, reference) in [("py4e", "py4e.pack"), ("hf-course", "hf-course.pack")] {
            let output = dir.appendingPathComponent("\(channel).pack")
            let report = try build(try TestSupport.shared("fixtures/channels/\(channel)"), to: output)
            XCTAssertEqual(report.videosWithTranscript, report.videos, "every \(channel) video yields segments")
            XCTAssertEqual(report.withoutTranscript, [])
            let ours = try TestSupport.open(output.path, cacheIn: dir)
            let theirs = try TestSupport.open(try TestSupport.referencePack(reference), cacheIn: dir)
            for table in ["transcript_segment", "micro_chunk"] {
                let sql = "SELECT video_id || '|' || start_ms || '|' || end_ms || '|' || text FROM \(table) ORDER BY rowid"
                XCTAssertEqual(try ours.database.strings(sql), try theirs.database.strings(sql), "\(channel) \(table)")
            }
            let a = try XCTUnwrap(ours.chunkEmbeddings), b = try XCTUnwrap(theirs.chunkEmbeddings)
            XCTAssertEqual(a.rows, b.rows)
            XCTAssertTrue(a.elements.elementsEqual(b.elements), "\(channel): chunk vectors must be bit-identical")
            // Every video has chunks and a section.
            XCTAssertEqual(try ours.database.scalarInt("SELECT count(*) FROM video WHERE video_id NOT IN (SELECT video_id FROM micro_chunk)"), 0)
            XCTAssertEqual(try ours.database.scalarInt("SELECT count(*) FROM micro_chunk WHERE section_id IS NULL"), 0)
        }
    }

    /// The reference tool's way of reading a pack (zipfile, sqlite3, numpy) accepts what ytce writes.
    func testReferenceReaderAcceptsYtcePacks() throws {
        let output = dir.appendingPathComponent("py4e.pack")
        _ = try build(try TestSupport.shared("fixtures/channels/py4e"), to: output)
        let script = TestSupport.repoRoot.appendingPathComponent("Tests/compat/reference_reader.py").path
        let result = try TestSupport.run("/usr/bin/env", ["python3", script, output.path])
        if result.status == 127 { throw XCTSkip("python3 not installed: cannot run the reference reader check") }
        if result.status == 3 { throw XCTSkip("numpy not installed: \(result.stdout)") }
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("OK 1857 chunks"), result.stdout)
    }

    func testDatabaseIsSelfContainedRollbackJournalFile() throws {
        let output = dir.appendingPathComponent("demo.pack")
        _ = try build(try TestSupport.shared("fixtures/demo_channel"), to: output)
        let archive = try ZipArchiveReader(path: output.path)
        XCTAssertEqual(Set(archive.entries.map(\.name)), [PackLayout.manifest, PackLayout.database, PackLayout.sectionEmbeddings,
                                                          PackLayout.chunkEmbeddings, PackLayout.bm25Docs, PackLayout.lexicalIndex,
                                                          PackLayout.chunkTable])
        let database = try archive.data(of: try XCTUnwrap(archive.entries.first { $0.name == PackLayout.database }), limit: 1 << 30)
        // Header bytes 18-19 are 1 for rollback journal, 2 for WAL.
        XCTAssertEqual(database[18], 1)
        XCTAssertEqual(database[19], 1)
        let pack = try TestSupport.open(output.path, cacheIn: dir)
        XCTAssertEqual(pack.counts.videos, 2)
        XCTAssertGreaterThan(pack.counts.chunks, 0)
        XCTAssertEqual(pack.manifest.extra["builder"]?.stringValue, "ytce \(PackBuilder.version)")
        XCTAssertEqual(pack.manifest.extra["chunk_count"]?.intValue, pack.counts.chunks)
        // The reference demo's first video has chapters 00:00 / 05:00 / 12:00 in its description.
        XCTAssertEqual(try pack.database.strings("SELECT title FROM section WHERE video_id='vid001' ORDER BY section_id").prefix(1), ["Intro"])
    }

    // MARK: Failures leave nothing behind

    func testMalformedTranscriptFailsTheBuildAndWritesNothing() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("good1", ""), ("bad-1", ""), ("good2", "")], transcripts: [
            "good1.srt": TestSupport.srt(cues: 40),
            "bad-1.srt": "1\n00:00:01,000 --> 00:00:03,000\nfine\n\n2\n00:00:0x,000 --> 00:00:05,000\nbroken time\n",
            "good2.vtt": "WEBVTT\n\n00:01.000 --> 00:04.000\nhello there\n",
        ])
        let output = dir.appendingPathComponent("out.pack")
        try Data("previous pack".utf8).write(to: output)
        XCTAssertThrowsError(try build(input, to: output)) { error in
            guard case .transcripts(let problems) = error as? PackBuildError else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.count, 1)
            XCTAssertEqual(problems.first?.line, 6)
            XCTAssertTrue(problems.first?.file.hasSuffix("bad-1.srt") ?? false)
            XCTAssertTrue("\(error)".contains("--keep-going"))
        }
        XCTAssertEqual(try Data(contentsOf: output), Data("previous pack".utf8), "a failed build leaves the old pack intact")
        XCTAssertEqual(try strayFiles(in: dir, expecting: ["input", "out.pack"]), [])
    }

    func testKeepGoingSkipsAndListsBadTranscripts() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("good1", ""), ("bad1", ""), ("silent", "")], transcripts: [
            "good1.srt": TestSupport.srt(cues: 40),
            "bad1.json": #"[{"start_ms": 0, "end_ms": 1000}]"#,
            "orphan.srt": TestSupport.srt(cues: 2),
            "notes.txt": "not a transcript",
        ])
        let output = dir.appendingPathComponent("out.pack")
        let report = try build(input, to: output, keepGoing: true)
        XCTAssertEqual(report.skipped.map { URL(fileURLWithPath: $0.file).lastPathComponent }, ["bad1.json"])
        XCTAssertEqual(report.withoutTranscript, ["silent"])
        XCTAssertEqual(report.strayTranscripts.sorted(), ["notes.txt", "orphan.srt"])
        XCTAssertEqual(report.videosWithTranscript, 1)
        let pack = try TestSupport.open(output.path, cacheIn: dir)
        XCTAssertEqual(pack.counts.videos, 3, "videos without a transcript keep their metadata")
        XCTAssertEqual(try pack.database.strings("SELECT DISTINCT video_id FROM micro_chunk"), ["good1"])
        XCTAssertEqual(pack.manifest.extra["skipped_transcripts"]?.intValue, 1)
    }

    func testCancelledBuildLeavesNoTraces() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: (0..<40).map { ("v\($0)", "") },
                                   transcripts: Dictionary(uniqueKeysWithValues: (0..<40).map { ("v\($0).srt", TestSupport.srt(cues: 100)) }))
        let output = dir.appendingPathComponent("out.pack")
        let counter = Counter()
        XCTAssertThrowsError(try build(input, to: output, isCancelled: { counter.next() > 1 })) { error in
            XCTAssertTrue("\(error)".contains("cancelled"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        XCTAssertEqual(try strayFiles(in: dir, expecting: ["input"]), [])
    }

    func testAbandonedWorkspaceOfADeadBuildIsSweptByTheNextBuild() throws {
        let input = try TestSupport.shared("fixtures/demo_channel")
        let output = dir.appendingPathComponent("out.pack")
        // pid 2^22+1 is above Linux's default pid_max range used here, so no such process exists.
        let abandoned = dir.appendingPathComponent(".out.pack.build-4194305-77")
        try FileManager.default.createDirectory(at: abandoned, withIntermediateDirectories: true)
        try Data("half a database".utf8).write(to: abandoned.appendingPathComponent("pack.sqlite"))
        _ = try build(input, to: output)
        XCTAssertEqual(try strayFiles(in: dir, expecting: ["out.pack"]), [])
    }

    func testBadChannelFilesAreNamed() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("a", "")], transcripts: [:])
        try Data(#"[{"video_id": "a"}, {"video_id": "a"}]"#.utf8).write(to: input.appendingPathComponent("videos.json"))
        XCTAssertThrowsError(try build(input, to: dir.appendingPathComponent("o.pack"))) { error in
            XCTAssertTrue("\(error)".contains("videos.json") && "\(error)".contains("repeats"), "\(error)")
        }
        try Data(#"[{"video_id": "../etc"}]"#.utf8).write(to: input.appendingPathComponent("videos.json"))
        XCTAssertThrowsError(try build(input, to: dir.appendingPathComponent("o.pack"))) { error in
            XCTAssertTrue("\(error)".contains("cannot name a file"), "\(error)")
        }
        try Data(#"[{"video_id": "a", "duration_sec": "long"}]"#.utf8).write(to: input.appendingPathComponent("videos.json"))
        XCTAssertThrowsError(try build(input, to: dir.appendingPathComponent("o.pack"))) { error in
            XCTAssertTrue("\(error)".contains("video 0: field 'duration_sec'"), "\(error)")
        }
        try FileManager.default.removeItem(at: input.appendingPathComponent("channel.json"))
        XCTAssertThrowsError(try build(input, to: dir.appendingPathComponent("o.pack"))) { error in
            XCTAssertTrue("\(error)".contains("channel.json: missing"), "\(error)")
        }
    }

    func testSBVTranscriptNamedSrtAndVideoIdsWithLeadingDash() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("-dashFirst1", "")], transcripts: [
            "-dashFirst1.srt": "0:00:00.500,0:00:03.000\nfirst line of an sbv file\n\n0:00:03.000,0:00:06.250\nsecond line\n",
        ])
        let output = dir.appendingPathComponent("out.pack")
        let report = try build(input, to: output)
        XCTAssertEqual(report.segments, 2)
        let pack = try TestSupport.open(output.path, cacheIn: dir)
        XCTAssertEqual(try pack.database.strings("SELECT text FROM transcript_segment WHERE video_id='-dashFirst1' ORDER BY segment_id"),
                       ["first line of an sbv file", "second line"])
    }

    func testConfigChangesChunkingAndEmbeddingDimension() throws {
        var config = PackConfig()
        config.chunking.microChunkSec = 20
        config.chunking.microOverlapSec = 5
        config.embedding.dim = 128
        config.embedding.modelName = "hash-128"
        let output = dir.appendingPathComponent("out.pack")
        _ = try build(try TestSupport.shared("fixtures/channels/hf-course"), to: output, config: config)
        let pack = try TestSupport.open(output.path, cacheIn: dir)
        XCTAssertEqual(pack.manifest.embeddingDim, 128)
        XCTAssertEqual(pack.manifest.embeddingModelID, "hash-128")
        XCTAssertEqual(pack.chunkEmbeddings?.columns, 128)
        XCTAssertEqual(try pack.database.scalarInt("SELECT max(end_ms - start_ms) FROM micro_chunk"), 20_000)
    }

    /// A full disk is said as one, naming the folder, whichever writer met it first (SQLite or a file write); other
    /// failures keep their own words.
    func testAFullDiskIsSaidAsOne() {
        let output = URL(fileURLWithPath: "/data/packs/x.pack")
        let full = "/data/packs/x.pack: not enough disk space in /data/packs to write the pack; nothing was written"
        let database = PackBuildError.writing(SQLiteError(code: 13, message: "database or disk is full", context: "step INSERT"), output: output)
        XCTAssertTrue(database.description.hasPrefix(full), database.description)
        XCTAssertTrue(database.description.hasSuffix("(step INSERT: database or disk is full (sqlite code 13))"), database.description)
        let write = PackBuildError.writing(KernelCopy.Problem(description: "cannot write /data/packs/.x/lexical.bin: \(String(cString: strerror(ENOSPC)))"),
                                           output: output)
        XCTAssertTrue(write.description.hasPrefix(full), write.description)
        let other = PackBuildError.writing(SQLiteError(code: 11, message: "database disk image is malformed", context: "step"), output: output)
        XCTAssertEqual(other.description, "/data/packs/x.pack: step: database disk image is malformed (sqlite code 11)")
    }
}

extension PackBuildTests {
    /// The index the parallel build writes equals one built document by document with the analyzer, and
    /// searches use it rather than building another.
    func testBuiltLexicalIndexMatchesTheAnalyzer() throws {
        let output = dir.appendingPathComponent("hf.pack")
        _ = try build(try TestSupport.shared("fixtures/channels/hf-course"), to: output)
        let pack = try TestSupport.open(output.path, cacheIn: dir)
        let built = try LexicalIndex(region: try XCTUnwrap(try pack.files.region(PackLayout.lexicalIndex)))
        let analyzer = LexicalAnalyzer()
        let reference = LexicalIndexBuilder()
        let statement = try pack.database.prepare("SELECT c.text, v.title FROM micro_chunk c JOIN video v USING (video_id) ORDER BY c.chunk_id")
        while try statement.step() {
            reference.add(terms: analyzer.terms(statement.string(0) ?? "") + analyzer.terms(statement.string(1) ?? ""))
        }
        let path = dir.appendingPathComponent("reference.bin").path
        try reference.write(to: path)
        let expected = try LexicalIndex(contentsOf: path)
        XCTAssertEqual(built.documentCount, expected.documentCount)
        XCTAssertEqual(built.termCount, expected.termCount)
        XCTAssertEqual(built.averageLength, expected.averageLength, accuracy: 1e-9)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)),
                       try XCTUnwrap(try pack.files.data(PackLayout.lexicalIndex, limit: 1 << 30)), "byte-identical index")
        let cacheDirectory = dir.appendingPathComponent("cache")
        _ = try LexicalIndexStore.index(for: pack, cache: PackCache(directory: cacheDirectory))
        XCTAssertFalse(FileManager.default.fileExists(atPath: try LexicalIndexStore.location(for: pack, cache: PackCache(directory: cacheDirectory)).path),
                       "no second index is built for a pack that carries one")
        for query in ["tokenizer padding", "fine-tune a model", "what is a pipeline", "Trainer API"] {
            XCTAssertEqual(built.search(terms: analyzer.terms(query), k: 10), expected.search(terms: analyzer.terms(query), k: 10), query)
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
