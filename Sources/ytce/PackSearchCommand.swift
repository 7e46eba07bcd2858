import ArgumentParser
import Foundation
import PackKit

struct PackSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the moments of a pack that answer a question (hybrid lexical + vector search)."
    )

    @OptionGroup var packOptions: PackOptions

    @OptionGroup var questionOptions: QuestionOptions
    var question: String { questionOptions.text }

    @Option(name: .customLong("top-k"), help: "How many moments to return.")
    var topK = 10

    @Option(help: "A JSON config; its embedding block may name an OpenAI-compatible embeddings endpoint for question vectors.")
    var config: String?

    @OptionGroup var scopeOptions: ScopeOptions

    @Flag(help: "Print JSON: {\"hits\": [{video_id, title, url, start_ms, end_ms, score, text, segment_ids}]}.")
    var json = false

    func run() async throws {
        guard topK > 0 else { throw fail("--top-k must be at least 1") }
        let loaded = try loadConfig(config)
        let scope = try scopeOptions.scope()
        if packOptions.packs.count > 1 {
            guard scope.isAll else { throw fail("comparing packs (--pack given more than once) takes no scope options") }
            return try await ComparedPacks.search(question, topK: topK, json: json, packOptions, config: loaded)
        }
        let engine = try await packOptions.engine(config: loaded, configName: config)
        let question = self.question, topK = self.topK
        let result: SearchResult
        do { result = try await interruptible("interrupted") { try await engine.search(question, topK: topK, scope: scope) } } catch let exit as ExitCode {
            throw exit
        } catch let error as LLMError { throw fail(error.description) } catch let problem as AskScope.Problem {
            throw fail(problem.description)
        } catch { throw fail(pack: packOptions.pack, error) }
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
        let snippetTerms = MatchSnippet.terms(question)
        for (i, hit) in result.hits.enumerated() {
            let citation = Citation(videoID: hit.videoID, startMs: hit.startMs, endMs: hit.endMs)
            print("\(i + 1). \(hit.title.isEmpty ? hit.videoID : hit.title)  \(citation)  score \(String(format: "%.4f", hit.score))")
            print("   \(citation.deepLink(videoURL: hit.url))")
            let snippet = MatchSnippet.excerpt(hit.text, terms: snippetTerms, length: 240)
            print("   \(snippet)\n")
        }
    }
}
