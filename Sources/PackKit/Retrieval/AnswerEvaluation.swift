import Foundation

/// How an answer fares against a question's gold spans (`ytce eval --answers`): a citation is gold when it
/// overlaps a gold span widened by `EvaluationSet.answerToleranceMs`.
public struct AnswerJudgement: Sendable, Equatable {
    /// The answer quotes or cites the channel (not a refusal).
    public var answered: Bool
    /// One of its citations is gold.
    public var citesGold: Bool
    /// Its first citation ([1]) is gold.
    public var firstIsGold: Bool
    public var citations: Int
    public var goldCitations: Int
    /// Words of the answer's text, citations left out.
    public var words: Int

    public init(answered: Bool, citesGold: Bool, firstIsGold: Bool, citations: Int, goldCitations: Int, words: Int) {
        self.answered = answered
        self.citesGold = citesGold
        self.firstIsGold = firstIsGold
        self.citations = citations
        self.goldCitations = goldCitations
        self.words = words
    }
}

extension EvaluationSet {
    /// How far a gold span is widened on each side when judging an answer's citations (shared/README: 10 s).
    public static let answerToleranceMs = 10_000

    /// Judges an answer: `citations` in the order of their markers ([1] first), `grounded` false for a refusal.
    public func judge(_ question: Question, text: String, citations: [Citation], grounded: Bool) -> AnswerJudgement {
        let gold = citations.map { c in
            question.gold.contains { g in
                g.videoID == c.videoID && c.startMs <= g.endMs + Self.answerToleranceMs && c.endMs >= g.startMs - Self.answerToleranceMs
            }
        }
        let answered = grounded && !citations.isEmpty
        return AnswerJudgement(answered: answered, citesGold: answered && gold.contains(true), firstIsGold: answered && gold.first == true,
                               citations: citations.count, goldCitations: gold.filter { $0 }.count,
                               words: answered ? Self.wordCount(text) : 0)
    }

    /// Words of `text` outside its citations.
    public static func wordCount(_ text: String) -> Int {
        var rest = text[...]
        var count = 0
        for match in CitationParser.citations(in: text).reversed() where match.range.upperBound <= rest.endIndex {
            count += text[match.range.upperBound..<rest.endIndex].split(whereSeparator: \.isWhitespace).count
            rest = text[..<match.range.lowerBound]
        }
        return count + rest.split(whereSeparator: \.isWhitespace).count
    }
}

/// Answer quality over a question set, overall and per question kind, and the share of off-topic questions
/// answered anyway.
public struct AnswerReport: Sendable {
    public struct Metrics: Sendable, Equatable {
        public var questions = 0
        public var answered = 0.0
        public var citesGold = 0.0
        public var firstIsGold = 0.0
        /// Share of the citations of answered questions that are gold.
        public var precision = 0.0
        /// Mean words of the answered questions' answers.
        public var meanWords = 0.0
        public init() {}
    }

    public var overall = Metrics()
    public var byKind: [String: Metrics] = [:]
    public var offTopicQuestions = 0
    public var offTopicAnswered = 0.0

    public init(kinds: [String], judgements: [AnswerJudgement], offTopicAnswered: [Bool] = []) {
        overall = Self.metrics(judgements)
        var groups: [String: [AnswerJudgement]] = [:]
        for (kind, judgement) in zip(kinds, judgements) { groups[kind, default: []].append(judgement) }
        byKind = groups.mapValues(Self.metrics)
        offTopicQuestions = offTopicAnswered.count
        self.offTopicAnswered = offTopicAnswered.isEmpty ? 0 : Double(offTopicAnswered.filter { $0 }.count) / Double(offTopicAnswered.count)
    }

    static func metrics(_ judgements: [AnswerJudgement]) -> Metrics {
        var m = Metrics()
        m.questions = judgements.count
        guard !judgements.isEmpty else { return m }
        let n = Double(judgements.count)
        let answered = judgements.filter(\.answered)
        m.answered = Double(answered.count) / n
        m.citesGold = Double(judgements.filter(\.citesGold).count) / n
        m.firstIsGold = Double(judgements.filter(\.firstIsGold).count) / n
        let citations = answered.reduce(0) { $0 + $1.citations }
        m.precision = citations == 0 ? 0 : Double(answered.reduce(0) { $0 + $1.goldCitations }) / Double(citations)
        m.meanWords = answered.isEmpty ? 0 : Double(answered.reduce(0) { $0 + $1.words }) / Double(answered.count)
        return m
    }
}

/// A list of questions no pack of the set answers (`../shared/fixtures/eval/offtopic.json`: `{"questions": [text, …]}`).
public enum OffTopicQuestions {
    public static func load(_ url: URL) throws(EvaluationSet.Problem) -> [String] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .init(description: "\(url.path): cannot read: \(error.localizedDescription)") }
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch { throw .init(description: "\(url.path): invalid JSON: \(error.reason)") }
        guard case .array(let items)? = root["questions"] else { throw .init(description: "\(url.path): missing array 'questions'") }
        return try items.enumerated().map { (i, item) throws(EvaluationSet.Problem) -> String in
            // Plain strings, or question objects as in the retrieval files.
            guard let text = item.stringValue ?? item["question"]?.stringValue, !text.isEmpty else {
                throw .init(description: "\(url.path): question \(i): must be a non-empty string")
            }
            return text
        }
    }
}
