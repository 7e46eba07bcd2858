import Foundation

/// A retrieval question file (`../shared/fixtures/eval/*.questions.json`): questions with gold spans, judged
/// by the file's hit rule (a retrieved span of a gold video that overlaps a gold span widened by 15 s).
public struct EvaluationSet: Sendable {
    public struct Gold: Sendable, Equatable {
        public var videoID: String
        public var startMs: Int
        public var endMs: Int
    }

    public struct Question: Sendable {
        public var id: String
        public var kind: String
        /// The question judged: the last of `turns`.
        public var text: String
        public var gold: [Gold]
        /// The turns of a conversation asked in one session (`{"turns": [...]}`), the judged question last; empty
        /// for a question asked alone.
        public var turns: [String] = []

        /// What is asked, in order: the turns, or the question alone.
        public var asked: [String] { turns.isEmpty ? [text] : turns }
    }

    public var channel: String
    public var metricNote: String
    public var questions: [Question]
    /// How far each gold span is widened on both sides before testing overlap.
    public var toleranceMs = 15_000
    static let maxToleranceMs = 86_400_000

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func load(_ url: URL) throws(Problem) -> EvaluationSet {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw Problem(description: "\(url.path): cannot read: \(error.localizedDescription)") }
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch { throw Problem(description: "\(url.path): invalid JSON: \(error.reason)") }
        guard case .array(let items)? = root["questions"] else {
            throw Problem(description: "\(url.path): missing array 'questions'")
        }
        var questions: [Question] = []
        for (i, item) in items.enumerated() {
            var turns: [String] = []
            if let list = item["turns"] {
                guard let texts = list.arrayValue?.map(\.stringValue), !texts.isEmpty, texts.allSatisfy({ $0?.isEmpty == false }) else {
                    throw Problem(description: "\(url.path): question \(i): 'turns' must be a non-empty array of questions")
                }
                turns = texts.compactMap { $0 }
            }
            guard let text = item["question"]?.stringValue ?? turns.last, case .array(let golds)? = item["gold"] else {
                throw Problem(description: "\(url.path): question \(i): needs 'question' (or 'turns') and 'gold'")
            }
            let gold = try golds.enumerated().map { (g, value) throws(Problem) -> Gold in
                guard let video = value["video_id"]?.stringValue, let start = value["start_ms"]?.intValue,
                      let end = value["end_ms"]?.intValue else {
                    throw Problem(description: "\(url.path): question \(i) gold \(g): needs video_id, start_ms, end_ms")
                }
                return Gold(videoID: video, startMs: start, endMs: end)
            }
            questions.append(Question(id: item["id"]?.stringValue ?? "q\(i)", kind: item["kind"]?.stringValue ?? "all",
                                      text: text, gold: gold, turns: turns))
        }
        var set = EvaluationSet(channel: root["channel"]?.stringValue ?? "", metricNote: root["metric_note"]?.stringValue ?? "",
                                questions: questions)
        if let widened = set.metricNote.range(of: #"widened by (\d+) ?ms"#, options: .regularExpression) {
            let digits = set.metricNote[widened].filter(\.isNumber)
            // Bounded, so that widening a span (isHit) cannot overflow; a day is already far wider than any moment.
            guard let tolerance = Int(digits), tolerance <= maxToleranceMs else {
                throw Problem(description: "\(url.path): metric_note widens spans by \(digits) ms; at most \(maxToleranceMs) (a day) is understood")
            }
            set.toleranceMs = tolerance
        }
        return set
    }

    /// The questions none of whose gold videos `videoIDs` (a pack's) holds: they can only be missed there. All of
    /// them is the wrong pack for the file (py4e's questions on the hf-course pack scored 0 in silence).
    public func questionsWithoutGold(in videoIDs: Set<String>) -> [Question] {
        questions.filter { question in !question.gold.contains { videoIDs.contains($0.videoID) } }
    }

    /// A note on `questionsWithoutGold`, nil when every question's gold is there; `fatal` when none is.
    public func goldProblem(in videoIDs: Set<String>, pack: String) -> (message: String, fatal: Bool)? {
        let missing = questionsWithoutGold(in: videoIDs)
        guard !missing.isEmpty else { return nil }
        if missing.count == questions.count {
            return ("\(pack) holds none of the gold videos of the \(questions.count == 1 ? "question" : "\(questions.count) questions"): is it the pack they were written for (\(channel.isEmpty ? "no channel named" : "channel '\(channel)'"))?", true)
        }
        let examples = missing.prefix(3).map(\.id).joined(separator: ", ")
        return ("\(missing.count) of \(questions.count) questions name gold videos \(pack) does not hold (\(examples)\(missing.count > 3 ? ", …" : "")): they count as misses", false)
    }

    /// Whether a retrieved span answers the question.
    public func isHit(_ question: Question, videoID: String, startMs: Int, endMs: Int) -> Bool {
        question.gold.contains { g in
            g.videoID == videoID && startMs <= g.endMs + toleranceMs && endMs >= g.startMs - toleranceMs
        }
    }
}

/// hit@1/5/10 and mean reciprocal rank over a question set, overall and per question kind.
public struct EvaluationReport: Sendable {
    public struct Metrics: Sendable, Equatable {
        public var questions = 0
        public var hitAt1 = 0.0
        public var hitAt5 = 0.0
        public var hitAt10 = 0.0
        public var mrr = 0.0
        public init() {}
    }

    public var overall = Metrics()
    public var byKind: [String: Metrics] = [:]

    /// `ranks` holds, per question, the 1-based rank of the first hit (nil when none in the list).
    public init(kinds: [String], ranks: [Int?], cutoff: Int = 10) {
        func add(_ m: inout Metrics, _ rank: Int?) {
            m.questions += 1
            if let r = rank, r <= cutoff {
                if r <= 1 { m.hitAt1 += 1 }
                if r <= 5 { m.hitAt5 += 1 }
                if r <= 10 { m.hitAt10 += 1 }
                m.mrr += 1 / Double(r)
            }
        }
        for (kind, rank) in zip(kinds, ranks) {
            add(&overall, rank)
            add(&byKind[kind, default: Metrics()], rank)
        }
        func normalise(_ m: inout Metrics) {
            guard m.questions > 0 else { return }
            let n = Double(m.questions)
            m.hitAt1 /= n; m.hitAt5 /= n; m.hitAt10 /= n; m.mrr /= n
        }
        normalise(&overall)
        byKind = byKind.mapValues { m in
            var m = m
            normalise(&m)
            return m
        }
    }
}
