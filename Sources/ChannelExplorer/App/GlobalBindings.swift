import TUI

/// A call into the app's own keys and commands: how it was called, and what it asks for.
public struct AppCall {
    public let key: Key?
    /// A palette command's argument ("" from a key).
    public let argument: String
    public internal(set) var requests: [AppRequest] = []

    public mutating func request(_ request: AppRequest) { requests.append(request) }
}

/// The keys and commands that are the app's rather than a pane's, in three reaches: everywhere (Ctrl, Alt, Tab
/// and function keys, which never type), outside text fields (plain keys, which type in a field; `?` and `:` also
/// on an empty line), and palette commands without a key.
enum GlobalBindings {
    typealias AppBinding = Binding<ExplorerModel, AppCall>

    /// The pane a digit key names: its place in the pane list.
    static func pane(forDigit key: Key?) -> PaneID? {
        let character: Character? = switch key {
        case .character(let c)?, .alt(let c)?: c
        default: nil
        }
        guard let character, let n = character.wholeNumberValue, n >= 1, n <= PaneList.tabs.count else { return nil }
        return PaneList.tabs[n - 1].id
    }

    static let digits: [Character] = PaneList.tabs.indices.compactMap { Character("\($0 + 1)") }
    static let paneNames = PaneList.tabs.enumerated().map { "\($0.offset + 1) \($0.element.title)" }.joined(separator: ", ")

    /// Keys that work whatever has the keyboard, text fields included.
    static let everywhere: [AppBinding] = [
        Binding([.control("c"), .control("q")], "quit (asks only while a job is being submitted)", command: "quit") { _, call in
            call.request(.quit)
        },
        Binding([.function(1)], "help: the keys of what has the keyboard", command: "help") { _, call in call.request(.help) },
        Binding([.tab], "the next pane", when: { !$0.showPicker }) { _, call in call.request(.cycleFocus(1)) },
        Binding([.backTab], "the previous pane", when: { !$0.showPicker }) { _, call in call.request(.cycleFocus(-1)) },
        Binding(digits.map { .alt($0) }, "go to a pane: " + paneNames, label: "Alt-1…Alt-\(digits.count)",
                when: { !$0.showPicker }) { _, call in
            if let pane = pane(forDigit: call.key) { call.request(.focus(pane)) }
        },
        Binding([.control("o")], "open a pack (no path: the pack picker)", command: "open", argument: "[PATH]") { _, call in
            call.request(call.argument.isEmpty ? .showPicker : .openPack(call.argument, orElse: nil))
        },
        Binding([.control("n")], "the answer's next citation, opened in the transcript", when: { !$0.showPicker }) { _, call in
            call.request(.stepCitation(1))
        },
        Binding([.control("p")], "the answer's previous citation", when: { !$0.showPicker }) { _, call in
            call.request(.stepCitation(-1))
        },
    ]

    /// Keys that work outside text fields and on an empty line.
    static let onEmptyLine: [AppBinding] = [
        Binding([.character("?")], "help: the keys of what has the keyboard", hint: "help") { _, call in call.request(.help) },
        Binding([.character(":")], "the command palette") { _, call in call.request(.palette) },
    ]

    /// Keys that work outside text fields (in one, they type).
    static let outsideText: [AppBinding] = [
        Binding(digits.map { .character($0) }, "go to a pane", label: "1…\(digits.count)", when: { !$0.showPicker }) { _, call in
            if let pane = pane(forDigit: call.key) { call.request(.focus(pane)) }
        },
        Binding([.character("q")], "quit") { _, call in call.request(.quit) },
        Binding([.character("!")], "the recent notices and errors, in full", hint: "messages", command: "messages") { _, call in
            call.request(.messages)
        },
        Binding([.character("n")], "the next match of the pane's search; without one, the answer's next citation",
                when: { !$0.showPicker }) { _, call in call.request(.stepMatch(forward: true)) },
        Binding([.character("N")], "the previous match; without one, the answer's previous citation",
                when: { !$0.showPicker }) { _, call in call.request(.stepMatch(forward: false)) },
    ]

    /// Palette commands without a key.
    static let commands: [AppBinding] = [
        Binding([], "switch theme: default, light, high-contrast, mono, or a user theme", command: "theme", argument: "NAME") { _, call in
            call.request(.setTheme(call.argument.isEmpty ? nil : call.argument))
        },
        Binding([], "send a transcript file (txt, srt, vtt, sbv, json) to be summarised", command: "submit", argument: "PATH") { _, call in
            call.request(.submitFile(call.argument.isEmpty ? nil : call.argument))
        },
        Binding([], "send a video of the pack (default: the one in the transcript viewer)", command: "summarize",
                argument: "[VIDEO]") { _, call in
            call.request(.submitVideo(call.argument.isEmpty ? nil : call.argument))
        },
        Binding([], "search inside the transcript shown", command: "search", argument: "WORDS") { _, call in
            call.request(.searchTranscript(call.argument))
        },
        Binding([], "ask the last question (or QUESTION) of this pack and PACK: one answer, its sources named by channel", command: "compare",
                argument: "PACK [QUESTION]") { _, call in
            let parts = call.argument.split(separator: " ", maxSplits: 1)
            guard let pack = parts.first else { call.request(.fail("compare PACK [QUESTION]: name the pack to compare with")); return }
            call.request(.compare(pack: String(pack), question: parts.count > 1 ? String(parts[1]) : nil))
        },
        Binding([], "show or switch what answers: the offline extractive answerer, or the configured model", command: "backend",
                argument: "[offline|model]") { _, call in call.request(.setBackend(call.argument)) },
    ]

    static var all: [AppBinding] { everywhere + onEmptyLine + outsideText + commands }
}
