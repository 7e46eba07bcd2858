import Foundation
import JobKit
import PackKit

/// The line-mode front end for pipes and dumb terminals: questions in, cited answers out, on the same engine as
/// the TUI, continuing the pack's last conversation; `:` commands (`commands`) open packs, scope and export.
public final class LineREPL {
    let context: ExplorerContext
    let write: @Sendable (String) -> Void
    var session: PackSession?

    public init(context: ExplorerContext, write: @escaping @Sendable (String) -> Void) {
        self.context = context
        self.write = write
    }

    /// A `:` command: the names it answers to (the first is shown), its argument, what it does, and the work.
    struct Command: Sendable {
        let names: [String]
        let argument: String
        let summary: String
        /// Runs with the text after the name; false when the REPL should end.
        let run: @Sendable (LineREPL, String) -> Bool
    }

    /// The commands, in the order `:help` lists them; the help is made from this list, so it cannot drift.
    static let commands: [Command] = [
        Command(names: ["open", "o"], argument: "PATH", summary: "open another pack") { repl, argument in
            if argument.isEmpty { repl.write("error: :open needs a path\n") } else { _ = repl.open(argument) }
            return true
        },
        Command(names: ["new", "n"], argument: "", summary: "start a new conversation (questions no longer follow on from the ones before)") { repl, _ in
            repl.withSession { session in
                session.startNewConversation()
                repl.write("new conversation\n")
            }
        },
        Command(names: ["scope"], argument: "WHAT", summary: "limit questions: video ID…, title WORDS, since DATE, until DATE; all clears") { repl, argument in
            repl.withSession { session in
                let scope = try AskScopeCommand.parse(argument)
                _ = try scope.videos(in: try session.videos())
                session.conversation.scope = scope
                repl.write("scope: \(scope.summary)\n")
            }
        },
        Command(names: ["export"], argument: "[PATH]", summary: "save the conversation as Markdown (stdout without a path)") { repl, argument in
            repl.withSession { session in
                let text = ConversationExport.markdown(session.conversation.turns, title: session.channelTitle, channel: session.channelTitle)
                guard !argument.isEmpty else { repl.write(text); return }
                do {
                    try AtomicFile.write(Array(text.utf8), to: (argument as NSString).expandingTildeInPath)
                    repl.write("saved the conversation to \(argument)\n")
                } catch { repl.write("error: \(argument): \(error)\n") }
            }
        },
        Command(names: ["jobs", "j"], argument: "", summary: "list summarisation jobs") { repl, _ in repl.listJobs(); return true },
        Command(names: ["help", "h", "?"], argument: "", summary: "this text") { repl, _ in repl.write(LineREPL.help + "\n"); return true },
        Command(names: ["quit", "q", "exit"], argument: "", summary: "leave (also Ctrl-D)") { _, _ in false },
    ]

    /// `:help`: what to type, then one line per command.
    public static var help: String {
        let usages = commands.map { ":" + $0.names[0] + ($0.argument.isEmpty ? "" : " " + $0.argument) }
        let width = usages.map(\.count).max() ?? 0
        let lines = zip(usages, commands).map { usage, command in
            "  " + usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.summary
        }
        return (["Type a question and press Enter; answers cite [video @ mm:ss-mm:ss]."] + lines).joined(separator: "\n")
    }

    /// Runs `body` on the open pack, or says there is none; a thrown error is printed as one line.
    func withSession(_ body: (PackSession) throws -> Void) -> Bool {
        guard let session else { write("error: no pack open: :open PATH\n"); return true }
        do { try body(session) } catch { write("error: \(error)\n") }
        return true
    }

    /// Opens `path`; the error is one line.
    public func open(_ path: String) -> Bool {
        do {
            let opened = try PackSession(path: (path as NSString).expandingTildeInPath, cache: context.cache, config: context.config,
                                         environment: context.environment, conversations: context.paths.conversations, briefs: context.paths.briefs)
            session = opened
            write("opened \(opened.channelTitle): \(opened.counts.videos) videos, \(opened.counts.chunks) chunks (\(opened.backendLabel))\n")
            for note in opened.notes { write("note: \(note)\n") }
            let turns = opened.conversation.turns.count
            if turns > 0 {
                write("continuing the last conversation (\(turns) question\(turns == 1 ? "" : "s"); :new starts another)\n")
            }
            let scope = opened.conversation.scope
            if !scope.isAll { write("scope: \(scope.summary) (:scope all asks the whole channel)\n") }
            return true
        } catch {
            write("error: \(error)\n")
            return false
        }
    }

    /// Handles one input line; returns false when the user asked to quit.
    public func handle(_ line: String) async -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return true }
        if text.hasPrefix(":") {
            let parts = text.dropFirst().split(separator: " ", maxSplits: 1)
            let name = parts.first.map { String($0).lowercased() } ?? ""
            let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
            guard let command = Self.commands.first(where: { $0.names.contains(name) }) else {
                write("error: unknown command ':\(name)' (try :help)\n")
                return true
            }
            return command.run(self, argument)
        }
        guard let session else {
            write("error: no pack open: :open PATH\n")
            return true
        }
        do {
            let streamed = session.usesModel
            let outcome = try await session.conversation.ask(text) { [write] event in
                switch event {
                case .delta(let piece): if streamed { write(piece) }
                case .searching(let query): write("searching for: \(query)\n")
                default: break
                }
            }
            if streamed { write("\n") } else { write(outcome.text + "\n") }
            for note in outcome.notes { write("note: \(note)\n") }
            if !outcome.sources.isEmpty {
                write("\n" + Answer.Source.listing(outcome.sources) + "\n")
            }
            write("\n")
        } catch {
            write("error: \(error)\n")
        }
        return true
    }

    func listJobs() {
        guard let jobs = context.jobs else { write("error: \(context.jobsProblem ?? "no job store")\n"); return }
        do {
            let list = try jobs.jobs()
            if list.isEmpty { write("no jobs\n") }
            for job in list { write("\(job.id)\t\(job.state.rawValue)\t\(job.name)\t\(job.detail)\n") }
        } catch { write("error: \(error)\n") }
    }

    /// Reads lines from standard input until EOF or `:quit`.
    public func run(prompt: Bool) async {
        if prompt { write(session == nil ? "ytce> " : "\(session?.channelTitle ?? "ytce")> ") }
        while let line = readLine(strippingNewline: true) {
            guard await handle(line) else { return }
            if prompt { write(session == nil ? "ytce> " : "\(session?.channelTitle ?? "ytce")> ") }
        }
    }
}
