import Foundation
import TestHarness
import XCTest
@testable import PackKit

final class RetrieverTests: XCTestCase {
    func testFindsTheGoldMomentAndResolvesSegments() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let cache = TestSupport.cache(in: dir)
        let pack = try ChannelPack.open(try TestSupport.referencePack("py4e.pack"), options: .init(cache: cache))
        let retriever = try Retriever(pack: pack, cache: cache)
        let result = try retriever.search("What does Crockford say about Netscape and JavaScript as a data interchange format?", topK: 10)
        XCTAssertEqual(result.notes, [])
        let hit = try XCTUnwrap(result.hits.first { $0.videoID == "kc8BAR7SHJI" }, "the Crockford interview is among the hits")
        XCTAssertFalse(hit.segmentIDs.isEmpty)
        XCTAssertEqual(hit.title, "Discovering JavaScript Object Notation with Douglas Crockford")
        // The segments really are the ones covering the moment.
        let covered = try pack.database.strings("SELECT segment_id FROM transcript_segment WHERE video_id = 'kc8BAR7SHJI' AND start_ms < \(hit.endMs) AND end_ms > \(hit.startMs) ORDER BY segment_id")
        XCTAssertEqual(hit.segmentIDs.map(String.init), covered)
        // Distinct moments: no two hits of one video overlap.
        for (i, a) in result.hits.enumerated() {
            for b in result.hits[(i + 1)...] where a.videoID == b.videoID {
                XCTAssertFalse(a.startMs < b.endMs && b.startMs < a.endMs, "overlapping hits \(a.startMs)-\(a.endMs) and \(b.startMs)-\(b.endMs)")
            }
        }
        // The index was built once into the pack's derived-files entry of the cache and is reused.
        XCTAssertTrue(FileManager.default.fileExists(atPath: try LexicalIndexStore.location(for: pack, cache: cache).path))
        XCTAssertEqual(cache.list().first { $0.name.hasPrefix("derived-") }?.info, PackCache.Info(kind: .derived, pack: pack.source))
    }

    func testPackWhoseEmbeddingsYtceCannotComputeSearchesLexicallyWithANote() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let cache = TestSupport.cache(in: dir)
        let pack = try ChannelPack.open(try TestSupport.referencePack("py4e.minilm.pack"), options: .init(cache: cache))
        // A model folder that does not hold the model: as on a machine without MiniLM.
        let result = try Retriever(pack: pack, cache: cache, modelDirectory: dir.appendingPathComponent("no-model").path)
            .search("how do I install Python on Windows", topK: 5)
        XCTAssertEqual(result.notes.count, 1)
        XCTAssertTrue(result.notes[0].contains("lexical search only"), result.notes[0])
        XCTAssertEqual(result.hits.count, 5)
    }

    func testSearchCLIPrintsTheDocumentedJSON() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let sample = TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path
        let result = try TestSupport.run(try TestSupport.ytceBinary(), ["pack", "search", "--pack", sample, "--question", "how long should cold brew steep",
                                                                         "--top-k", "3", "--json", "--cache-dir", dir.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        guard case .array(let hits)? = try JSONValue.parse(Data(result.stdout.utf8))["hits"] else { return XCTFail(result.stdout) }
        XCTAssertEqual(hits.count, 3)
        for hit in hits {
            for key in ["video_id", "title", "url", "start_ms", "end_ms", "score", "text", "segment_ids"] {
                XCTAssertNotNil(hit[key], "missing \(key)")
            }
        }
        XCTAssertTrue(hits[0]["text"]?.stringValue?.lowercased().contains("hour") ?? false, "\(hits[0])")
    }
}

final class MomentMergerTests: XCTestCase {
    /// A window bridging two kept moments folds them into one only when the whole stays within the bound.
    func testABridgeBetweenTwoMomentsRespectsTheBound() {
        let near: [(videoID: String, startMs: Int, endMs: Int, score: Float, row: Int)] = [
            ("a", 0, 45_000, 9, 0), ("a", 90_000, 135_000, 8, 3), ("a", 30_000, 105_000, 7, 1)]
        XCTAssertEqual(MomentMerger.merge(near, limit: 10).map { [$0.startMs, $0.endMs] }, [[0, 135_000]])
        let far: [(videoID: String, startMs: Int, endMs: Int, score: Float, row: Int)] = [
            ("a", 0, 200_000, 9, 0), ("a", 250_000, 450_000, 8, 1), ("a", 150_000, 300_000, 7, 2)]
        XCTAssertEqual(MomentMerger.merge(far, limit: 10).map { [$0.startMs, $0.endMs] }, [[0, 200_000], [250_000, 450_000]],
                       "0-450 s would pass five minutes: the bridge is left out and both moments stay as they were")
    }

