import ArgumentParser
import Foundation
import PackKit

struct PackSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the moments of a pack that answer a question (hybrid lexical + vector search)."
    )

    @OptionGroup var packOptions: PackOptions

    @Option(help: "The question.")
    var question: String

    @Option(name: .customLong("top-k"), help: "How many moments to return.")
    var topK = 10

    @Option(help: "A JSON config; its embedding block may name an OpenAI-compatible embeddings endpoint for question vectors.")
    var config: String?

    @Flag(help: "Print JSON: {\"hits\": [{video_id, title, url, start_ms, end_ms, score, text, segment_ids}]}.")
    var json = false

    func run() async throws {
        guard topK > 0 else { throw fail("--top-k must be at least 1") }
        let loaded = try loadConfig(config)
        let vector = try await questionVector(question, config: loaded)
        let opened = try packOptions.open()
        let retriever = try packOptions.retriever(opened, config: loaded)
        let result: SearchResult
        do { result = try retriever.search(question, topK: topK, queryVector: vector) } catch {
            throw fail(pack: packOptions.pack, error)
        }
        if json {
            let hits: [JSONValue] = result.hits.map { hit in
                .object([
                    "video_id": .string(hit.videoID), "title": .string(hit.title), "url": .string(hit.url),
                    "start_ms": .number(Double(hit.startMs)), "end_ms": .number(Double(hit.endMs)),
                    "score": .number((hit.score * 1e6).rounded() / 1e6), "text": .string(hit.text),
                    "segment_ids": .array(hit.segmentIDs.map { .number(Double($0)) }),
                ])
            }
            var object: [String: JSONValue] = ["hits": .array(hits)]
            if !result.notes.isEmpty { object["notes"] = .array(result.notes.map { .string($0) }) }
            print(JSONValue.serialize(.object(object)))
            return
        }
        for note in result.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        if result.hits.isEmpty { print("No matching moments in this pack.") }
        for (i, hit) in result.hits.enumerated() {
            let citation = Citation(videoID: hit.videoID, startMs: hit.startMs, endMs: hit.endMs)
            print("\(i + 1). \(hit.title.isEmpty ? hit.videoID : hit.title)  \(citation)  score \(String(format: "%.4f", hit.score))")
            print("   \(citation.deepLink(videoURL: hit.url))")
            let snippet = hit.text.count > 240 ? String(hit.text.prefix(240)) + "…" : hit.text
            print("   \(snippet)\n")
        }
    }
}
