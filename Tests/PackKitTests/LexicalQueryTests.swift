import Foundation
import TestHarness
import XCTest
@testable import PackKit

final class LexicalQueryTests: XCTestCase {
    let analyzer = LexicalAnalyzer()

    func weights(_ question: String, known: Set<String> = []) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: LexicalQuery(question, analyzer: analyzer) { known.contains($0) }.terms.map { ($0.text, $0.weight) })
    }

    func testCamelCaseWordsAlsoAskForTheirParts() {
        let terms = weights("Where does PageRank converge for myGrid?")
        for term in ["pagerank", "page", "rank", "converg", "mygrid", "grid"] { XCTAssertNotNil(terms[term], term) }
        XCTAssertNil(terms["my"], "a part that is a stop word stays out")
        XCTAssertEqual(LexicalQuery.camelCaseParts("JSON"), ["JSON"], "all capitals is one word")
        XCTAssertEqual(LexicalQuery.camelCaseParts("iPhone"), ["i", "Phone"])
    }

    func testAdjacentWordsAreJoinedOnlyWhenThePackUsesTheJoinedWord() {
        XCTAssertEqual(weights("the page rank algorithm", known: ["pagerank"])["pagerank"], 1)
        XCTAssertNil(weights("open the page", known: ["thepag"])["thepag"], "never joined with a stop word")
        XCTAssertEqual(weights("Where is the showVideo call?")["show"], LexicalQuery.frameWeight, "a frame word counts less as a part too")
        XCTAssertNil(weights("the page rank algorithm")["pagerank"], "unknown to the pack")
    }

    func testWordsAboutTheVideoWeighLessThanItsContent() {
        let terms = weights("Where does the instructor explain recursion in this video?")
        XCTAssertEqual(terms["instructor"], LexicalQuery.frameWeight)
        XCTAssertEqual(terms["explain"], LexicalQuery.frameWeight)
        XCTAssertEqual(terms["video"], LexicalQuery.frameWeight)
        XCTAssertEqual(terms["recurs"], 1)
    }

    /// A frame word is known by its spelling: "talking to a pet" or "a shower" is content, although "talking"
    /// and "talk" share a stem.
    func testFrameWordsAreRecognisedBySpellingNotByStem() {
        let terms = weights("Where does the lecture explain reserved words with an analogy about talking to a pet?")
        XCTAssertEqual(terms["lectur"], LexicalQuery.frameWeight)
        XCTAssertEqual(terms["explain"], LexicalQuery.frameWeight)
        XCTAssertEqual(terms["talk"], 1, "talking is what the question is about")
        XCTAssertEqual(weights("What did he say about saying no?")["sai"], 1, "content once, so content")
        XCTAssertEqual(weights("How are the explained variance figures shown?")["explain"], 1)
        XCTAssertEqual(weights("How are the explained variance figures shown?")["shown"], LexicalQuery.frameWeight)
    }

    /// "What percentage…" on a channel that says "percent": the stemmer keeps the two apart, so the question's word
    /// would be one the channel never uses and the question refused as off-topic.
    func testAWordThePackNeverUsesAsksForTheKnownWordItExtends() {
        let terms = weights("What extraction percentage does she recommend?", known: ["extract", "percent", "recommend"])
        XCTAssertEqual(terms["percent"], 1)
        XCTAssertNil(terms["percentag"])
        XCTAssertEqual(terms["recommend"], 1, "a known word stays itself")
        XCTAssertEqual(weights("What percentage?", known: ["percentag", "percent"])["percentag"], 1, "the word itself when the pack knows it")
        XCTAssertEqual(weights("the garlic harvest", known: ["gar", "garl", "harv"]).keys.sorted(), ["garlic", "harvest"],
                       "a stem shorter than five letters or three quarters of the word is no fallback")
        XCTAssertEqual(LexicalQuery.knownStem(of: "percentag") { $0 == "percent" }, "percent")
        XCTAssertNil(LexicalQuery.knownStem(of: "python3") { $0 == "python" }, "words with digits are names, not forms of a word")
        XCTAssertEqual(weights("How do the host and the presenter differ?").values.filter { $0 == LexicalQuery.frameWeight }.count, 2,
                       "a channel's host is named like its presenter")
    }

    /// "typos" on a channel that only ever says "typographical errors": the clipped word asks for the one word of
    /// the pack it begins; a clipping that begins several ("comp") or a short one says nothing.
    func testAWordThePackNeverUsesAsksForTheOneKnownWordItClips() {
        let known: Set<String> = ["typograph", "error", "compil", "comput", "dictionari"]
        func query(_ question: String) -> [String] {
            LexicalQuery(question, analyzer: analyzer, isKnown: { known.contains($0) },
                         extensions: { prefix in Array(known.filter { $0.hasPrefix(prefix) && $0 != prefix }.sorted().prefix(2)) }).terms.map(\.text)
        }
        XCTAssertEqual(query("fixing typos"), ["fix", "typograph"])
        XCTAssertEqual(query("comp errors"), ["comp", "error"], "comp begins compile and compute: which one is not said")
        XCTAssertEqual(query("dict"), ["dictionari"])
        XCTAssertEqual(query("dic"), ["dic"], "three letters clip too many words to stand for one")
        XCTAssertEqual(LexicalQuery("fixing typos", analyzer: analyzer) { known.contains($0) }.terms.map(\.text), ["fix", "typo"],
                       "without a list of the pack's words the word stays as it is")
    }

    func testEachTermOnce() {
        let query = LexicalQuery("loops, looping and more loops", analyzer: analyzer) { _ in false }
        XCTAssertEqual(query.terms.map(\.text), ["loop"])
    }
}