    /// A run of overlapping windows (45 s every 30 s, ten minutes of them) makes a moment of at most five
    /// minutes around the best window, not a ten-minute "moment"; windows beyond it that no longer touch it
    /// are moments of their own, after it, and no two moments overlap.
    func testAMomentNeverGrowsPastItsMaximumSpan() {
        var hits: [(videoID: String, startMs: Int, endMs: Int, score: Float, row: Int)] = []
        for i in 0..<20 {
            // Best in the middle, falling off on both sides.
            hits.append(("a", 300_000 + (i % 2 == 0 ? 1 : -1) * (i / 2) * 30_000, 345_000 + (i % 2 == 0 ? 1 : -1) * (i / 2) * 30_000,
                         Float(100 - i), i))
        }
        hits.append(("b", 0, 45_000, 1, 100))
        let moments = MomentMerger.merge(hits, limit: 10)
        XCTAssertEqual(moments.first?.videoID, "a")
        XCTAssertEqual(moments.last?.videoID, "b")
        for (i, x) in moments.enumerated() {
            XCTAssertLessThanOrEqual(x.endMs - x.startMs, MomentMerger.maxSpanMs)
            for y in moments[(i + 1)...] where x.videoID == y.videoID {
                XCTAssertFalse(x.startMs < y.endMs && y.startMs < x.endMs, "\(x.startMs)-\(x.endMs) overlaps \(y.startMs)-\(y.endMs)")
            }
        }
        XCTAssertLessThanOrEqual(moments[0].endMs - moments[0].startMs, MomentMerger.maxSpanMs)
        XCTAssertTrue(moments[0].startMs <= 300_000 && moments[0].endMs >= 345_000, "the best window is in it")
        XCTAssertGreaterThan(moments[0].endMs - moments[0].startMs, MomentMerger.maxSpanMs - 60_000, "its neighbours still join up to the bound")
    }

    func testOverlappingWindowsBecomeOneMomentAndMomentsNeverOverlap() {
        let hits: [(videoID: String, startMs: Int, endMs: Int, score: Float, row: Int)] = [
            ("a", 30_000, 75_000, 9, 1),
            ("a", 90_000, 135_000, 8, 3),   // a separate moment at first
            ("b", 0, 45_000, 7, 10),
            ("a", 60_000, 105_000, 6, 2),   // bridges the two moments of "a": they fold into the first
            ("c", 0, 45_000, 5, 20),
            ("a", 0, 45_000, 4, 0),
        ]
        let moments = MomentMerger.merge(hits, limit: 3)
        XCTAssertEqual(moments.map(\.videoID), ["a", "b", "c"])
        XCTAssertEqual(moments[0].startMs, 0)
        XCTAssertEqual(moments[0].endMs, 135_000)
        XCTAssertEqual(moments[0].score, 9)
        XCTAssertEqual(Set(moments[0].chunkRows), [0, 1, 2, 3])
    }
}

/// A toy semantic embedder for ranking tests: words of one concept share a dimension, so a paraphrase lands
/// near the original while sharing no word with it.
struct ConceptEmbedder: Embedder {
    static let concepts: [[String]] = [["car", "automobile", "vehicle"], ["fix", "fixing", "repair", "repairing", "mend"],
                                       ["engine", "motor"], ["cook", "cooking", "bake", "baking"], ["bread", "loaf", "dough"]]
    var modelID: String { "test-concepts-32" }
    var dimension: Int { 32 }
    func makeSession() -> any EmbeddingSession { Session() }

    final class Session: EmbeddingSession {
        func embed(_ text: String, into out: inout [Float], at offset: Int) {
            for k in 0..<32 { out[offset + k] = 0 }
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) {
                let w = String(word)
                if let c = ConceptEmbedder.concepts.firstIndex(where: { $0.contains(w) }) {
                    out[offset + c] += 1
                } else {
                    out[offset + 5 + Int(w.unicodeScalars.reduce(UInt32(7)) { $0 &* 31 &+ $1.value } % 27)] += 0.2
                }
            }
            var norm: Float = 0
            for k in 0..<32 { norm += out[offset + k] * out[offset + k] }
            norm = norm.squareRoot() + 1e-12
            for k in 0..<32 { out[offset + k] /= norm }
        }
    }
}

