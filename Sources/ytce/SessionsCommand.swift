import ArgumentParser
import Foundation
import PackKit

/// `ytce sessions`: the saved conversations (the explorer's, the REPL's and `pack ask --session`'s).
struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List, show, export, remove and search saved conversations.",
        discussion: "Conversations are kept in conversations.sqlite under the data folder ($YTCE_DATA_DIR, else $XDG_DATA_HOME/ytce).",
        subcommands: [List.self, Show.self, Export.self, Remove.self, Search.self]
    )

    /// The store, or exit with its one-line error.
    static func store() throws -> ConversationStore {
        let store: ConversationStore
        do { store = try ConversationStore(path: AppPaths().conversations, briefs: AppPaths().briefs) } catch { throw fail(error.description) }
        for note in store.notes { FileHandle.standardError.write(Data("warning: \(note)\n".utf8)) }
        return store
    }

    /// The conversation `reference` names (a name, `#id` or an id), with its turns, or exit saying there is none.
    static func conversation(_ reference: String, in store: ConversationStore) throws -> (ConversationStore.Summary, [ConversationTurn], Brief) {
        do {
            guard let found = try store.find(reference) else { throw fail("no saved conversation '\(reference)' (see `ytce sessions list`)") }
            return (found, try store.turns(found.id), try store.pins(found.id))
        } catch let problem as ConversationStore.Problem { throw fail(problem.description) }
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The saved conversations, most recently continued first.")

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let all: [ConversationStore.Summary]
            do { all = try SessionsCommand.store().list() } catch let problem as ConversationStore.Problem { throw fail(problem.description) }
            if json {
                print(JSONValue.serialize(.array(all.map { s in
                    .object(["id": .number(Double(s.id)), "name": s.name.map { .string($0) } ?? .null, "pack": .string(s.packPath),
                             "channel_title": .string(s.channelTitle), "turns": .number(Double(s.turns)),
                             "updated_at": .string(ConversationExport.timestamp(s.updatedAt)), "first_question": .string(s.firstQuestion)])
                })))
                return
            }
            if all.isEmpty { print("no saved conversations"); return }
            for s in all {
                print("\(s.label)\t\(SessionsCommand.date(s.updatedAt))\t\(s.turns) question\(s.turns == 1 ? "" : "s")\t\(s.channelTitle)\t\(s.firstQuestion)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A conversation's questions and answers with their sources.")

        @Argument(help: "The conversation: its name, or #id.")
        var conversation: String

        func run() throws {
            let (summary, turns, brief) = try SessionsCommand.conversation(conversation, in: try SessionsCommand.store())
            print("\(summary.label) · \(summary.channelTitle) · \(summary.packPath)")
            for turn in turns {
                print("\n❯ \(turn.question)")
                if let searched = turn.searchedFor { print("searching for: \(searched)") }
                if !turn.scope.isAll { print("scope: \(turn.scope.summary)") }
                print(turn.answer)
                if !turn.sources.isEmpty { print("\n" + Answer.Source.listing(turn.sources)) }
            }
            if !brief.pins.isEmpty {
                print("\nBrief (\(brief.pins.count) pin\(brief.pins.count == 1 ? "" : "s")):")
                for (i, pin) in brief.pins.enumerated() {
                    print("\(i + 1). \(pin.title.isEmpty ? pin.videoID : pin.title) \(pin.span) \(pin.link)\(pin.note.isEmpty ? "" : " — \(pin.note)")")
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A conversation as Markdown or JSON, on stdout or into a file.")

        @Argument(help: "The conversation: its name, or #id.")
        var conversation: String

        @Option(help: "markdown or json.")
        var format: AnswerFormat = .markdown

        // --out as `pack build`, `compact` and `pull` name it; --output and -o too.
        @Option(name: [.customLong("out"), .customLong("output"), .customShort("o")], help: "Write to this file (atomically) instead of stdout.")
        var output: String?

        func validate() throws {
            if format == .text { throw ValidationError("--format: markdown or json") }
        }

        func run() throws {
            let (summary, turns, brief) = try SessionsCommand.conversation(conversation, in: try SessionsCommand.store())
            let text = format == .json
                ? JSONValue.serialize(ConversationExport.json(turns, summary: summary, brief: brief)) + "\n"
                : ConversationExport.markdown(turns, title: summary.name ?? turns.first?.question ?? summary.label, channel: summary.channelTitle, brief: brief)
            guard let output else { print(text, terminator: ""); return }
            do { try AtomicFile.write(Array(text.utf8), to: output) } catch { throw fail("\(output): cannot write: \(error)") }
            FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a saved conversation.")

        @Argument(help: "The conversation: its name, or #id.")
        var conversation: String

        func run() throws {
            let store = try SessionsCommand.store()
            let (summary, _, _) = try SessionsCommand.conversation(conversation, in: store)
            do { try store.remove(summary.id) } catch { throw fail(error.description) }
            print("removed \(summary.label)")
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Questions and answers that hold all the words given, newest first.")

        @Argument(help: "Words to find (case-insensitive).")
        var words: [String]

        func run() throws {
            guard !words.isEmpty else { throw fail("sessions search needs words to find") }
            let found: [(conversation: ConversationStore.Summary, position: Int, turn: ConversationTurn)]
            let store = try SessionsCommand.store()
            do { found = try store.search(words) } catch { throw fail(error.description) }
            if found.isEmpty { print("nothing found"); return }
            for hit in found {
                let answer = hit.turn.answer.replacingOccurrences(of: "\n", with: " ")
                print("\(hit.conversation.label) #\(hit.position + 1)\t\(SessionsCommand.date(hit.turn.askedAt))\t\(hit.turn.question)\t\(answer.prefix(120))")
            }
        }
    }
}