final class LexicalTermScoreTests: XCTestCase {
    /// Per-row term scores are the parts of the search's scores, for any set of rows (the galloping walk
    /// skips postings between wanted rows).
    func testTermScoresSumToTheSearchScores() throws {
        let analyzer = LexicalAnalyzer()
        let words = ["loop", "list", "dictionary", "file", "string", "tuple", "regex", "socket", "unicode", "class"]
        var generator = SplitMix64(seed: 42)
        let builder = LexicalIndexBuilder()
        for _ in 0..<2_000 {
            builder.add(terms: analyzer.terms((0..<Int.random(in: 1...30, using: &generator)).map { _ in words.randomElement(using: &generator) ?? "" }.joined(separator: " ")))
        }
        let path = TestSupport.temporaryDirectory(self).appendingPathComponent("lexical_index.bin").path
        try builder.write(to: path)
        let index = try LexicalIndex(contentsOf: path)
        XCTAssertEqual(index.terms(extending: "unic", limit: 2), ["unicod"])
        XCTAssertEqual(index.terms(extending: "s", limit: 5), ["socket", "string"], "in byte order, the prefix itself not listed")
        XCTAssertEqual(index.terms(extending: "loop", limit: 2), [], "a term is not its own extension")
        XCTAssertEqual(index.terms(extending: "zzz", limit: 2), [])
        let query = LexicalQuery(terms: [.init(text: "loop", weight: 1), .init(text: "regex", weight: 0.3),
                                         .init(text: "unicod", weight: 2), .init(text: "absent", weight: 1)])
        let all = Dictionary(uniqueKeysWithValues: index.search(query, k: index.documentCount).map { ($0.row, $0.score) })
        for density in [1, 7, 300] {
            let rows = (0..<index.documentCount).filter { $0 % density == 0 || $0 == index.documentCount - 1 }
            let scores = index.termScores(query, rows: rows)
            for (i, row) in rows.enumerated() {
                XCTAssertEqual(scores[i].reduce(0, +), all[row] ?? 0, accuracy: 1e-4, "row \(row)")
                XCTAssertEqual(scores[i][3], 0)
            }
        }
    }
}