final class RankingTests: XCTestCase {
    /// A small channel: each video talks about one thing for a few minutes.
    /// `lines` replaces single cues (3 s each, by index) of a video's transcript.
    func makePack(_ topics: [String: String], filler: [String: String] = [:], lines: [String: [Int: String]] = [:]) throws -> (ChannelPack, PackCache) {
        var cues: [String: [Int: String]] = [:]
        for (id, sentence) in topics { cues[id] = [30: sentence].merging(lines[id] ?? [:]) { _, line in line } }
        return try TestSupport.cuePack(cues, in: TestSupport.temporaryDirectory(self), embedder: ConceptEmbedder()) { id, i in
            "\(filler[id] ?? "and then we keep going with the usual steps") number \(i % 9)"
        }
    }

    func testARareNameIsFoundLexically() throws {
        let (pack, cache) = try makePack(["aaa": "we once sailed to Zanzibar with the crew",
                                          "bbb": "the weather was calm all week",
                                          "ccc": "nothing much happened at sea"])
        let hits = try Retriever(pack: pack, cache: cache, embedder: ConceptEmbedder()).search("Zanzibar", topK: 3).hits
        XCTAssertEqual(hits.first?.videoID, "aaa")
        XCTAssertTrue(hits.first?.text.contains("Zanzibar") ?? false)
        XCTAssertLessThanOrEqual(hits.first?.startMs ?? 0, 90_000)
        XCTAssertGreaterThanOrEqual(hits.first?.endMs ?? 0, 90_000)
    }

    func testAParaphraseIsFoundByVectorsWhereLexicalFails() throws {
        let (pack, cache) = try makePack(["aaa": "today we repair an automobile engine together",
                                          "bbb": "today we bake a loaf of dough together",
                                          "ccc": "today we paint the garden fence together"])
        let retriever = try Retriever(pack: pack, cache: cache, embedder: ConceptEmbedder())
        XCTAssertEqual(retriever.notes, [])
        // No word of the question occurs in the transcript: only the vectors can find it.
        let hits = try retriever.search("fixing a car motor", topK: 3).hits
        XCTAssertEqual(hits.first?.videoID, "aaa", "\(hits.map(\.videoID))")
        // Without a semantic embedder the same pack falls back to lexical search, with a note.
        let lexicalOnly = try Retriever(pack: pack, cache: cache)
        XCTAssertTrue(lexicalOnly.notes.first?.contains("lexical search only") ?? false)
    }

