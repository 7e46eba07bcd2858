import Foundation
import XCTest
@testable import PackKit

final class PorterStemmerTests: XCTestCase {
    func testPaperExamples() {
        let pairs = ["caresses": "caress", "ponies": "poni", "cats": "cat", "agreed": "agre", "feed": "feed",
                     "hopping": "hop", "filing": "file", "happy": "happi", "sky": "sky", "relational": "relat",
                     "generalizations": "gener", "oscillators": "oscil", "controll": "control", "probate": "probat",
                     "is": "is", "a": "a", "dictionaries": "dictionari", "tuples": "tupl"]
        for (word, stem) in pairs { XCTAssertEqual(PorterStemmer.stem(word), stem, word) }
    }

    /// Thousands of dictionary words against the reference algorithm's output.
    func testMatchesReferenceOutputOnAWordList() throws {
        let text = try String(contentsOf: TestSupport.fixtures.appendingPathComponent("lexical/porter-pairs.txt"), encoding: .utf8)
        var checked = 0
        var wrong: [String] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            let got = PorterStemmer.stem(String(parts[0]))
            if got != parts[1] { wrong.append("\(parts[0]) → \(got), expected \(parts[1])") }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 5000)
        XCTAssertEqual(wrong, [], "\(wrong.count) of \(checked) differ")
    }
}
