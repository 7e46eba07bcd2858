import ArgumentParser
import Foundation
import PackKit

/// How `pack ask` prints its answer.
enum AnswerFormat: String, ExpressibleByArgument, CaseIterable {
    case text, markdown, json
}

struct PackAskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question from a pack, every claim cited; offline by default, or by the model the config names.",
        discussion: """
            With --session NAME the question continues that saved conversation (created on first use): a follow-up \
            ("and why is that?") is read in the context of the questions before it. `ytce sessions` lists, shows, \
            exports and removes saved conversations.
            """
    )

    @OptionGroup var packOptions: PackOptions

    @OptionGroup var questionOptions: QuestionOptions
    var question: String { questionOptions.text }

    @Option(help: "A JSON config in the reference's PackConfig shape; its llm block picks the backend (extractive, llmhub, openai).")
    var config: String?

    @Option(help: "Continue the saved conversation of this name (created when there is none), so follow-ups are understood.")
    var session: String?

    @OptionGroup var scopeOptions: ScopeOptions

    @Flag(help: "Print the answer as the model writes it (LLM backends).")
    var stream = false

    @Option(help: "How to print the answer: text, markdown (sources with links and excerpts) or json.")
    var format: AnswerFormat?

    @Flag(help: "Print JSON (the same as --format json).")
    var json = false

    @Flag(help: "Comparing packs: one answer whose sources are named by channel, the channels in the order of their comparable scores, instead of an answer per pack.")
    var together = false

    func validate() throws {
        if json, let format, format != .json { throw ValidationError("--json and --format \(format.rawValue) disagree") }
        if together, packOptions.packs.count < 2 { throw ValidationError("--together answers over several packs: give --pack more than once") }
    }

    func run() async throws {
        let format = json ? .json : (self.format ?? .text)
        let loaded = try loadConfig(config)
        let scope = try scopeOptions.scope()
        if packOptions.packs.count > 1 {
            // A comparison is one question over each pack: nothing to continue or limit, no Markdown export.
            guard session == nil, scope.isAll, format != .markdown else {
                throw fail("comparing packs (--pack given more than once) takes no --session, scope options or --format markdown")
            }
            return try await ComparedPacks.ask(question, json: format == .json, together: together, packOptions, config: loaded, configName: config)
        }
        let engine = try await packOptions.engine(config: loaded, configName: config)
        let conversation = try openConversation(engine)
        // Only a model's answer is echoed as it is written; the offline one is printed whole below.
        let echo = stream && format == .text && engine.usesModel
        let quiet = format == .json
        let question = self.question
        let answer: AskResult
        do {
            answer = try await interruptible("interrupted: stopping the answer…") {
                try await conversation.ask(question, scope: scope, stream: stream) { event in
                    switch event {
                    // Only the answer kept arrives: a draft that cites nothing is discarded, and said so on stderr.
                    case .delta(let piece): if echo { FileHandle.standardOutput.write(Data(piece.utf8)) }
                    case .draftDiscarded:
                        if echo { FileHandle.standardError.write(Data("note: that draft cited nothing; asking the model once more\n".utf8)) }
                    case .searching(let text): if !quiet { FileHandle.standardError.write(Data("searching for: \(text)\n".utf8)) }
                    case .followingOn(let earlier): if !quiet { FileHandle.standardError.write(Data("note: read as a follow-up to \"\(earlier)\"\n".utf8)) }
                    case .note(let note): if !quiet { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
                    case .evidence, .finished: break
                    }
                }
            }
        } catch let exit as ExitCode {
            if echo { FileHandle.standardOutput.write(Data("\n".utf8)) }
            throw exit
        } catch let error as LLMError {
            if echo { FileHandle.standardOutput.write(Data("\n".utf8)) }
            throw fail(error.description)
        } catch {
            throw fail(pack: packOptions.pack, error)
        }
        switch format {
        case .json:
            print(JSONValue.serialize(.object(jsonReport(answer, engine: engine, conversation: conversation))))
        case .markdown:
            if let turn = conversation.turns.last { print(ConversationExport.markdown(turn), terminator: "") }
        case .text:
            if echo { print("") } else { print(answer.text) }
            Self.warnInvented(answer)
            Self.printSources(answer.sources)
        }
    }

    /// The named saved conversation (continued, or created on the first answer), or a conversation of one question.
    private func openConversation(_ engine: AskEngine) throws -> Conversation {
        guard let session else { return Conversation(engine: engine) }
        guard !session.isEmpty, !session.hasPrefix("#") || Int64(session.dropFirst()) != nil else {
            throw fail("--session '\(session)': a name must not be empty or start with '#' (that is how ids are written)")
        }
        do {
            let store = try ConversationStore(path: AppPaths().conversations, briefs: AppPaths().briefs)
            guard let found = try store.find(session) else { return Conversation(engine: engine, store: store, name: session) }
            guard found.channelID == engine.manifest.channelID else {
                throw fail("--session '\(session)' is a conversation with \(found.channelTitle.isEmpty ? found.channelID : found.channelTitle) (\(found.packPath)), not with this pack's channel")
            }
            return try Conversation(engine: engine, store: store, continuing: found, recentTurns: Conversation.followUpTurns)
        } catch let problem as ConversationStore.Problem { throw fail(problem.description) }
    }

    private func jsonReport(_ answer: AskResult, engine: AskEngine, conversation: Conversation) -> [String: JSONValue] {
        var root = Self.answerJSON(answer, settings: engine.llm)
        if let turn = conversation.turns.last {
            if let searched = turn.searchedFor { root["searched_for"] = .string(searched) }
            root["followed_on"] = .bool(turn.followedOn)
            if !turn.scope.isAll { root["scope"] = turn.scope.json }
        }
        if let label = conversation.label { root["session"] = .string(session ?? label) }
        return root
    }

    /// An answer as `--json` prints it: the text, its citations, the notes, and which backend wrote it.
    static func answerJSON(_ answer: AskResult, settings: LLMSettings?) -> [String: JSONValue] {
        var root: [String: JSONValue] = [
            "answer": .string(answer.text), "grounded": .bool(answer.isGrounded),
            "citations": .array(sourcesJSON(answer.sources)), "invented_citations": .number(Double(answer.invented.count)),
            "notes": .array(answer.notes.map { .string($0) }),
        ]
        if let written = answer.model, let settings {
            root["backend"] = .string(settings.backend.rawValue)
            root["model"] = .string(settings.model)
            root["invented"] = .array(written.invented.map { .string($0.description) })
            root["regenerated"] = .bool(written.regenerated)
            root["evidence_used"] = .number(Double(written.evidenceUsed))
            root["finish_reason"] = written.completion.finishReason.map { .string($0) } ?? .null
        } else {
            root["backend"] = .string("extractive")
        }
        return root
    }

    /// Says on stderr which citations of a model's answer point at no evidence it was given.
    static func warnInvented(_ answer: AskResult) {
        guard !answer.invented.isEmpty else { return }
        FileHandle.standardError.write(Data("warning: \(answer.invented.count) citation\(answer.invented.count == 1 ? "" : "s") point at no evidence the model was given (marked \(LLMAnswerer.inventedMark)): \(answer.invented.map(\.description).joined(separator: " "))\n".utf8))
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
