import Foundation
import TUI

/// The `:` command palette: a command line for what has no key of its own.
enum PaletteCommands {
    static let all: [(name: String, usage: String, help: String)] = [
        ("open", "open PATH", "open a pack (no path: the pack picker)"),
        ("theme", "theme NAME", "switch theme: default, light, high-contrast, mono, or a user theme"),
        ("submit", "submit PATH", "send a transcript file (txt, srt, vtt, sbv, json) to be summarised"),
        ("summarize", "summarize [VIDEO]", "send a video of the pack (default: the one in the transcript viewer)"),
        ("search", "search WORDS", "search inside the transcript shown"),
        ("backend", "backend [offline|model]", "show or switch the answerer: offline extractive, or the configured model"),
        ("messages", "messages", "the recent notices and errors, in full"),
        ("help", "help", "the keys of the focused pane"),
        ("quit", "quit", "leave ytce"),
    ]

    /// The command a prefix names, completed.
    static func complete(_ text: String) -> String? {
        let word = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        guard !word.isEmpty, !text.contains(" ") else { return nil }
        let candidates = all.filter { $0.name.hasPrefix(word) }
        return candidates.count == 1 ? candidates[0].name + " " : nil
    }
}

extension ChannelExplorer {
    /// Runs a palette line. In the transcript viewer a time (`12:30`) jumps there.
    func runCommand(_ line: String, _ model: inout ExplorerModel) -> [Fx] {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        if let ms = parseTimestamp(text) {
            guard model.focus == .transcript, let transcript = model.transcript.transcript else {
                fail("\(text): a time jumps in the transcript viewer; open a transcript first", &model)
                return []
            }
            let rows = TranscriptRows(transcript)
            if let row = rows.row(atMs: ms) {
                model.transcript.cursor = row
                model.transcript.top = max(0, row - 3)
            }
            return []
        }
        let parts = text.split(separator: " ", maxSplits: 1)
        let name = String(parts[0]).lowercased()
        let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        guard let command = PaletteCommands.all.first(where: { $0.name == name }) ?? PaletteCommands.all.first(where: { $0.name.hasPrefix(name) }) else {
            fail("unknown command '\(name)': try " + PaletteCommands.all.map(\.name).joined(separator: ", "), &model)
            return []
        }
        switch command.name {
        case "open":
            return argument.isEmpty ? showPicker(&model) : openPack(argument, &model)
        case "theme":
            guard !argument.isEmpty else {
                fail("theme NAME: one of " + ExplorerTheme.loader(paths: context.paths).availableThemes().joined(separator: ", "), &model)
                return []
            }
            do {
                model.theme = try ExplorerTheme.loader(paths: context.paths).load(argument)
                notify("theme \(model.theme.name)", &model)
            } catch {
                // The theme in use is a good one: keep it (at start-up a bad theme falls back to default).
                fail("\(error) (keeping \(model.theme.name))", &model)
            }
            return []
        case "submit":
            guard !argument.isEmpty else {
                model.overlay = .prompt(title: "Transcript file to summarise", field: TextField(), action: .submitFile)
                return []
            }
            return submitFile(argument, &model)
        case "summarize":
            let video = argument.isEmpty ? (model.transcript.transcript?.videoID ?? "") : argument
            guard !video.isEmpty else { fail("summarize VIDEO: name a video, or open its transcript first", &model); return [] }
            return submitVideo(video, &model)
        case "search":
            model.focus = .transcript
            searchTranscript(argument, &model)
            return []
        case "backend":
            guard let session = model.session else { fail("open a pack first", &model); return [] }
            switch argument.lowercased() {
            case "":
                notify("answers: \(session.backendLabel)" + (session.hasModel ? " (configured: \(session.modelLabel))" : " (no llm block in the config)"), &model)
            case "offline", "extractive":
                session.useModel(false)
                notify("answers: offline", &model)
            case "model", "llm", "on":
                guard session.useModel(true) else {
                    fail("no model configured: add an llm block to --config (see README: Models)", &model)
                    return []
                }
                notify("answers: \(session.backendLabel)", &model)
            default:
                fail("backend \(argument): use 'offline' or 'model'", &model)
            }
            return []
        case "messages":
            model.overlay = .messages(scroll: 0)
            return []
        case "help":
            model.overlay = .help
            return []
        default:
            return requestQuit(&model)
        }
    }
}
