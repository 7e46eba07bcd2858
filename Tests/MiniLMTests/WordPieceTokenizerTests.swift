import Foundation
import XCTest
@testable import PackKit

/// The tokenizer against a small hand-made vocabulary (no model needed) and the real vocab.txt against the
/// reference token ids of the fixture.
final class WordPieceTokenizerTests: XCTestCase {
    static let vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", ",", "world", "!", "cafe", "naive",
                             "resume", "un", "##aff", "##able", "##ab", "'", "t", "don", "-", "stop", "(", ")", "日", "本",
                             "の", "##テ", "a", "##b", "$", "5", ".", "x", "##y", "—"]

    func tokenizer() throws -> WordPieceTokenizer { try WordPieceTokenizer(vocabulary: Self.vocabulary) }

    func testSpecialTokensFrameEverySequence() throws {
        let t = try tokenizer()
        XCTAssertEqual(t.encode(""), [2, 3])
        XCTAssertEqual(t.tokenStrings("hello world"), ["[CLS]", "hello", "world", "[SEP]"])
    }

    func testLowerCasesAndStripsAccents() throws {
        XCTAssertEqual(try tokenizer().tokenStrings("HÉLLO Café NAÏVE résumé"), ["[CLS]", "hello", "cafe", "naive", "resume", "[SEP]"])
        // Combining marks written separately (NFD input) are dropped too.
        XCTAssertEqual(try tokenizer().tokenStrings("cafe\u{301}"), ["[CLS]", "cafe", "[SEP]"])
    }

    func testPunctuationSplitsEvenInsideWords() throws {
        XCTAssertEqual(try tokenizer().tokenStrings("Hello, world!"), ["[CLS]", "hello", ",", "world", "!", "[SEP]"])
        XCTAssertEqual(try tokenizer().tokenStrings("don't stop-(hello)"), ["[CLS]", "don", "'", "t", "stop", "-", "(", "hello", ")", "[SEP]"])
        // Every non-alphanumeric ASCII character is punctuation for BERT, `$` included; so is Unicode's P*, the em dash.
        XCTAssertEqual(try tokenizer().tokenStrings("$5. x—x"), ["[CLS]", "$", "5", ".", "x", "—", "x", "[SEP]"])
    }

    func testCJKIdeographsStandAloneButKanaDoesNot() throws {
        // 日 and 本 are CJK ideographs (one token each); の and テ are kana, so "のテ" is one word: の ##テ.
        XCTAssertEqual(try tokenizer().tokenStrings("日本のテ"), ["[CLS]", "日", "本", "の", "##テ", "[SEP]"])
    }

    func testGreedyLongestMatchWithContinuations() throws {
        XCTAssertEqual(try tokenizer().tokenStrings("unaffable"), ["[CLS]", "un", "##aff", "##able", "[SEP]"])
        XCTAssertEqual(try tokenizer().tokenStrings("xyy ab"), ["[CLS]", "x", "##y", "##y", "a", "##b", "[SEP]"])
    }

    func testUnknownWordsBecomeOneUnknownToken() throws {
        let t = try tokenizer()
        // "unz": "un" matches but "##z" does not, so the whole word is [UNK] (not "un [UNK]").
        XCTAssertEqual(t.tokenStrings("hello unz world"), ["[CLS]", "hello", "[UNK]", "world", "[SEP]"])
        XCTAssertEqual(t.tokenStrings("😀🚀"), ["[CLS]", "[UNK]", "[SEP]"])
        // Over 100 characters: [UNK] even though "x ##y…" would cover it.
        XCTAssertEqual(t.tokenStrings("x" + String(repeating: "y", count: 100)), ["[CLS]", "[UNK]", "[SEP]"])
        XCTAssertEqual(t.tokenStrings("x" + String(repeating: "y", count: 99)).count, 102)
    }

    func testControlCharactersAreDroppedAndWhitespaceSplits() throws {
        XCTAssertEqual(try tokenizer().tokenStrings("hel\u{0}lo\u{200B}\tworld\u{00A0}hello\u{FFFD}\r\n"),
                       ["[CLS]", "hello", "world", "hello", "[SEP]"])
        // Line and paragraph separators split words, as in Hugging Face's fast tokenizer.
        XCTAssertEqual(try tokenizer().tokenStrings("hello\u{2028}world\u{2029}hello"), ["[CLS]", "hello", "world", "hello", "[SEP]"])
    }

    func testTruncationKeepsSeparatorAndLength() throws {
        let t = try tokenizer()
        let long = Array(repeating: "hello", count: 500).joined(separator: " ")
        let ids = t.encode(long)
        XCTAssertEqual(ids.count, 256)
        XCTAssertEqual(ids.first, 2)
        XCTAssertEqual(ids.last, 3)
        XCTAssertEqual(t.encode(long, maxLength: 10).count, 10)
        // Truncation counts word pieces: a word cut in the middle keeps its first pieces.
        XCTAssertEqual(t.tokenStrings("unaffable", maxLength: 4), ["[CLS]", "un", "##aff", "[SEP]"])
    }

    func testVocabularyWithoutSpecialTokensIsAClearError() {
        XCTAssertThrowsError(try WordPieceTokenizer(vocabulary: ["a", "b"], source: "v.txt")) { error in
            XCTAssertTrue("\(error)".contains("v.txt") && "\(error)".contains("[UNK]"), "\(error)")
        }
    }

    /// Every text of the fixture tokenizes to exactly the reference ids (needs the real vocab.txt).
    func testFixtureTokenIDsMatchExactly() throws {
        let fixture = try MiniLMFixture.load()
        let tokenizer = try WordPieceTokenizer(vocabularyFile: try MiniLMTestSupport.modelDirectory().appendingPathComponent("vocab.txt"))
        for entry in fixture {
            XCTAssertEqual(tokenizer.encode(entry.text), entry.tokenIDs, "token ids of \(entry.text.prefix(60).debugDescription)")
        }
    }
}

/// `minilm-vectors.json`: texts with their reference token ids and embeddings.
struct MiniLMFixture {
    var text: String
    var tokenIDs: [Int32]
    var embedding: [Float]

    static func load() throws -> [MiniLMFixture] {
        let url = try MiniLMTestSupport.shared("fixtures/minilm-vectors.json")
        let root = try JSONValue.parse(try Data(contentsOf: url))
        guard case .array(let items)? = root["vectors"] else { throw MiniLMError("\(url.path): no 'vectors' array") }
        return try items.map { item throws in
            guard let text = item["text"]?.stringValue, let ids = item["token_ids"]?.arrayValue, let vector = item["embedding"]?.arrayValue else {
                throw MiniLMError("\(url.path): an entry lacks text, token_ids or embedding")
            }
            return MiniLMFixture(text: text, tokenIDs: ids.compactMap { $0.intValue.map(Int32.init) },
                                 embedding: vector.compactMap { $0.doubleValue.map(Float.init) })
        }
    }
}
