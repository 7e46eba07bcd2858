import Foundation
@testable import PackKit

/// A pack's BM25 index file (`vectors/ytce_lexical_index.v1.bin`), memory-mapped: opening checks every offset once so
/// that lookups need none, so a file that opens must survive any search.
enum LexicalIndexTarget {
    static let lexicalIndex = FuzzTarget(
        name: "lexical-index",
        summary: "LexicalIndex(contentsOf:), then searches, per-row term scores and term-prefix lookups for words found in the file",
        maxLength: 8 << 10,
        dictionary: "binary-offsets"
    ) { input in
        let path = ScratchFolder.write(input, as: "lexical.bin")
        guard let index = try? LexicalIndex(contentsOf: path) else { return }
        let terms = wordsIn(input)
        let hits = index.search(terms: terms, k: 10)
        require(hits.count <= 10, "\(hits.count) hits for k = 10")
        require(hits.allSatisfy { $0.row >= 0 && $0.row < index.documentCount }, "a hit outside the \(index.documentCount) documents")
        let query = LexicalQuery(terms: terms.map { LexicalQuery.Term(text: $0, weight: 1) })
        let rows = Array(Set([0, 1, 2, index.documentCount / 2, index.documentCount - 1].filter { $0 >= 0 })).sorted()
        let scores = index.termScores(query, rows: rows)
        require(scores.count == rows.count && scores.allSatisfy { $0.count == terms.count }, "term scores of the wrong shape")
        for term in terms {
            _ = index.documentFrequency(term)
            // The clipped-word lookup walks the term table from a binary search: any prefix, found terms extend it.
            for prefix in [term, String(term.prefix(2)), String(term.prefix(1))] {
                let found = index.terms(extending: prefix, limit: 3)
                require(found.count <= 3 && found.allSatisfy { $0.hasPrefix(prefix) && $0.utf8.count > prefix.utf8.count },
                        "terms(extending: \(prefix)) gave \(found)")
            }
        }
    }

    /// Query words: runs of lower-case letters and digits in the input (the index's own term strings among them).
    static func wordsIn(_ input: UnsafeRawBufferPointer) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        for byte in input {
            if (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) {
                current.append(byte)
                continue
            }
            if current.count >= 2 && current.count <= 24 { words.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
            if words.count == 16 { break }
        }
        return Array(Set(words + ["coffee", "water", "python"])).sorted()
    }

}
