import Foundation
import HTTPKit
import JobKit
import PackKit

/// The line-mode front end for pipes and dumb terminals: questions in, cited answers out, on the same engine as
/// the TUI. Commands: `:open PATH`, `:jobs`, `:help`, `:quit`.
public final class LineREPL {
    let context: ExplorerContext
    let write: @Sendable (String) -> Void
    var session: PackSession?

    public init(context: ExplorerContext, write: @escaping @Sendable (String) -> Void) {
        self.context = context
        self.write = write
    }

    public static let help = """
        Type a question and press Enter; answers cite [video @ mm:ss-mm:ss].
          :open PATH   open another pack
          :jobs        list summarisation jobs
          :help        this text
          :quit        leave (also Ctrl-D)
        """

    /// Opens `path`; the error is one line.
    public func open(_ path: String) -> Bool {
        do {
            let opened = try PackSession(path: (path as NSString).expandingTildeInPath, cache: context.cache, config: context.config,
                                         environment: context.environment)
            session = opened
            write("opened \(opened.channelTitle): \(opened.counts.videos) videos, \(opened.counts.chunks) chunks (\(opened.backendLabel))\n")
            for note in opened.notes { write("note: \(note)\n") }
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
            let command = parts.first.map { String($0).lowercased() } ?? ""
            let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
            switch command {
            case "quit", "q", "exit": return false
            case "help", "h", "?": write(Self.help + "\n")
            case "open", "o":
                if argument.isEmpty { write("error: :open needs a path\n") } else { _ = open(argument) }
            case "jobs", "j": listJobs()
            default: write("error: unknown command ':\(command)' (try :help)\n")
            }
            return true
        }
        guard let session else {
            write("error: no pack open: :open PATH\n")
            return true
        }
        do {
            let streamed = session.usesModel
            let outcome = try await session.ask(text, cancellation: HTTPCancellation()) { [write] piece in if streamed { write(piece) } }
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
