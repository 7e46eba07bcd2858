import Foundation
@testable import PackKit

/// A question as typed (`pack ask`, the ask pane, a question file) read as a definition question, and a transcript
/// sentence judged as a definition of its subject. The input is the question, a newline, then the sentence.
enum QuestionTarget {
    static let question = FuzzTarget(
        name: "question",
        summary: "DefinitionQuestion on a typed question and a caption sentence: the subject is 1-3 terms, its frame words leave the searched text, a plain definition is also a definition, and the byte filter never drops one",
        maxLength: 1 << 10,
        dictionary: "question"
    ) { input in
        let text = String(decoding: input, as: UTF8.self)
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let asked = parts[0]
        let sentence = parts.count > 1 ? parts[1] : ""
        let analyzer = LexicalAnalyzer()
        guard let definition = DefinitionQuestion(asked, analyzer: analyzer) else { return }
        require((1...DefinitionQuestion.longestSubject).contains(definition.subject.count), "a subject of \(definition.subject.count) terms")
        let searched = definition.retrievalText(asked)
        if definition.frameWords.isEmpty {
            require(searched == asked, "a question without frame words changed for retrieval")
        } else {
            let left = searched.split(whereSeparator: { !$0.isLetter }).map { $0.lowercased() }
            require(!left.contains(where: definition.frameWords.contains), "a frame word left in '\(searched)'")
        }
        let strength = definition.definingStrength(of: sentence, analyzer: analyzer)
        if let strength {
            require([0.5, 1.0, 1.5].contains(strength), "a strength of \(strength)")
            require(definition.isDefined(by: sentence, analyzer: analyzer), "a plain definition that is not a definition")
            require(definition.mayBeDefined(inLowercased: sentence.lowercased()), "the byte filter drops a definition: '\(sentence)'")
        }
    }
}
