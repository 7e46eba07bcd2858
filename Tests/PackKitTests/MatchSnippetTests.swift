import Foundation
import XCTest
@testable import PackKit

/// What a search hit shows: the moment's text from a little before the first word of the query it says, in the
/// terminal's search pane and in `ytce pack search` alike.
final class MatchSnippetTests: XCTestCase {
    let opening = String(repeating: "The vendor tattoo story goes on for a while before the topic. ", count: 10)

    func testTheSnippetStartsShortlyBeforeTheFirstWordOfTheQuery() {
        let text = opening + "Today we import the regular expression library and search with it."
        let snippet = MatchSnippet.excerpt(text, terms: MatchSnippet.terms("regular expressions"), length: 120)
        XCTAssertTrue(snippet.hasPrefix("…"), snippet)
        let match = try? XCTUnwrap(snippet.range(of: "regular expression"))
        XCTAssertNotNil(match, snippet)
        if let match {
            let before = snippet.distance(from: snippet.startIndex, to: match.lowerBound)
            XCTAssertLessThanOrEqual(before, MatchSnippet.lead + 1, snippet)
            XCTAssertGreaterThan(before, 10, "some words lead up to it: \(snippet)")
        }
        // It begins at a word: what follows the ellipsis follows a space in the text.
        XCTAssertTrue(text.contains(" " + snippet.dropFirst().prefix(12)), snippet)
        XCTAssertLessThanOrEqual(snippet.count, 1 + 120 + 1)
    }

    /// A phrase in quotes is shown where it is said, not where the first of its words is said alone.
    func testAPhraseInQuotesIsShownWhereThePhraseIsSaid() {
        let text = opening + "Count the lines in a file with a loop. " + opening + "Then for line in handle, strip it and split it."
        let terms = MatchSnippet.terms("\"for line in\"")
        XCTAssertEqual(terms.first, "for line in")
        let snippet = MatchSnippet.excerpt(text, terms: terms, length: 80)
        XCTAssertTrue(snippet.contains("for line in handle"), snippet)
        // Not quoted: the first of its words leads, as before.
        XCTAssertTrue(MatchSnippet.excerpt(text, terms: MatchSnippet.terms("for line in"), length: 80).contains("Count the lines"))
        // No phrase said: its words said alone still place the snippet.
        XCTAssertTrue(MatchSnippet.excerpt(opening + "The lines go on.", terms: terms, length: 80).contains("lines go on"))
    }

    /// A word longer than the lead does not push the snippet's start past the match.
    func testTheStartNeverPassesTheMatch() {
        let text = String(repeating: "x", count: 80) + "internationalisation matters"
        XCTAssertTrue(MatchSnippet.excerpt(text, terms: ["internationalisation"], length: 60).contains("internationalisation"))
    }

    /// A pin of a search hit keeps the passage where the query's words are said (up to 30 s), not the moment's
    /// minutes of text; a moment that does not say them (found by meaning) is kept whole.
    func testAPinOfASearchHitKeepsThePassageWhereTheWordsAreSaid() {
        let cues = (0..<60).map { i in i == 40 ? "and here the Grinder's burrs meet" : "the tattoo story goes on, part \(i)" }
        let hit = SearchHit(videoID: "v", title: "Grinders", url: "", startMs: 0, endMs: 180_000, score: 1,
                            segments: cues.enumerated().map { .init(id: Int64($0.offset), startMs: $0.offset * 3_000,
                                                                    endMs: $0.offset * 3_000 + 3_000, text: $0.element) })
        let pin = Brief.Pin(hit, pack: "Coffee Lab", terms: MatchSnippet.terms("grinder burrs"))
        XCTAssertEqual(pin.startMs, 120_000)
        XCTAssertEqual(pin.endMs, 150_000)
        XCTAssertTrue(pin.quote.hasPrefix("and here the Grinder's burrs meet the tattoo story goes on, part 41"), pin.quote)
        let whole = Brief.Pin(hit, pack: "Coffee Lab", terms: MatchSnippet.terms("espresso"))
        XCTAssertEqual([whole.startMs, whole.endMs], [0, 180_000])
        XCTAssertEqual(whole.quote, hit.text)
    }

    /// The search matches words by stem, so must the snippet and the pin: a moment that says only "dictionaries"
    /// is shown (and pinned) where it says it when the search was for "dictionary".
    func testAnInflectionOfTheWordPlacesTheSnippet() {
        let text = opening + "A list of dictionaries comes back from the parser."
        let snippet = MatchSnippet.excerpt(text, terms: MatchSnippet.terms("dictionary"), length: 80)
        XCTAssertTrue(snippet.contains("list of dictionaries"), snippet)
        XCTAssertEqual(MatchSnippet.stemPrefixes(["dictionary", "running", "tuples", "for line in"]), ["dictionar", "tupl"])
        XCTAssertEqual(MatchSnippet.terms("dictionary tuples"), ["dictionary", "tuples", "dictionar", "tupl"])
    }

    func testATextWithoutTheWordsShowsItsOpening() {
        let snippet = MatchSnippet.excerpt(opening, terms: MatchSnippet.terms("dictionary"), length: 50)
        XCTAssertEqual(snippet, String(opening.prefix(50)) + "…")
        XCTAssertEqual(MatchSnippet.excerpt("Short and sweet.", terms: ["sweet"], length: 50), "Short and sweet.")
    }

    func testTextThatIsNotASCIIIsSearchedToo() {
        let text = String(repeating: "Le café est prêt, on attend encore un peu. ", count: 5) + "Ensuite la mouture très fine."
        let snippet = MatchSnippet.excerpt(text, terms: MatchSnippet.terms("mouture"), length: 60)
        XCTAssertTrue(snippet.hasPrefix("…") && snippet.contains("mouture très fine"), snippet)
    }

    func testTheQueryWordsAreTheContentWordsAsTyped() {
        XCTAssertEqual(MatchSnippet.terms("\"Regular Expressions\" in the wild"), ["regular", "expressions", "wild", "express"])
        XCTAssertEqual(MatchSnippet.terms("how do I"), [])
    }
}
