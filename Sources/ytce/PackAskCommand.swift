import ArgumentParser
import Foundation
import HTTPKit
import PackKit

struct PackAskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question from a pack, every claim cited; offline by default, or by the model the config names."
    )

    @OptionGroup var packOptions: PackOptions

    @Option(help: "The question.")
    var question: String

    @Option(help: "A JSON config in the reference's PackConfig shape; its llm block picks the backend (extractive, llmhub, openai).")
    var config: String?

    @Flag(help: "Print the answer as the model writes it (LLM backends).")
    var stream = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let loaded = try loadConfig(config)
        let settings: LLMSettings
        do { settings = try LLMSettings.resolve(loaded.llm, file: config ?? "config") } catch { throw fail(error.description) }
        let vector = try await questionVector(question, config: loaded)
        let opened = try packOptions.open()
        let retriever: Retriever
        retriever = try packOptions.retriever(opened, config: loaded)
        guard let client = LLMClients.make(settings, environment: ProcessInfo.processInfo.environment) else {
            return try answerOffline(retriever, vector: vector)
        }
        let result: SearchResult
        let summaries: [String]
        do {
            result = try retriever.search(question, topK: 8, queryVector: vector)
            summaries = EpisodeSummaries.isBroad(question) ? try EpisodeSummaries.lines(for: result.hits, database: opened.database) : []
        } catch { throw fail(pack: packOptions.pack, error) }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }

        let cancellation = HTTPCancellation()
        let interrupt = InterruptFlag(message: "interrupted: stopping the answer…", onInterrupt: { cancellation.cancel() })
        let echo = stream && !json
        // Only the answer kept reaches stdout: a draft that cites nothing is discarded, and said so on stderr.
        let kept = KeptAnswerStream { piece in FileHandle.standardOutput.write(Data(piece.utf8)) }
        let answer: LLMAnswer
        do {
            answer = try await LLMAnswerer(client: client, settings: settings).answer(
                question: question, channelTitle: opened.manifest.channelTitle, summaries: summaries, hits: result.hits,
                stream: stream, cancellation: cancellation,
                onDelta: { piece in if echo { kept.delta(piece) } },
                onRetry: {
                    kept.discardDraft()
                    if echo { FileHandle.standardError.write(Data("note: that draft cited nothing; asking the model once more\n".utf8)) }
                })
            if echo { kept.finish() }
        } catch {
            if error.kind == .cancelled || interrupt.isSet {
                if echo { FileHandle.standardOutput.write(Data("\n".utf8)) }
                throw fail("interrupted", code: 130)
            }
            if echo { FileHandle.standardOutput.write(Data("\n".utf8)) }
            throw fail(error.description)
        }
        if json {
            print(JSONValue.serialize(.object([
                "answer": .string(answer.text), "grounded": .bool(!answer.sources.isEmpty),
                "backend": .string(settings.backend.rawValue), "model": .string(settings.model),
                "citations": .array(Self.sourcesJSON(answer.sources)),
                "invented_citations": .number(Double(answer.invented.count)),
                "invented": .array(answer.invented.map { .string($0.description) }),
                "regenerated": .bool(answer.regenerated), "evidence_used": .number(Double(answer.evidenceUsed)),
                "finish_reason": answer.completion.finishReason.map { .string($0) } ?? .null,
                "notes": .array(result.notes.map { .string($0) }),
            ])))
            return
        }
        if echo { print("") } else { print(answer.text) }
        if !answer.invented.isEmpty {
            FileHandle.standardError.write(Data("warning: \(answer.invented.count) citation\(answer.invented.count == 1 ? "" : "s") point at no evidence the model was given (marked \(LLMAnswerer.inventedMark)): \(answer.invented.map(\.description).joined(separator: " "))\n".utf8))
        }
        Self.printSources(answer.sources)
    }

    private func answerOffline(_ retriever: Retriever, vector: [Float]?) throws {
        let answer: Answer
        let result: SearchResult
        do { (answer, result) = try retriever.answer(question, queryVector: vector) } catch { throw fail(pack: packOptions.pack, error) }
        if json {
            print(JSONValue.serialize(.object([
                "answer": .string(answer.text), "grounded": .bool(answer.isGrounded), "backend": .string("extractive"),
                "citations": .array(Self.sourcesJSON(answer.sources)), "invented_citations": .number(0),
                "notes": .array(result.notes.map { .string($0) }),
            ])))
            return
        }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(answer.text)
        Self.printSources(answer.sources)
    }

    static func sourcesJSON(_ sources: [Answer.Source]) -> [JSONValue] {
        sources.enumerated().map { i, s in
            .object(["n": .number(Double(i + 1)), "video_id": .string(s.citation.videoID), "title": .string(s.title),
                     "start_ms": .number(Double(s.citation.startMs)), "end_ms": .number(Double(s.citation.endMs)),
                     "citation": .string(s.citation.description), "url": .string(s.citation.deepLink(videoURL: s.url)),
                     "segment_ids": .array(s.segmentIDs.map { .number(Double($0)) }), "excerpt": .string(s.excerpt)])
        }
    }

    static func printSources(_ sources: [Answer.Source]) {
        guard !sources.isEmpty else { return }
        print("\n" + Answer.Source.listing(sources))
    }
}