    /// Times are 64-bit from the database to the citation: a moment 700 hours in (past 2^31 ms, where times were
    /// clamped to 596:31:23 and lost their text) comes back at its own time with its words.
    func testTimesPastTwoToTheThirtyFirstMillisecondsSurviveSearch() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let built = try TestSupport.open(try {
            let output = dir.appendingPathComponent("demo.pack")
            _ = try PackBuilder().build(input: try TestSupport.shared("fixtures/demo_channel"), output: output)
            return output.path
        }(), cacheIn: dir)
        let folder = dir.appendingPathComponent("unpacked")
        try TestSupport.unpack(built.source, to: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.appendingPathComponent(PackLayout.database).path)
        let offset = 700 * 3_600_000
        let db = try SQLiteDatabase(path: folder.appendingPathComponent(PackLayout.database).path, mode: .readWriteCreate)
        for table in ["transcript_segment", "micro_chunk", "section"] {
            try db.execute("UPDATE \(table) SET start_ms = start_ms + \(offset), end_ms = end_ms + \(offset) WHERE video_id = 'vid001'")
        }
        let pack = try ChannelPack.open(folder.path, options: .init(cache: TestSupport.cache(in: dir)))
        let hit = try XCTUnwrap(try Retriever(pack: pack, cache: TestSupport.cache(in: dir)).search("laptop note app", topK: 3).hits.first)
        XCTAssertEqual(hit.videoID, "vid001")
        XCTAssertEqual(hit.startMs, offset)
        XCTAssertTrue(hit.text.contains("a laptop, a note app, and a task manager"), hit.text)
        XCTAssertTrue(Citation(videoID: hit.videoID, startMs: hit.startMs, endMs: hit.endMs).description.hasPrefix("[vid001 @ 700:00:00-700:0"))
        XCTAssertEqual(try VideoTranscript.load("vid001", from: pack).segments.first?.startMs, offset)
    }

    func testAMismatchedEmbedderIsRefused() throws {
        let (pack, cache) = try makePack(["aaa": "hello world"])
        XCTAssertThrowsError(try Retriever(pack: pack, cache: cache, embedder: HashEmbedder(dimension: 32)))
    }

    /// A question's words told over two neighbouring windows make a better moment than an introduction that
    /// repeats half of them: alone, each of the passage's windows scores below the introduction's.
    func testAPassageSpreadOverNeighbouringWindowsBeatsAnIntroductionRepeatingSomeWords() throws {
        let (pack, cache) = try makePack(["intro": "we keep going", "passage": "we keep going", "other": "we keep going"],
                                         lines: ["intro": [1: "welcome, today regex pattern, regex pattern, regex pattern"],
                                                 "passage": [21: "now this regex pattern", 40: "is greedy and it backtracks"]])
        let question = "How does a greedy regex pattern end up backtracking?"
        let retriever = try Retriever(pack: pack, cache: cache, embedder: ConceptEmbedder())
        let hits = try retriever.search(question, topK: 3).hits
        XCTAssertEqual(hits.first?.videoID, "passage", "\(hits.map(\.videoID))")
        XCTAssertTrue(hits.first.map { $0.startMs <= 63_000 && $0.endMs >= 120_000 } ?? false, "the moment spans both halves")
        // Windows scored alone: the introduction wins, which is what the neighbourhood fixes.
        retriever.settings.neighbourhoodOwnWeight = nil
        XCTAssertEqual(try retriever.search(question, topK: 3).hits.first?.videoID, "intro")
    }

    /// Coarse to fine must not lose a strong chunk in a weak section: the best sections (by vectors) are
    /// all about baking, yet the one moment that names the question's rare words sits in a video about fences.
    func testAStrongChunkInAWeakSectionIsNotLost() throws {
        var topics: [String: String] = [:], filler: [String: String] = [:]
        for n in 1...7 {
            topics["bake\(n)"] = "we bake another loaf of bread"
            filler["bake\(n)"] = "we bake the bread dough and cook the loaf"
        }
        topics["fence"] = "the zanzibar sourdough trick is to bake it twice"
        filler["fence"] = "we paint the garden fence white"
        let (pack, cache) = try makePack(topics, filler: filler)
        let retriever = try Retriever(pack: pack, cache: cache, embedder: ConceptEmbedder())
        let sections = Int(try pack.database.scalarInt("SELECT count(*) FROM section") ?? 0)
        XCTAssertGreaterThan(sections, retriever.settings.topSections, "more sections than the coarse pass keeps")
        let hits = try retriever.search("zanzibar sourdough bake", topK: 5).hits
        XCTAssertEqual(hits.first?.videoID, "fence", "\(hits.map(\.videoID))")
        XCTAssertTrue(hits.first?.text.contains("zanzibar sourdough") ?? false)
    }
}

/// Large packs carry an HNSW graph over their chunk vectors; search uses it, and falls back to the exact scan
/// with a note when the graph does not match the vectors.
final class PackGraphTests: XCTestCase {
    func testBuiltGraphIsUsedAndAMismatchedOneIsRefused() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let input = try TestSupport.shared("fixtures/channels/hf-course")
        // A dense embedder gets a graph (hash-embedded packs are searched exactly through a column copy instead).
        var builder = PackBuilder()
        builder.embedder = ConceptEmbedder()
        builder.annMinimumChunks = 1
        let withGraph = dir.appendingPathComponent("graph.pack")
        _ = try builder.build(input: input, output: withGraph)
        let names = try ZipArchiveReader(path: withGraph.path).entries.map(\.name)
        XCTAssertTrue(names.contains(PackLayout.chunkGraph), "\(names)")
        let cache = TestSupport.cache(in: dir)
        let pack = try ChannelPack.open(withGraph.path, options: .init(cache: cache))
        let retriever = try Retriever(pack: pack, cache: cache, embedder: ConceptEmbedder())
        XCTAssertNotNil(retriever.graph)
        XCTAssertEqual(retriever.notes, [])

        // The same question ranked with the exact scan (a pack built without the graph) finds the same moments.
        let plain = dir.appendingPathComponent("plain.pack")
        builder.annMinimumChunks = Int.max
        _ = try builder.build(input: input, output: plain)
        let exact = try Retriever(pack: try ChannelPack.open(plain.path, options: .init(cache: cache)), cache: cache, embedder: ConceptEmbedder())
        XCTAssertNil(exact.graph)
        for question in ["how do I fine-tune a model with the Trainer API", "what does the tokenizer do with padding"] {
            XCTAssertEqual(try retriever.search(question, topK: 5).hits.map(\.startMs), try exact.search(question, topK: 5).hits.map(\.startMs), question)
        }

