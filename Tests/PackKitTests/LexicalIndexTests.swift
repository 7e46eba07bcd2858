import Foundation
import XCTest
@testable import PackKit

final class LexicalIndexTests: XCTestCase {
    let analyzer = LexicalAnalyzer()

    func index(_ texts: [String]) throws -> LexicalIndex {
        let builder = LexicalIndexBuilder()
        for text in texts { builder.add(terms: analyzer.terms(text)) }
        let path = TestSupport.temporaryDirectory(self).appendingPathComponent("lexical_index.bin").path
        try builder.write(to: path)
        return try LexicalIndex(contentsOf: path)
    }

    func testAnalyzerStemsDropsStopWordsAndSplits() {
        XCTAssertEqual(analyzer.terms("The Loops, looping; and LOOPED! Python's dictionaries (3.11)"),
                       ["loop", "loop", "loop", "python", "dictionari", "3", "11"])
        XCTAssertEqual(analyzer.terms("Übergrößen café naïve"), ["übergrößen", "café", "naïve"])
        XCTAssertEqual(analyzer.terms(""), [])
    }

    func testBM25FindsTheRareNameFirst() throws {
        let idx = try index([
            "we talk about variables and loops and more loops",
            "Douglas Crockford discovered JSON while working on JavaScript",
            "loops loops loops everywhere loops",
            "nothing relevant here at all",
        ])
        XCTAssertEqual(idx.documentCount, 4)
        XCTAssertEqual(idx.search(terms: analyzer.terms("What did Crockford discover?"), k: 3).first?.row, 1)
        let loops = idx.search(terms: analyzer.terms("looping"), k: 10)
        XCTAssertEqual(loops.map(\.row), [2, 0], "term frequency ranks, stems match")
        XCTAssertEqual(idx.search(terms: analyzer.terms("zebra"), k: 10), [])
        XCTAssertEqual(idx.documentFrequency("loop"), 2)
    }

    /// The postings are written a block of terms at a time from entries kept in blocks of documents; with blocks of a
    /// few entries (many of each, terms whose postings span several blocks, empty documents) the file must be the one
    /// written with a single block of each, and every term must list exactly the rows that hold it.
    func testPostingsWrittenInManyBlocksAreTheSameIndex() throws {
        var generator = SystemRandomNumberGenerator()
        let vocabulary = (0..<60).map { "w\($0)" }
        var documents: [[String]] = []
        for row in 0..<400 {
            // Every 17th document is empty; w0 is in almost every one (its postings span many blocks).
            let count = row % 17 == 0 ? 0 : Int.random(in: 1...30, using: &generator)
            documents.append((0..<count).map { _ in vocabulary[Int.random(in: 0..<vocabulary.count, using: &generator)] } + (count > 0 ? ["w0"] : []))
        }
        func written(entryBlock: Int, postingBlock: Int) throws -> (Data, LexicalIndex) {
            let builder = LexicalIndexBuilder(entryBlock: entryBlock, postingBlock: postingBlock)
            for terms in documents { builder.add(terms: terms) }
            let path = TestSupport.temporaryDirectory(self).appendingPathComponent("index-\(entryBlock)-\(postingBlock).bin").path
            try builder.write(to: path)
            XCTAssertThrowsError(try builder.write(to: path + ".again"), "a builder is written once")
            return (try Data(contentsOf: URL(fileURLWithPath: path)), try LexicalIndex(contentsOf: path))
        }
        let (whole, _) = try written(entryBlock: 1 << 20, postingBlock: 1 << 20)
        let (pieces, index) = try written(entryBlock: 7, postingBlock: 5)
        XCTAssertEqual(pieces, whole)
        for term in vocabulary {
            let expected = documents.indices.filter { documents[$0].contains(term) }
            XCTAssertEqual(index.rows(containing: term), expected, term)
        }
    }

