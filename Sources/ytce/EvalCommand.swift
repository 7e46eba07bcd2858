import ArgumentParser
import Foundation
import PackKit

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure retrieval on a question file: hit@1, hit@5, hit@10 and MRR, overall and per question kind; with --answers, the answers.",
        discussion: """
            --answers asks every question as `ytce pack ask` does and judges the answer: answered (not refused), cites \
            gold (a citation overlaps a gold span widened by 10 s), [1] is gold, citation precision and mean words, \
            per question kind; --offtopic adds questions the pack cannot answer and reports the share answered anyway. \
            An item with 'turns' instead of 'question' is a conversation: its turns are asked in one session and the \
            last answer is judged.
            """
    )

    @OptionGroup var packOptions: PackOptions

    @Option(help: "A question file (JSON with 'questions': [{id, kind, question, gold: [{video_id, start_ms, end_ms}]}]).")
    var questions: String

    @Option(name: .customLong("top-k"), help: "How many moments each question retrieves.")
    var topK = 10

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(name: .customLong("per-question"), help: "Also list each question with the rank of its first hit and the moment ranked first (with --answers: its judgement and answer).")
    var perQuestion = false

    @Flag(help: "Judge the answers instead of the ranking.")
    var answers = false

    @Option(help: "With --answers: a file of questions the pack cannot answer (JSON with 'questions': [text, ...]).")
    var offtopic: String?

    @Option(help: "With --answers: who answers, 'offline' (the extractive answerer) or 'model' (the one --config names).")
    var backend: AnswerBackendOption = .offline

    @Option(help: "A JSON config (PackConfig shape): the answer block, and the llm block for --backend model.")
    var config: String?

    @Flag(name: .customLong("one-conversation"), help: "With --answers: ask every question in one conversation, one after another (what topic shifts cost), instead of each in a conversation of its own.")
    var oneConversation = false

    /// Stops on a question file whose gold videos the pack has none of, and notes the questions it cannot hit.
    static func checkGold(_ set: EvaluationSet, videoIDs: Set<String>, pack: String) throws {
        guard let problem = set.goldProblem(in: videoIDs, pack: pack) else { return }
        if problem.fatal { throw fail(problem.message) }
        FileHandle.standardError.write(Data("note: \(problem.message)\n".utf8))
    }

    func run() async throws {
        if answers { return try await runAnswers() }
        guard offtopic == nil, backend == .offline else { throw fail("--offtopic and --backend need --answers") }
        guard !oneConversation else { throw fail("--one-conversation needs --answers") }
        let set: EvaluationSet
        do { set = try EvaluationSet.load(URL(fileURLWithPath: questions)) } catch { throw fail(error.description) }
        let loaded = try loadConfig(config)
        let opened = try await packOptions.open(config: loaded)
        let videoIDs: [String]
        do { videoIDs = try opened.database.strings("SELECT video_id FROM video") } catch { throw fail(pack: packOptions.pack, error) }
        try Self.checkGold(set, videoIDs: Set(videoIDs), pack: packOptions.pack)
        let retriever = try packOptions.retriever(opened, config: loaded)
        var ranks: [Int?] = []
        var firstHits: [SearchHit?] = []
        for question in set.questions {
            let hits: [SearchHit]
            do { hits = try retriever.search(question.text, topK: topK).hits } catch { throw fail(pack: packOptions.pack, error) }
            firstHits.append(hits.first)
            ranks.append(hits.firstIndex { set.isHit(question, videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs) }.map { $0 + 1 })
        }
        let report = EvaluationReport(kinds: set.questions.map(\.kind), ranks: ranks, cutoff: topK)
        func metrics(_ m: EvaluationReport.Metrics) -> JSONValue {
            .object(["questions": .number(Double(m.questions)), "hit@1": .number(m.hitAt1), "hit@5": .number(m.hitAt5),
                     "hit@10": .number(m.hitAt10), "mrr": .number((m.mrr * 1e4).rounded() / 1e4)])
        }
        if json {
            var root: [String: JSONValue] = ["overall": metrics(report.overall), "by_kind": .object(report.byKind.mapValues(metrics))]
            if perQuestion {
                root["questions"] = .array(set.questions.indices.map { i in
                    var item: [String: JSONValue] = ["id": .string(set.questions[i].id), "kind": .string(set.questions[i].kind),
                                                     "rank": ranks[i].map { .number(Double($0)) } ?? .null]
                    if let top = firstHits[i] {
                        item["first"] = .object(["video_id": .string(top.videoID), "start_ms": .number(Double(top.startMs)),
                                                 "end_ms": .number(Double(top.endMs))])
                    }
                    return .object(item)
                })
            }
            print(JSONValue.serialize(.object(root)))
            return
        }
        for note in retriever.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        func line(_ name: String, _ m: EvaluationReport.Metrics) -> String {
            "\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%3d", m.questions))   "
                + String(format: "%.2f   %.2f   %.2f    %.3f", m.hitAt1, m.hitAt5, m.hitAt10, m.mrr)
        }
        if perQuestion {
            let idWidth = set.questions.map(\.id.count).max() ?? 0
            let kindWidth = max(11, set.questions.map(\.kind.count).max() ?? 0)
            for (i, question) in set.questions.enumerated() {
                let rank = ranks[i].map { String($0) } ?? "-"
                let first = firstHits[i].map { "\($0.videoID) @ \(Citation.timestamp($0.startMs))" } ?? "nothing found"
                print("\(question.id.padding(toLength: idWidth, withPad: " ", startingAt: 0))  \(question.kind.padding(toLength: kindWidth, withPad: " ", startingAt: 0)) rank \(rank.padding(toLength: max(3, rank.count), withPad: " ", startingAt: 0)) first \(first)")
            }
            print("")
        }
        print("kind         n     hit@1  hit@5  hit@10  MRR")
        print(line("all", report.overall))
        for kind in report.byKind.keys.sorted() { print(line(kind, report.byKind[kind] ?? .init())) }
    }
}
