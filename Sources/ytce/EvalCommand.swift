import ArgumentParser
import Foundation
import PackKit

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure retrieval on a question file: hit@1, hit@5, hit@10 and MRR, overall and per question kind."
    )

    @OptionGroup var packOptions: PackOptions

    @Option(help: "A question file (JSON with 'questions': [{id, kind, question, gold: [{video_id, start_ms, end_ms}]}]).")
    var questions: String

    @Option(name: .customLong("top-k"), help: "How many moments each question retrieves.")
    var topK = 10

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let set: EvaluationSet
        do { set = try EvaluationSet.load(URL(fileURLWithPath: questions)) } catch { throw fail(error.description) }
        let opened = try packOptions.open()
        let retriever: Retriever
        retriever = try packOptions.retriever(opened)
        var ranks: [Int?] = []
        for question in set.questions {
            let hits: [SearchHit]
            do { hits = try retriever.search(question.text, topK: topK).hits } catch { throw fail("\(packOptions.pack): \(error)") }
            ranks.append(hits.firstIndex { set.isHit(question, videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs) }.map { $0 + 1 })
        }
        let report = EvaluationReport(kinds: set.questions.map(\.kind), ranks: ranks, cutoff: topK)
        func metrics(_ m: EvaluationReport.Metrics) -> JSONValue {
            .object(["questions": .number(Double(m.questions)), "hit@1": .number(m.hitAt1), "hit@5": .number(m.hitAt5),
                     "hit@10": .number(m.hitAt10), "mrr": .number((m.mrr * 1e4).rounded() / 1e4)])
        }
        if json {
            print(JSONValue.serialize(.object(["overall": metrics(report.overall),
                                                "by_kind": .object(report.byKind.mapValues(metrics))])))
            return
        }
        for note in retriever.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        func line(_ name: String, _ m: EvaluationReport.Metrics) -> String {
            "\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%3d", m.questions))   "
                + String(format: "%.2f   %.2f   %.2f    %.3f", m.hitAt1, m.hitAt5, m.hitAt10, m.mrr)
        }
        print("kind         n     hit@1  hit@5  hit@10  MRR")
        print(line("all", report.overall))
        for kind in report.byKind.keys.sorted() { print(line(kind, report.byKind[kind] ?? .init())) }
    }
}