    func testRejectsAFileThatIsNotAnIndex() throws {
        let path = TestSupport.temporaryDirectory(self).appendingPathComponent("bad.bin").path
        try Data(repeating: 7, count: 200).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try LexicalIndex(contentsOf: path))
        var header = Data(LexicalIndex.magic)
        header.append(Data(repeating: 0xFF, count: 72))
        try header.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try LexicalIndex(contentsOf: path))
    }

    /// More distinct words than the format's term ids hold (2^24; a transcript or pack from someone else can
    /// have them) trapped on a precondition; now writing the index fails with a message.
    func testMoreDistinctTermsThanTheFormatHoldsIsAnErrorNotATrap() throws {
        let builder = LexicalIndexBuilder(termLimit: 100)
        for i in 0..<30 { builder.add(terms: ["a\(i)", "b\(i)", "c\(i)", "d\(i)"]) }
        let path = TestSupport.temporaryDirectory(self).appendingPathComponent("lexical_index.bin").path
        XCTAssertThrowsError(try builder.write(to: path)) { error in
            XCTAssertEqual("\(error)", "the chunks hold more than 100 distinct words, more than a lexical index can hold")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    /// Lexical ranking alone, windows merged, on the real question sets: the floor the hybrid engine builds on.
    func testLexicalBaselineOnTheRealQuestionSets() throws {
        for (packName, questionFile, floor) in [("py4e.pack", "py4e.questions.json", 0.8), ("hf-course.pack", "hf-course.questions.json", 0.8)] {
            let dir = TestSupport.temporaryDirectory(self)
            let pack = try TestSupport.open(try TestSupport.referencePack(packName), cacheIn: dir)
            let statement = try pack.database.prepare("SELECT video_id, start_ms, end_ms, text FROM micro_chunk ORDER BY chunk_id")
            var rows: [(String, Int, Int)] = []
            let builder = LexicalIndexBuilder()
            while try statement.step() {
                rows.append((statement.string(0) ?? "", statement.int(1), statement.int(2)))
                builder.add(terms: analyzer.terms(statement.string(3) ?? ""))
            }
            let path = dir.appendingPathComponent("lexical_index.bin").path
            try builder.write(to: path)
            let idx = try LexicalIndex(contentsOf: path)
            let set = try EvaluationSet.load(try TestSupport.shared("fixtures/eval/\(questionFile)"))
            var ranks: [Int?] = []
            for q in set.questions {
                let hits = idx.search(terms: analyzer.terms(q.text), k: 50).map { h in
                    (videoID: rows[h.row].0, startMs: rows[h.row].1, endMs: rows[h.row].2, score: h.score, row: h.row)
                }
                let moments = MomentMerger.merge(hits, limit: 10)
                ranks.append(moments.firstIndex { set.isHit(q, videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs) }.map { $0 + 1 })
            }
            let report = EvaluationReport(kinds: set.questions.map(\.kind), ranks: ranks)
            print(String(format: "lexical baseline %@: hit@1 %.2f hit@5 %.2f hit@10 %.2f MRR %.2f", packName,
                         report.overall.hitAt1, report.overall.hitAt5, report.overall.hitAt10, report.overall.mrr),
                  report.byKind.map { "\($0.key) hit@5 \(String(format: "%.2f", $0.value.hitAt5))" }.sorted())
            XCTAssertGreaterThanOrEqual(report.overall.hitAt5, floor, packName)
        }
    }
}

final class LexicalSessionTests: XCTestCase {
    /// The fast path gives exactly the analyzer's terms, on real captions and on edge cases.
    func testSessionTermsEqualTheAnalyzers() throws {
        let analyzer = LexicalAnalyzer()
        let session = LexicalSession(analyzer: analyzer)
        var texts = ["The LOOPS looping; x1y2 3.11 don't", "", "   ", "a-very-long-hyphenated-compound-word-with-parts",
                     "supercalifragilisticexpialidocious antidisestablishmentarianism", "Café naïve ΟΔΟΣ mixed ascii words",
                     "tab\tseparated\u{1F}control", String(repeating: "word ", count: 200)]
        let pack = try TestSupport.open(try TestSupport.referencePack("hf-course.pack"), cacheIn: TestSupport.temporaryDirectory(self))
        texts += try pack.database.strings("SELECT text FROM micro_chunk ORDER BY chunk_id LIMIT 300")
        for text in texts {
            var ids: [Int32] = []
            session.appendTermIDs(of: text, to: &ids)
            XCTAssertEqual(ids.map { session.terms[Int($0)] }, analyzer.terms(text), text)
        }
    }

    /// A hash build reads each segment once for its hash features and its terms (`SegmentTokens`): both must be what
    /// each gives alone, token by token, for texts that repeat tokens (the shared table's hits), tokens with several
    /// words or none ("don't", "3.11", "--", "the"), long and control-byte tokens, and non-ASCII ones (read apart).
    func testOneReadingGivesTheHashFeaturesAndTermsEachGivesAlone() throws {
        let analyzer = LexicalAnalyzer()
        let texts = ["The LOOPS looping; x1y2 3.11 don't -- the THE", "", "   ", "a-very-long-hyphenated-compound-word-with-parts",
                     "Café naïve ΟΔΟΣ mixed ascii words", "tab\tseparated\u{1F}control\u{01}inside e.g. (parens) [1]",
                     String(repeating: "word Word, WORD. ", count: 50), "don't stop: 42% of 3.11's users!"]
        var segments = texts.enumerated().map { TranscriptSegment(startMs: $0.offset * 1000, endMs: $0.offset * 1000 + 900, text: $0.element) }
        let pack = try TestSupport.open(try TestSupport.referencePack("hf-course.pack"), cacheIn: TestSupport.temporaryDirectory(self))
        for (i, text) in try pack.database.strings("SELECT text FROM transcript_segment ORDER BY segment_id LIMIT 2000").enumerated() {
            segments.append(TranscriptSegment(startMs: 100_000 + i * 1000, endMs: 100_000 + i * 1000 + 900, text: text))
        }
        let hashing = HashEmbeddingSession(dimension: 384), alone = HashEmbeddingSession(dimension: 384)
        let lexical = LexicalSession(analyzer: analyzer)
        let tokens = SegmentTokens(segments, hashing: hashing, lexical: lexical)
        for (s, segment) in segments.enumerated() {
            var features: [Int32] = []
            alone.appendFeatures(of: segment.text, to: &features)
            XCTAssertEqual(Array(tokens.features[tokens.featureStarts[s]..<tokens.featureStarts[s + 1]]), features, segment.text)
            let terms = tokens.termIDs[tokens.termStarts[s]..<tokens.termStarts[s + 1]].map { lexical.terms[Int($0)] }
            XCTAssertEqual(terms, analyzer.terms(segment.text), segment.text)
        }
        XCTAssertEqual(tokens.featureStarts.count, segments.count + 1)
    }
}
