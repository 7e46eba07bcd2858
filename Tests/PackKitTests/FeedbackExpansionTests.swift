import Foundation
import TestHarness
import XCTest
@testable import PackKit

/// Pseudo-relevance feedback on a hash pack (vectors of words, no meaning): a paraphrase is found through the
/// words the moments it does find share; a question whose best moment names it is left alone.
final class FeedbackExpansionTests: XCTestCase {
    /// Videos of 60 cues of 3 s: filler, with `lines` at their cues.
    func makeHashPack(_ lines: [String: [Int: String]]) throws -> (ChannelPack, PackCache) {
        try TestSupport.cuePack(lines, in: TestSupport.temporaryDirectory(self)) { _, i in
            "and then we keep going with the usual steps number \(i % 9)"
        }
    }

    /// Videos that talk about something else, sharing no word with the questions below.
    static let otherTopics = ["garden", "bread", "fence", "boats", "music", "trains"]

    /// Two videos each name one of the question's words and both talk of "the smallest value"; the video that
    /// answers says "smallest value" and "none" but none of the question's words. The best window holds a fifth of
    /// the question, so it is expanded, and only the second search tells the answer from the talk of other things.
    func testAParaphraseIsFoundThroughTheWordsItsFirstMomentsShare() throws {
        var lines: [String: [Int: String]] = [
            "answer": [30: "start the smallest value at none, never at a guessed number"],
            "tracking": [30: "the tracking one remembers the smallest value seen"],
            "sentinel": [30: "a sentinel also remembers the smallest value"],
            "loops": [30: "a loop runs the body once per item"],
            "lists": [30: "a list keeps items in order"],
            "counter": [30: "a counter counts upward"],
        ]
        for topic in Self.otherTopics { lines[topic] = [30: "today we talk about \(topic) for a while"] }
        let (pack, cache) = try makeHashPack(lines)
        let question = "Why does the tracking counter in a loop over a list need a sentinel?"
        let retriever = try Retriever(pack: pack, cache: cache)
        XCTAssertEqual(retriever.mode(), .hash)
        // Hash vectors rank the videos that share no word by their rows; the words alone are what is tested.
        retriever.settings.vectorWeight = 0
        let filler = Set(Self.otherTopics)
        // Each video's best score among the moments found (every video has one: ten moments, ten videos).
        func best() throws -> [String: Double] {
            try retriever.search(question, topK: 40).hits.reduce(into: [:]) { $0[$1.videoID] = max($0[$1.videoID] ?? 0, $1.score) }
        }
        let expanded = try best()
        let ranked = expanded.sorted { $0.value > $1.value }.map(\.key)
        XCTAssertEqual(Set(ranked.prefix(5)), ["tracking", "sentinel", "loops", "lists", "counter"],
                       "the question's own words still lead: \(ranked)")
        let fillerBest = try XCTUnwrap(expanded.filter { filler.contains($0.key) }.values.max())
        XCTAssertGreaterThan(expanded["answer"] ?? 0, fillerBest, "the answer rises above the talk of other things: \(ranked)")

        retriever.settings.feedback = nil
        let alone = try best()
        let aloneFiller = try XCTUnwrap(alone.filter { filler.contains($0.key) }.values.max())
        XCTAssertLessThanOrEqual(alone["answer"] ?? 0, aloneFiller, "the words alone do not tell it from the rest: \(alone)")
    }

    /// A question its best moment names whole is not expanded: the ranking is the one search's, although the
    /// other moments share words that would pull it elsewhere.
    func testAQuestionItsBestMomentNamesIsNotExpanded() throws {
        var lines: [String: [Int: String]] = [
            "answer": [30: "the zanzibar ferry leaves at dawn"],
            "crew1": [30: "the zanzibar crew sang sea shanties"],
            "crew2": [30: "the ferry crew sang sea shanties"],
        ]
        for topic in Self.otherTopics { lines[topic] = [30: "today we talk about \(topic) for a while"] }
        let (pack, cache) = try makeHashPack(lines)
        let question = "When does the zanzibar ferry leave?"
        let retriever = try Retriever(pack: pack, cache: cache)
        let expanded = try retriever.search(question, topK: 5).hits
        retriever.settings.feedback = nil
        let alone = try retriever.search(question, topK: 5).hits
        XCTAssertEqual(expanded.first?.videoID, "answer")
        XCTAssertEqual(expanded.map(\.videoID), alone.map(\.videoID))
        XCTAssertEqual(expanded.map(\.score), alone.map(\.score))
    }

    /// Words in more than the allowed share of the pack's windows, words of one window only, and the question's
    /// own words are never added; the added ones weigh less than the question's.
    func testExpansionTermsAreSharedRareAndLighterThanTheQuestion() throws {
        var lines: [String: [Int: String]] = [:]
        for n in 0..<10 { lines["v\(n)"] = [30: n == 0 ? "the smallest one" : "a topic of its own, number \(n)"] }
        let (pack, cache) = try makeHashPack(lines)
        let retriever = try Retriever(pack: pack, cache: cache)
        let query = LexicalQuery("tracking variable", analyzer: LexicalAnalyzer()) { _ in true }
        let windows: [(text: String, score: Float)] = [
            ("the tracking variable: smallest, as usual", 2),
            ("smallest once more, as usual, and an oddity", 1),
        ]
        let expanded = FeedbackExpansion().expand(query, windows: windows, analyzer: LexicalAnalyzer(), index: retriever.lexical)
        let added = expanded.terms.dropFirst(query.terms.count)
        XCTAssertEqual(added.map(\.text), ["smallest"].flatMap { LexicalAnalyzer().terms($0) },
                       "\"usual\" is in every window of the pack, \"oddity\" in one read window, \"track\" is asked already")
        XCTAssertTrue(added.allSatisfy { $0.weight <= FeedbackExpansion().weight && $0.weight > 0 })
    }

    /// The second search lifts windows to just below the first search's best; it never demotes what the
    /// question's own words found.
    func testTheSecondSearchLiftsWindowsWithoutDemotingTheFirstSearchs() {
        let first = [ScoredRow(row: 1, score: 8), ScoredRow(row: 2, score: 6), ScoredRow(row: 3, score: 2)]
        let second = [ScoredRow(row: 4, score: 20), ScoredRow(row: 3, score: 15), ScoredRow(row: 1, score: 1)]
        let merged = FeedbackExpansion().merge(first, second)
        XCTAssertEqual(merged.map(\.row), [1, 4, 2, 3], "\(merged)")
        XCTAssertEqual(merged[0].score, 1, "the first search's best keeps its place and score")
        XCTAssertEqual(merged[1].score, FeedbackExpansion().lift, accuracy: 1e-6, "a window only the second search found rises to the lift")
        XCTAssertEqual(merged[3].score, FeedbackExpansion().lift * 15 / 20, accuracy: 1e-6, "a low first score is lifted")
        XCTAssertEqual(FeedbackExpansion().merge(first, []), first, "nothing found again: the first search stands")
    }
}
