import ArgumentParser
import Foundation
import PackKit

struct PackAskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question from a pack, every sentence cited; offline by default."
    )

    @OptionGroup var packOptions: PackOptions

    @Option(help: "The question.")
    var question: String

    @Option(help: "A JSON config in the reference's PackConfig shape; its llm block picks the backend.")
    var config: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let backend = try loadConfig(config).llm.backend
        guard ["extractive", "mock"].contains(backend) else {
            throw fail("\(config ?? "config"): llm.backend '\(backend)' is not available in this version of ytce (valid: extractive)")
        }
        let opened = try packOptions.open()
        let answer: Answer
        let result: SearchResult
        do { (answer, result) = try Retriever(pack: opened, cache: packOptions.cache).answer(question) } catch {
            throw fail("\(packOptions.pack): \(error)")
        }
        if json {
            let sources: [JSONValue] = answer.sources.enumerated().map { i, s in
                .object(["n": .number(Double(i + 1)), "video_id": .string(s.citation.videoID), "title": .string(s.title),
                         "start_ms": .number(Double(s.citation.startMs)), "end_ms": .number(Double(s.citation.endMs)),
                         "citation": .string(s.citation.description), "url": .string(s.citation.deepLink(videoURL: s.url)),
                         "segment_ids": .array(s.segmentIDs.map { .number(Double($0)) })])
            }
            print(JSONValue.serialize(.object([
                "answer": .string(answer.text), "grounded": .bool(answer.isGrounded), "backend": .string("extractive"),
                "citations": .array(sources), "invented_citations": .number(0),
                "notes": .array(result.notes.map { .string($0) }),
            ])))
            return
        }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(answer.text)
        guard !answer.sources.isEmpty else { return }
        print("\nCitations:")
        for (i, s) in answer.sources.enumerated() {
            let span = "\(Citation.timestamp(s.citation.startMs))-\(Citation.timestamp(s.citation.endMs))"
            print("[\(i + 1)] \(s.title.isEmpty ? s.citation.videoID : s.title) (\(span))  \(s.citation.deepLink(videoURL: s.url))")
        }
    }
}
