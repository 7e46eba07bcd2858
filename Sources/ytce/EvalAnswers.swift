import ArgumentParser
import Foundation
import PackKit

/// Who answers in `eval --answers`.
enum AnswerBackendOption: String, ExpressibleByArgument, CaseIterable {
    case offline, model
}

extension EvalCommand {
    /// `eval --answers`: every question asked through the answering sequence `pack ask` uses, each answer judged
    /// against the gold spans; off-topic questions count when answered anyway.
    func runAnswers() async throws {
        let set: EvaluationSet
        do { set = try EvaluationSet.load(URL(fileURLWithPath: questions)) } catch { throw fail(error.description) }
        var offTopic: [String] = []
        if let offtopic {
            do { offTopic = try OffTopicQuestions.load(URL(fileURLWithPath: offtopic)) } catch { throw fail(error.description) }
        }
        let loaded = try loadConfig(config)
        let engine = try await packOptions.engine(config: loaded, configName: config)
        do { try Self.checkGold(set, videoIDs: Set(try engine.videos().map(\.videoID)), pack: packOptions.pack) } catch let exit as ExitCode { throw exit } catch {
            throw fail("\(packOptions.pack): \(error)")
        }
        // Said once, not under each of the set's answers.
        if let note = engine.endpointNote { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        if backend == .model, !engine.hasModel {
            throw fail("--backend model needs a config whose llm block names a model (llm.backend llmhub or openai)")
        }
        engine.useModel(backend == .model)
        func ask(_ text: String, id: String, in conversation: Conversation) async throws -> AskResult {
            do { return try await conversation.ask(text, stream: false) } catch let error as LLMError {
                throw fail("\(id): \(error.description)")
            } catch { throw fail("\(packOptions.pack): \(error)") }
        }
        // Each item in a conversation of its own (its turns one after another), or all in one with --one-conversation.
        let shared = oneConversation ? Conversation(engine: engine) : nil
        var judgements: [AnswerJudgement] = []
        var results: [AskResult] = []
        for question in set.questions {
            let conversation = shared ?? Conversation(engine: engine)
            var result: AskResult?
            for turn in question.asked { result = try await ask(turn, id: question.id, in: conversation) }
            guard let result else { continue }
            results.append(result)
            judgements.append(set.judge(question, text: result.text, citations: result.sources.map(\.citation), grounded: result.isGrounded))
        }
        var offTopicResults: [AskResult] = []
        for (i, text) in offTopic.enumerated() {
            offTopicResults.append(try await ask(text, id: "off-topic \(i + 1)", in: shared ?? Conversation(engine: engine)))
        }
        let report = AnswerReport(kinds: set.questions.map(\.kind), judgements: judgements, offTopicAnswered: offTopicResults.map(\.isGrounded))
        // The rank of the first retrieved moment that is gold, by the set's retrieval rule: how far the answer had to look.
        let ranks = set.questions.indices.map { i in
            results[i].hits.firstIndex { set.isHit(set.questions[i], videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs) }.map { $0 + 1 }
        }
        if json {
            printAnswersJSON(set, report: report, judgements: judgements, results: results, ranks: ranks, offTopic: offTopicResults)
        } else {
            for note in engine.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            printAnswersText(set, report: report, judgements: judgements, results: results, ranks: ranks, offTopic: offTopicResults)
        }
    }

    private func printAnswersJSON(_ set: EvaluationSet, report: AnswerReport, judgements: [AnswerJudgement], results: [AskResult],
                                  ranks: [Int?], offTopic: [AskResult]) {
        func metrics(_ m: AnswerReport.Metrics) -> JSONValue {
            func rounded(_ x: Double) -> JSONValue { .number((x * 1e4).rounded() / 1e4) }
            return .object(["questions": .number(Double(m.questions)), "answered": rounded(m.answered), "cites_gold": rounded(m.citesGold),
                            "first_is_gold": rounded(m.firstIsGold), "precision": rounded(m.precision), "mean_words": rounded(m.meanWords)])
        }
        var root: [String: JSONValue] = [
            "backend": .string(backend.rawValue),
            "overall": metrics(report.overall), "by_kind": .object(report.byKind.mapValues(metrics)),
        ]
        if !offTopic.isEmpty {
            root["offtopic"] = .object(["questions": .number(Double(report.offTopicQuestions)),
                                        "answered": .number((report.offTopicAnswered * 1e4).rounded() / 1e4)])
        }
        if perQuestion {
            root["questions"] = .array(set.questions.indices.map { i in
                let j = judgements[i]
                return .object(["id": .string(set.questions[i].id), "kind": .string(set.questions[i].kind),
                                "answered": .bool(j.answered), "cites_gold": .bool(j.citesGold), "first_is_gold": .bool(j.firstIsGold),
                                "citations": .number(Double(j.citations)), "gold_citations": .number(Double(j.goldCitations)),
                                "words": .number(Double(j.words)), "retrieval_rank": ranks[i].map { .number(Double($0)) } ?? .null,
                                "answer": .string(results[i].text)])
            })
            if !offTopic.isEmpty {
                root["offtopic_questions"] = .array(offTopic.map {
                    .object(["question": .string($0.question), "answered": .bool($0.isGrounded), "answer": .string($0.text)])
                })
            }
        }
        print(JSONValue.serialize(.object(root)))
    }

    private func printAnswersText(_ set: EvaluationSet, report: AnswerReport, judgements: [AnswerJudgement], results: [AskResult],
                                  ranks: [Int?], offTopic: [AskResult]) {
        if perQuestion {
            let idWidth = set.questions.map(\.id.count).max() ?? 0
            let kindWidth = max(10, set.questions.map(\.kind.count).max() ?? 0)
            for (i, question) in set.questions.enumerated() {
                let j = judgements[i]
                let verdict = !j.answered ? "refused" : j.firstIsGold ? "[1] gold" : j.citesGold ? "cites gold" : "no gold"
                let rank = ranks[i].map { String($0) } ?? "-"
                print("\(question.id.padding(toLength: idWidth, withPad: " ", startingAt: 0))  \(question.kind.padding(toLength: kindWidth, withPad: " ", startingAt: 0)) \(verdict.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%3d", j.words)) words  retrieval rank \(rank)")
            }
            for result in offTopic where result.isGrounded { print("off-topic answered: \(result.question)") }
            print("")
        }
        func line(_ name: String, _ m: AnswerReport.Metrics) -> String {
            "\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%3d", m.questions))   "
                + String(format: "%.2f      %.2f        %.2f      %.2f       %3.0f", m.answered, m.citesGold, m.firstIsGold, m.precision, m.meanWords)
        }
        print("kind         n     answered  cites gold  [1] gold  precision  words")
        print(line("all", report.overall))
        for kind in report.byKind.keys.sorted() { print(line(kind, report.byKind[kind] ?? .init())) }
        if report.offTopicQuestions > 0 {
            print("off-topic    \(String(format: "%3d", report.offTopicQuestions))   " + String(format: "%.2f answered anyway", report.offTopicAnswered))
        }
    }
}