        // A graph built for other vectors of the same shape is refused: exact search, with a note.
        let folder = dir.appendingPathComponent("folder")
        try TestSupport.unpack(pack.source, to: folder)
        let path = folder.appendingPathComponent(PackLayout.chunkEmbeddings).path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 1] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        let tampered = try Retriever(pack: try ChannelPack.open(folder.path, options: .init(cache: cache)), cache: cache, embedder: ConceptEmbedder())
        XCTAssertNil(tampered.graph)
        XCTAssertTrue(tampered.notes.contains { $0.contains("exact vector search") && $0.contains("fingerprint") }, "\(tampered.notes)")
    }
}

/// The bucket index answers sparse (hash) questions as the full scan does, lists rows that are not hash counts as
/// exceptions (scored from the matrix), and is refused for other vectors or when its bytes lie.
final class BucketIndexTests: XCTestCase {
    /// Hash vectors of random texts (two pages of rows), with a few rows that are not counts and a few all zero.
    func hashMatrix(in dir: URL, rows: Int, columns: Int, name: String = "m.npy") throws -> (matrix: NpyMatrix, values: [Float]) {
        var random = SplitMix64(seed: 7)
        let words = (0..<400).map { "w\($0)" }
        let session = HashEmbedder(dimension: columns).makeSession()
        var values: [Float] = []
        values.reserveCapacity(rows * columns)
        var texts: [String] = []
        for r in 0..<rows {
            if r % 9_973 == 5 {
                if !texts.isEmpty { values += session.embed(texts, dimension: columns) }
                texts.removeAll()
                values += (0..<columns).map { _ in Float(random.next() % 1000) / 997 }  // not whole counts: an exception
                continue
            }
            texts.append(r % 10_007 == 3 ? "" : (0..<(3 + Int(random.next() % 20))).map { _ in words[Int(random.next() % 400)] }.joined(separator: " "))
            if texts.count == 512 {
                values += session.embed(texts, dimension: columns)
                texts.removeAll()
            }
        }
        if !texts.isEmpty { values += session.embed(texts, dimension: columns) }
        let npy = dir.appendingPathComponent(name).path
        let writer = try NpyWriter(path: npy, columns: columns)
        try writer.append(values)
        try writer.finish()
        return (try NpyMatrix(contentsOf: npy), values)
    }

