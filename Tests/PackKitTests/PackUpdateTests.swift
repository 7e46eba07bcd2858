import Foundation
import HTTPTestServer
import XCTest
@testable import PackKit

/// `pack build --update`: a pack grown from its input holds what a full build of that input holds (rows, vectors,
/// lexical search), keeps its summaries and the ids of unchanged videos, and re-embeds nothing unchanged.
final class PackUpdateTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
    }

    static let chapters = "0:00 Opening\n1:30 The middle part\n3:00 The end"

    /// An input folder of `ids`, each a 4-minute talk; `words` picks a transcript's vocabulary (changing it changes
    /// the transcript).
    /// `order`: the order of videos.json (default `ids`); a video's description follows its place in `ids`.
    func writeInput(_ folder: URL, ids: [String], words: [String: String] = [:], published: [String: String] = [:],
                    order: [String]? = nil) throws {
        try? FileManager.default.removeItem(at: folder)
        var transcripts: [String: String] = [:]
        for id in ids { transcripts["\(id).srt"] = TestSupport.srt(cues: 80, prefix: words[id] ?? "\(id)w") }
        let descriptions = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0 % 2 == 0 ? Self.chapters : "no chapters here") })
        try TestSupport.writeInput(at: folder, videos: (order ?? ids).map { ($0, descriptions[$0] ?? "") }, transcripts: transcripts)
        if !published.isEmpty {
            // videos.json with publication dates (TestSupport writes empty ones).
            let url = folder.appendingPathComponent("videos.json")
            var list = try XCTUnwrap(JSONValue.parse(Data(contentsOf: url)).arrayValue)
            for i in list.indices {
                guard case .object(var object) = list[i], let id = object["video_id"]?.stringValue, let date = published[id] else { continue }
                object["published_at"] = .string(date)
                list[i] = .object(object)
            }
            try Data(JSONValue.serialize(.array(list)).utf8).write(to: url)
        }
    }

    /// Everything a pack says about each video, keyed by video id, independent of row ids and order.
    struct VideoRows: Equatable {
        var segments: [String] = []
        var chunks: [String] = []
        var sections: [String] = []
        var chunkVectors: [[Float]] = []
        var sectionVectors: [[Float]] = []
        var documents: [String] = []
    }

    func rows(_ pack: ChannelPack) throws -> [String: VideoRows] {
        var out: [String: VideoRows] = [:]
        let segments = try pack.database.prepare("SELECT video_id, start_ms, end_ms, text FROM transcript_segment ORDER BY segment_id")
        while try segments.step() { out[segments.string(0) ?? "", default: VideoRows()].segments.append("\(segments.int(1))-\(segments.int(2)) \(segments.string(3) ?? "")") }
        let documents = try XCTUnwrap(JSONValue.parse(Self.archived(PackLayout.bm25Docs, of: pack.source)).arrayValue)
        let chunkMatrix = try XCTUnwrap(pack.chunkEmbeddings), sectionMatrix = try XCTUnwrap(pack.sectionEmbeddings)
        let chunks = try pack.database.prepare("SELECT video_id, start_ms, end_ms, text FROM micro_chunk ORDER BY chunk_id")
        var row = 0
        while try chunks.step() {
            let id = chunks.string(0) ?? ""
            out[id, default: VideoRows()].chunks.append("\(chunks.int(1))-\(chunks.int(2)) \(chunks.string(3) ?? "")")
            out[id, default: VideoRows()].chunkVectors.append(Array(chunkMatrix.row(row)))
            out[id, default: VideoRows()].documents.append(documents[row].stringValue ?? "")
            row += 1
        }
        XCTAssertEqual(row, chunkMatrix.rows, "one vector row per chunk")
        XCTAssertEqual(row, documents.count, "one BM25 document per chunk")
        let sections = try pack.database.prepare("SELECT video_id, start_ms, end_ms, title FROM section ORDER BY section_id")
        row = 0
        while try sections.step() {
            let id = sections.string(0) ?? ""
            out[id, default: VideoRows()].sections.append("\(sections.int(1))-\(sections.int(2)) \(sections.string(3) ?? "")")
            out[id, default: VideoRows()].sectionVectors.append(Array(sectionMatrix.row(row)))
            row += 1
        }
        XCTAssertEqual(row, sectionMatrix.rows, "one vector row per section")
        return out
    }

    func chunkIDs(_ pack: ChannelPack, video: String) throws -> [String] {
        try pack.database.strings("SELECT chunk_id FROM micro_chunk WHERE video_id = '\(video)' ORDER BY chunk_id")
    }

    func testAnUpdatedPackHoldsWhatAFullBuildHoldsAndKeepsSummariesAndUnchangedIds() throws {
        let ids = (0..<6).map { "vid\($0)" }
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ids)
        let pack = dir.appendingPathComponent("channel.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        try PackSummaryWriter.attach("What vid0 is about.", videoID: "vid0", to: pack.path)
        try PackSummaryWriter.attach("What vid2 is about.", videoID: "vid2", to: pack.path)
        let before = try TestSupport.open(pack.path, cacheIn: dir)
        let unchangedIDs = try chunkIDs(before, video: "vid5")

        // Three new videos, vid2's transcript changed, vid3 published on another date.
        let grown = ids + ["vid6", "vid7", "vid8"]
        try writeInput(input, ids: grown, words: ["vid2": "rewritten"], published: ["vid3": "2026-01-01T00:00:00Z"])
        let report = try PackUpdater().update(pack: pack, input: input)
        XCTAssertEqual(report.added, ["vid6", "vid7", "vid8"])
        XCTAssertEqual(report.changed, ["vid2"])
        XCTAssertEqual(report.metadataOnly, ["vid3"])
        XCTAssertEqual(report.unchanged, 4)
        XCTAssertEqual(report.chunksEmbedded + report.vectorsReused, report.chunks)

        // The full build lists the videos in the updated pack's row order (changed and new videos' rows come last), so
        // the two must rank alike to the last tie.
        let fullInput = dir.appendingPathComponent("full-in")
        try writeInput(fullInput, ids: grown, words: ["vid2": "rewritten"], published: ["vid3": "2026-01-01T00:00:00Z"],
                       order: ["vid0", "vid1", "vid3", "vid4", "vid5", "vid2", "vid6", "vid7", "vid8"])
        let full = dir.appendingPathComponent("full.pack")
        _ = try PackBuilder().build(input: fullInput, output: full)
        let updated = try TestSupport.open(pack.path, cacheIn: dir)
        let rebuilt = try TestSupport.open(full.path, cacheIn: dir)
        let a = try rows(updated), b = try rows(rebuilt)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for id in grown {
            XCTAssertEqual(a[id], b[id], "\(id): the updated pack holds what a full build holds")
        }
        XCTAssertTrue(a["vid2"]?.chunks.first?.contains("rewritten") ?? false, "the changed transcript's new text is in")
        XCTAssertEqual(updated.counts.chunks, rebuilt.counts.chunks)
        XCTAssertEqual(updated.manifest.videoCount, 9)
        XCTAssertEqual(updated.manifest.extra["chunk_count"], rebuilt.manifest.extra["chunk_count"])
        XCTAssertEqual(try updated.database.strings("SELECT published_at FROM video WHERE video_id = 'vid3'"), ["2026-01-01T00:00:00Z"])

        XCTAssertEqual(try chunkIDs(updated, video: "vid5"), unchangedIDs, "an unchanged video keeps its chunk ids")
        XCTAssertEqual(try updated.database.strings("SELECT video_id || ': ' || text FROM summary ORDER BY video_id"),
                       ["vid0: What vid0 is about.", "vid2: What vid2 is about."], "summaries stay, by video id")

        // The lexical index and the vectors give the same answers as the full build's.
        let ours = try Retriever(pack: updated, cache: TestSupport.cache(in: dir))
        let theirs = try Retriever(pack: rebuilt, cache: TestSupport.cache(in: dir))
        XCTAssertEqual(ours.lexical.documentCount, theirs.lexical.documentCount)
        XCTAssertEqual(ours.lexical.termCount, theirs.lexical.termCount)
        for question in ["vid7w12 says something", "rewritten5 topic", "vid1w3 topic 3", "vid2w7 says"] {
            let x = try ours.search(question, topK: 5).hits.map { "\($0.videoID) \($0.startMs)-\($0.endMs) \(($0.score * 1e6).rounded())" }
            let y = try theirs.search(question, topK: 5).hits.map { "\($0.videoID) \($0.startMs)-\($0.endMs) \(($0.score * 1e6).rounded())" }
            XCTAssertEqual(x, y, question)
        }
        XCTAssertTrue(try ours.search("vid2w7 says", topK: 5).hits.allSatisfy { $0.videoID != "vid2" }, "vid2's old words are gone")
    }

    func testNothingChangedMeansNothingIsRewritten() throws {
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a", "b"])
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        let inode = try FileManager.default.attributesOfItem(atPath: pack.path)[.systemFileNumber] as? Int
        let report = try PackUpdater().update(pack: pack, input: input)
        XCTAssertTrue(report.nothingChanged)
        XCTAssertTrue(report.summaryLine.contains("nothing changed"), report.summaryLine)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: pack.path)[.systemFileNumber] as? Int, inode)
        XCTAssertEqual(report.summaryLine, "\(pack.path): nothing changed (2 videos as they were); the pack was not rewritten")
        // One of a kind is said as one ("1 videos as they were" before).
        var one = UpdateReport(output: "p.pack")
        (one.nothingChanged, one.unchanged) = (true, 1)
        XCTAssertEqual(one.summaryLine, "p.pack: nothing changed (1 video as it was); the pack was not rewritten")
        one.nothingChanged = false
        (one.added, one.videos, one.chunks, one.chunksEmbedded, one.vectorsReused) = (["v"], 2, 1, 1, 0)
        XCTAssertEqual(one.summaryLine, "updated p.pack: 1 video added, 0 changed, 1 unchanged; 2 videos, 1 chunk; 1 chunk embedded, 0 vectors kept in 0.00 s")
    }

    func testAVideoMissingFromTheInputIsKept() throws {
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a", "b", "c"])
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        try writeInput(input, ids: ["a", "c", "d"])
        let report = try PackUpdater().update(pack: pack, input: input)
        XCTAssertEqual(report.notInInput, ["b"])
        XCTAssertEqual(report.added, ["d"])
        let updated = try TestSupport.open(pack.path, cacheIn: dir)
        XCTAssertEqual(Set(try rows(updated).keys), ["a", "b", "c", "d"])
    }

    /// Sets the modification time of `ids`' transcripts in `input` (whole seconds, as a copy with `cp -p` keeps them).
    func stamp(_ input: URL, _ ids: [String], at date: Date) throws {
        for id in ids {
            try FileManager.default.setAttributes([.modificationDate: date],
                                                  ofItemAtPath: input.appendingPathComponent("transcripts/\(id).srt").path)
        }
    }

    func testTranscriptsWhoseSizeAndTimeAreAsRecordedAreNotReadAgain() throws {
        let input = dir.appendingPathComponent("in")
        let old = Date(timeIntervalSince1970: 1_700_000_000), later = Date(timeIntervalSince1970: 1_700_000_600)
        try writeInput(input, ids: ["a", "b", "c"])
        try stamp(input, ["a", "b", "c"], at: old)
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        let built = try TestSupport.open(pack.path, cacheIn: dir)
        XCTAssertEqual(try built.database.strings("SELECT transcript_mtime_ns FROM ytce_video_source ORDER BY video_id"),
                       Array(repeating: "1700000000000000000", count: 3), "the build records each transcript's time")

        // A new video d; b rewritten (same size, other words, a later time); c touched (same bytes, a later time).
        try writeInput(input, ids: ["a", "b", "c", "d"], words: ["b": "bv"])
        try stamp(input, ["a", "c"], at: old)
        try stamp(input, ["b", "c", "d"], at: later)
        let report = try PackUpdater().update(pack: pack, input: input)
        XCTAssertEqual(report.added, ["d"])
        XCTAssertEqual(report.changed, ["b"], "a file whose time moved is read, and a changed one is found")
        XCTAssertEqual(report.unchanged, 2)
        XCTAssertEqual(report.transcriptsRead, 3, "b, c (touched) and d are read; a is not")

        // Everything now carries its stamp: nothing is read, nothing rewritten.
        let again = try PackUpdater().update(pack: pack, input: input)
        XCTAssertTrue(again.nothingChanged)
        XCTAssertEqual(again.transcriptsRead, 0, "c's new time was recorded with the update")

        // A transcript just written is not trusted by its time (it may change again within the clock's tick).
        try Data(TestSupport.srt(cues: 80, prefix: "bx").utf8).write(to: input.appendingPathComponent("transcripts/b.srt"))
        let fresh = try PackUpdater().update(pack: pack, input: input)
        XCTAssertEqual(fresh.changed, ["b"])
        XCTAssertEqual(fresh.transcriptsRead, 1)
        XCTAssertEqual(try TestSupport.open(pack.path, cacheIn: dir).database
            .strings("SELECT transcript_mtime_ns FROM ytce_video_source WHERE video_id = 'b'"), ["0"], "a racy stamp is not recorded")
    }

    func testAReproducibleBuildRecordsNoFileTimes() throws {
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a", "b"])
        try stamp(input, ["a", "b"], at: Date(timeIntervalSince1970: 1_700_000_000))
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder(buildDate: Date(timeIntervalSince1970: 1_767_225_600)).build(input: input, output: pack)
        XCTAssertEqual(try TestSupport.open(pack.path, cacheIn: dir).database
            .strings("SELECT transcript_size || '/' || transcript_mtime_ns FROM ytce_video_source"), ["0/0", "0/0"])
    }

    func testAPackWhoseSourceTableHasNoStampsIsUpdatedAndGetsThem() throws {
        let input = dir.appendingPathComponent("in")
        let old = Date(timeIntervalSince1970: 1_700_000_000)
        try writeInput(input, ids: ["a", "b"])
        try stamp(input, ["a", "b"], at: old)
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        // The pack as ytce wrote it before stamps: the source table of four columns.
        let loose = dir.appendingPathComponent("loose")
        try FileManager.default.createDirectory(at: loose, withIntermediateDirectories: true)
        let reader = try ZipArchiveReader(path: pack.path)
        for entry in reader.entries where !entry.name.hasSuffix("/") {
            let path = loose.appendingPathComponent(entry.name).path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try reader.extract(entry, to: path)
        }
        do {
            let db = try SQLiteDatabase(path: loose.appendingPathComponent(PackLayout.database).path, mode: .readWriteCreate)
            try db.execute("""
            CREATE TABLE old_source (video_id TEXT PRIMARY KEY, transcript_file TEXT NOT NULL, transcript_sha256 TEXT NOT NULL,
              metadata_sha256 TEXT NOT NULL) WITHOUT ROWID;
            INSERT INTO old_source SELECT video_id, transcript_file, transcript_sha256, metadata_sha256 FROM ytce_video_source;
            DROP TABLE ytce_video_source; ALTER TABLE old_source RENAME TO ytce_video_source;
            """)
        }
        let names = reader.entries.map(\.name).filter { !$0.hasSuffix("/") }
        try ZipAssembler.write(names.map { .init(name: $0, path: loose.appendingPathComponent($0).path) }, to: pack.path,
                               modificationDate: old)

        try writeInput(input, ids: ["a", "b", "c"])
        try stamp(input, ["a", "b", "c"], at: old)
        let report = try PackUpdater().update(pack: pack, input: input)
        XCTAssertEqual(report.added, ["c"])
        XCTAssertEqual(report.unchanged, 2)
        XCTAssertEqual(report.transcriptsRead, 3, "without recorded stamps every transcript is read")
        let again = try PackUpdater().update(pack: pack, input: input)
        XCTAssertTrue(again.nothingChanged)
        XCTAssertEqual(again.transcriptsRead, 0, "the update recorded every stamp")
    }

    func testPacksWithoutContentHashesOrWithOtherSettingsAreRefusedAndLeftAlone() throws {
        let reference = try TestSupport.referencePack("demo_channel.pack")
        let pack = dir.appendingPathComponent("demo.pack")
        try FileManager.default.copyItem(atPath: reference, toPath: pack.path)
        let bytes = try Data(contentsOf: pack)
        XCTAssertThrowsError(try PackUpdater().update(pack: pack, input: try TestSupport.shared("fixtures/demo_channel"))) { error in
            XCTAssertTrue("\(error)".contains("build it again"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: pack), bytes)

        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a"])
        let ours = dir.appendingPathComponent("ours.pack")
        _ = try PackBuilder().build(input: input, output: ours)
        var config = PackConfig()
        config.chunking.microChunkSec = 30
        XCTAssertThrowsError(try PackUpdater(config: config).update(pack: ours, input: input)) { error in
            XCTAssertTrue("\(error)".contains("micro_chunk_sec 45"), "\(error)")
        }
    }

    /// A pack of videos a and b, its bytes, and its input folder grown by video c.
    func packAndGrownInput() throws -> (pack: URL, bytes: Data, input: URL) {
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a", "b"])
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        let bytes = try Data(contentsOf: pack)
        try writeInput(input, ids: ["a", "b", "c"])
        return (pack, bytes, input)
    }

    func testACancelledUpdateLeavesTheOldPackAsItWas() throws {
        let (pack, bytes, input) = try packAndGrownInput()
        XCTAssertThrowsError(try PackUpdater().update(pack: pack, input: input, isCancelled: { true }))
        XCTAssertEqual(try Data(contentsOf: pack), bytes)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".build-") }, [],
                       "no workspace left behind")
    }

    func testAnUpdateWithoutRoomForTheGrownPackIsRefusedBeforeAnyWork() throws {
        let (pack, bytes, input) = try packAndGrownInput()
        var updater = PackUpdater()
        // A file system with a byte less than the pack takes: the grown pack cannot fit beside the old one.
        let tight = Int64(bytes.count) - 1
        updater.freeBytes = { _ in tight }
        XCTAssertThrowsError(try updater.update(pack: pack, input: input)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("not enough disk space in \(self.dir.path)"), message)
            XCTAssertTrue(message.contains("MiB free"), message)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)")
        }
        XCTAssertEqual(try Data(contentsOf: pack), bytes)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".build-") }, [],
                       "nothing started")
        // With room for it, the same update goes through.
        updater.freeBytes = { _ in Int64(bytes.count) * 3 }
        XCTAssertEqual(try updater.update(pack: pack, input: input).added, ["c"])
    }

    func testACompressedPackIsUpdatedAndStaysCompressed() throws {
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a", "b"])
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder(compression: .small).build(input: input, output: pack)
        try writeInput(input, ids: ["a", "b", "c"], words: ["a": "fresh"])
        let report = try PackUpdater().update(pack: pack, input: input)
        XCTAssertEqual(report.added, ["c"])
        XCTAssertEqual(report.changed, ["a"])
        let full = dir.appendingPathComponent("full.pack")
        _ = try PackBuilder().build(input: input, output: full)
        XCTAssertEqual(try rows(TestSupport.open(pack.path, cacheIn: dir)), try rows(TestSupport.open(full.path, cacheIn: dir)))
        let members = try ZipDirectory.read(OpenFile(path: pack.path)).members
        XCTAssertTrue(members.contains { $0.name == PackLayout.chunkEmbeddings && !$0.isStored }, "still deflated")
    }

    /// A pack made on an embeddings endpoint grows by asking only for the new and changed texts, even with a cold
    /// cache: the unchanged vectors come from the pack itself.
    func testAnEndpointPackIsGrownWithoutAskingForUnchangedVectors() throws {
        let fake = try FakeEmbeddings(model: "grow-embedder", dimension: 24)
        defer { fake.stop() }
        func config(cache: String) throws -> PackConfig {
            try PackConfig.parse(Data("""
                {"embedding": {"backend": "openai", "base_url": "\(fake.baseURL)", "model": "grow-embedder",
                               "cache_path": "\(dir.appendingPathComponent(cache).path)"}}
                """.utf8), file: "c.json")
        }
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a", "b", "c"])
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder(config: try config(cache: "first.sqlite")).build(input: input, output: pack)
        try writeInput(input, ids: ["a", "b", "c", "d"], words: ["b": "changed"])
        let sent = fake.texts.count
        let report = try PackUpdater(config: try config(cache: "cold.sqlite")).update(pack: pack, input: input)
        XCTAssertEqual(report.added, ["d"])
        XCTAssertEqual(report.changed, ["b"])
        let asked = fake.texts.dropFirst(sent).filter { $0 != "dimension probe" }
        XCTAssertFalse(asked.isEmpty)
        // New (d) and changed (b) videos' chunk and section texts only; nothing of a or c.
        let unexpected = asked.filter { !($0.contains("changed") || $0.contains("dw") || $0.contains("Video d") || $0.contains("Video b")) }
        XCTAssertEqual(unexpected, [], "only new texts are sent")
        XCTAssertGreaterThan(report.vectorsReused, 0)
    }

    /// A member's bytes, read from the archive (`bm25_docs.json` is never unpacked nor read by ytce).
    static func archived(_ name: String, of pack: String) throws -> Data {
        let reader = try ZipArchiveReader(path: pack)
        let entry = try XCTUnwrap(reader.entries.first { $0.name == name }, "\(pack) has no \(name)")
        return try reader.data(of: entry, limit: 1 << 30)
    }

    /// The members ytce's own packs carry for reading in place (chunk table, bucket index) are carried by an updated
    /// pack too, byte for byte what its database and vectors give, and every member stays page-aligned.
    func testAnUpdatedPackCarriesItsChunkTableAndBucketIndexAndStaysAligned() throws {
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a", "b", "c"])
        let pack = dir.appendingPathComponent("p.pack")
        var builder = PackBuilder()
        builder.bucketMinimumChunks = 1
        _ = try builder.build(input: input, output: pack)
        try writeInput(input, ids: ["a", "b", "c", "d"], words: ["b": "changed"])
        var updater = PackUpdater()
        updater.bucketMinimumChunks = 1
        _ = try updater.update(pack: pack, input: input)
        let updated = try TestSupport.open(pack.path, cacheIn: dir)
        let table = dir.appendingPathComponent("table.bin").path, buckets = dir.appendingPathComponent("buckets.bin").path
        try ChunkTableWriter.write(from: updated.database, source: pack.path, to: table)
        try BucketIndexWriter.write(matrix: try XCTUnwrap(updated.chunkEmbeddings), to: buckets)
        XCTAssertEqual(try Self.archived(PackLayout.chunkTable, of: pack.path), try Data(contentsOf: URL(fileURLWithPath: table)),
                       "the chunk table is the one its database gives")
        XCTAssertEqual(try Self.archived(PackLayout.chunkBuckets, of: pack.path), try Data(contentsOf: URL(fileURLWithPath: buckets)),
                       "the bucket index is the one its vectors give")
        let members = try ZipDirectory.read(OpenFile(path: pack.path)).members
        XCTAssertTrue(members.allSatisfy { $0.isStored && $0.dataOffset % Int64(PackLayout.memberAlignment) == 0 }, "aligned, stored")
        XCTAssertEqual(members.map(\.name).sorted(), Array(Set(members.map(\.name))).sorted(),
                       "each member once (a reader that takes the last of two would find the old database)")
        XCTAssertTrue(try PackArchive(path: pack.path).isReadableInPlace)
        // Changed in the new zip itself (parked where the file system can): the new video is in, the old words gone.
        XCTAssertEqual(try updated.database.strings("SELECT count(*) FROM video WHERE video_id = 'd'"), ["1"])
        XCTAssertEqual(try updated.database.strings("SELECT count(*) FROM micro_chunk WHERE video_id = 'b' AND text LIKE '%bw%'"), ["0"])
    }

    /// The bucket index of a grown matrix keeps the pages before the first changed row and indexes the rest again:
    /// the file is byte for byte the one made from the whole new matrix, after an addition and after a removal.
    func testTheBucketIndexOfAGrownMatrixIsTheWholeMatrixsIndex() throws {
        let columns = 16
        // Hash-like rows: small whole counts over the row's length; a few rows of other values (exceptions).
        func row(_ r: Int) -> [Float] {
            var counts = (0..<columns).map { c in Float((r &* 31 &+ c &* 7) % 5) - 2 }
            if r % 9_973 == 0 { counts[0] = 0.123 }
            let length = (counts.reduce(0) { $0 + $1 * $1 }).squareRoot()
            return length > 0 && r % 9_973 != 0 ? counts.map { $0 / length } : counts
        }
        func matrix(_ rows: [Int], _ name: String) throws -> NpyMatrix {
            let path = dir.appendingPathComponent(name).path
            let writer = try NpyWriter(path: path, columns: columns)
            try writer.append(rows.flatMap(row))
            try writer.finish()
            return try NpyMatrix(contentsOf: path)
        }
        let oldRows = Array(0..<66_000)
        let old = try matrix(oldRows, "old.npy")
        let oldIndexPath = dir.appendingPathComponent("old.bin").path
        try BucketIndexWriter.write(matrix: old, to: oldIndexPath)
        let oldIndex = try BucketIndex(contentsOf: oldIndexPath)
        let added = Array(200_000..<201_500)
        for (name, removing) in [("added", [Range<Int>]()), ("changed", [65_600..<65_700, 65_900..<65_950])] {
            let kept = oldRows.enumerated().filter { i, _ in !removing.contains { $0.contains(i) } }.map(\.element)
            let whole = try matrix(kept + added, "\(name).npy")
            let expected = dir.appendingPathComponent("\(name)-expected.bin").path
            try BucketIndexWriter.write(matrix: whole, to: expected)
            let grown = dir.appendingPathComponent("\(name)-grown.bin").path
            try PackUpdater.writeBuckets(keeping: oldIndex, oldMatrix: old, removing: removing, adding: added.flatMap(row),
                                         rows: whole.rows, to: grown)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: grown)), try Data(contentsOf: URL(fileURLWithPath: expected)), name)
            try BucketIndex(contentsOf: grown).check(against: whole)
        }
    }

    /// After an update that replaced a video, the ids have a gap where its old rows were: the span table still
    /// accounts for every table's ids, so the pack opens in place with counts from the spans (no count of every
    /// row, which reads the whole database of a large pack).
    func testAfterAChangeTheSpansStillAccountForTheIdsSoThePackOpensWithoutCountingRows() throws {
        let input = dir.appendingPathComponent("in")
        try writeInput(input, ids: ["a", "b", "c"])
        let pack = dir.appendingPathComponent("p.pack")
        _ = try PackBuilder().build(input: input, output: pack)
        try writeInput(input, ids: ["a", "b", "c"], words: ["b": "changed"])
        _ = try PackUpdater().update(pack: pack, input: input)
        let opened = try TestSupport.open(pack.path, cacheIn: dir)
        XCTAssertTrue(opened.files.isReadInPlace)
        let spans = try XCTUnwrap(VideoSpan.all(in: opened.database)).values
        for (table, column, runs) in [("transcript_segment", "segment_id", spans.map { ($0.firstSegmentID, $0.segmentCount) }),
                                      ("section", "section_id", spans.map { ($0.firstSectionID, $0.sectionCount) }),
                                      ("micro_chunk", "chunk_id", spans.map { ($0.firstChunkID, $0.chunkCount) })] {
            let low = try XCTUnwrap(opened.database.scalarInt("SELECT min(\(column)) FROM \(table)"))
            let high = try XCTUnwrap(opened.database.scalarInt("SELECT max(\(column)) FROM \(table)"))
            XCTAssertGreaterThan(high - low + 1, Int64(runs.reduce(0) { $0 + $1.1 }), "\(table): b's old ids left a gap")
            XCTAssertTrue(VideoSpan.runsCover((low, high), runs), table)
        }
        XCTAssertEqual(opened.counts.chunks, Int(try XCTUnwrap(opened.database.scalarInt("SELECT count(*) FROM micro_chunk"))))
        // Runs that overlap, or that do not reach the ids' ends, do not account for a table.
        XCTAssertTrue(VideoSpan.runsCover((1, 10), [(1, 5), (8, 3)]))
        XCTAssertFalse(VideoSpan.runsCover((1, 10), [(1, 5), (4, 7)]))
        XCTAssertFalse(VideoSpan.runsCover((2, 10), [(1, 5), (8, 3)]))
        XCTAssertFalse(VideoSpan.runsCover((1, 11), [(1, 5), (8, 3)]))
        XCTAssertTrue(VideoSpan.runsCover((0, 0), [(7, 0)]))
    }
}