    func testSparseQueriesMatchTheFullScan() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let columns = 64
        let (matrix, values) = try hashMatrix(in: dir, rows: 70_000, columns: columns)
        XCTAssertEqual(matrix.rows, 70_000)
        let path = dir.appendingPathComponent("m.buckets").path
        try BucketIndexWriter.write(matrix: matrix, to: path)
        let index = try BucketIndex(contentsOf: path)
        try index.check(against: matrix)
        XCTAssertEqual(index.pages, 2)
        XCTAssertEqual(index.exceptions, stride(from: 5, to: 70_000, by: 9_973).map { $0 })
        XCTAssertTrue(index.isUseful)
        let session = HashEmbedder(dimension: columns).makeSession()
        for question in ["w1 w2 w3", "w17 w399", "w5 w5 w6 w300 w301", "nothing", "w42"] {
            let query = session.embed([question], dimension: columns)
            let exact = VectorSearch.topK(query, in: matrix, k: 50)
            let found = index.topK(query, k: 50, matrix: matrix, threads: 2)
            // The same scores up to float rounding (the sums run in another order).
            XCTAssertEqual(found.count, exact.count, question)
            for (a, b) in zip(found, exact) { XCTAssertEqual(a.score, b.score, accuracy: 1e-5, question) }
        }
        // Vectors that are not hash counts: every row an exception, and the index says it does not pay.
        let noise = dir.appendingPathComponent("noise.npy").path
        let writer = try NpyWriter(path: noise, columns: columns)
        try writer.append((0..<(200 * columns)).map { Float($0 % 13) / 7.3 + 0.01 })
        try writer.finish()
        try BucketIndexWriter.write(matrix: try NpyMatrix(contentsOf: noise), to: path + ".noise")
        XCTAssertFalse(try BucketIndex(contentsOf: path + ".noise").isUseful)
        // An index made from other vectors of the same shape is refused.
        var changed = values
        changed[0] += 1
        let other = dir.appendingPathComponent("o.npy").path
        let otherWriter = try NpyWriter(path: other, columns: columns)
        try otherWriter.append(changed)
        try otherWriter.finish()
        XCTAssertThrowsError(try index.check(against: try NpyMatrix(contentsOf: other))) { error in
            XCTAssertTrue("\(error)".contains("not made from this pack's chunk vectors"), "\(error)")
        }
    }

    /// A hash embedder hands the bucket index its rows as whole counts; the index must come out as it does when the
    /// counts are recovered from the stored floats: rows whose smallest count is 1, rows whose counts share a
    /// factor (2, 4, 6), rows with a count past Int8 (an exception), empty rows, sparse and dense rows alike.
    func testRowsGivenAsWholeCountsMatchRowsRecoveredFromFloats() {
        let columns = 48
        var generator = SystemRandomNumberGenerator()
        var given = BucketRows(), recovered = BucketRows()
        var shapes = [[Float]](repeating: [Float](repeating: 0, count: columns), count: 4)
        shapes[1][3] = 2; shapes[1][7] = -4; shapes[1][40] = 6  // a shared factor: taken as 1, -2, 3
        shapes[2][0] = 1; shapes[2][9] = 200                    // beyond Int8: an exception either way
        shapes[3][5] = -1                                       // one count
        for _ in 0..<500 {
            var row = [Float](repeating: 0, count: columns)
            for _ in 0..<Int.random(in: 1...120, using: &generator) {
                row[Int.random(in: 0..<columns, using: &generator)] += Bool.random(using: &generator) ? 1 : -1
            }
            shapes.append(row)
        }
        var fastRows = 0
        for counts in shapes {
            var row = counts
            let whole = row.withUnsafeBufferPointer { given.appendRow(wholeCounts: $0) }
            row.withUnsafeMutableBufferPointer { HashEmbeddingSession.normalise($0) }
            if whole { fastRows += 1 } else { row.withUnsafeBufferPointer { given.appendRow($0) } }
            row.withUnsafeBufferPointer { recovered.appendRow($0) }
        }
        XCTAssertGreaterThan(fastRows, shapes.count / 2)
        XCTAssertEqual(given.columns, recovered.columns)
        XCTAssertEqual(given.counts, recovered.counts)
        XCTAssertEqual(given.ends, recovered.ends)
        XCTAssertEqual(given.divisors.map(\.bitPattern), recovered.divisors.map(\.bitPattern))
        XCTAssertEqual(given.divisors[0], 0)
        XCTAssertEqual(Array(given.counts[0..<3]), [1, -2, 3])
        XCTAssertEqual(given.divisors[2], -1)
    }

    /// Bytes that lie (a count that goes down, an entry count past the page, a divisor that is not a number, a
    /// truncated file) are refused with a message when the index is opened, never trusted by a search.
    func testLyingIndexesAreRefused() throws {
        let dir = TestSupport.temporaryDirectory(self)
        let (matrix, _) = try hashMatrix(in: dir, rows: 3_000, columns: 32)
        let path = dir.appendingPathComponent("m.buckets").path
        try BucketIndexWriter.write(matrix: matrix, to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        _ = try BucketIndex(contentsOf: path)
        func u64(_ data: Data, _ at: Int) -> Int { Int(data[at..<(at + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) }
        let pageStart = 128, divisorsAt = u64(good, 48)
        var cases: [(String, Data)] = []
        var decreasing = good
        decreasing[pageStart + 4 * 5 + 2] = 0x7F  // bucket 5's cumulative count jumps past the next one
        cases.append(("entry counts go down", decreasing))
        var tooMany = good
        for i in 0..<4 { tooMany[pageStart + 4 * 32 + i] = 0x7F }
        cases.append(("more than its", tooMany))
        var notANumber = good
        for (i, byte) in [UInt8](arrayLiteral: 0x00, 0x00, 0xC0, 0x7F).enumerated() { notANumber[divisorsAt + i] = byte }
        cases.append(("divisor", notANumber))
        cases.append(("outside the file", good.prefix(good.count - 16)))
        var badRows = good
        badRows[14] = 0x01
        cases.append(("row count", badRows))
        for (expected, bytes) in cases {
            let lying = dir.appendingPathComponent("lying.bin")
            try bytes.write(to: lying)
            XCTAssertThrowsError(try BucketIndex(contentsOf: lying.path), expected) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(expected): \(error)")
            }
        }
    }
}
