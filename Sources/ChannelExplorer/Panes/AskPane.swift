import Foundation
import PackKit
import TUI

/// The question pane: the session's questions and answers (scrollable) above the input line. While the line has
/// the keyboard (`editing`) keys type; Esc gives them to the conversation, to scroll it.
public struct AskPane: Pane {
    public enum Msg: Sendable {
        case delta(id: Int, String)
        /// A model rewrote the follow-up into this standalone question before searching.
        case searching(id: Int, String)
        case finished(id: Int, Result<AskResult, ExplorerError>)
        case historyLoaded(QuestionHistory, path: String)
        case historyNotSaved(String)
        /// `:new` took effect: questions go to a fresh conversation.
        case conversationStarted
        /// `:scope` took effect (checked against the pack's videos).
        case scopeSet(AskScope)
        case exported(path: String)
        /// The whole conversation as Markdown, for the clipboard (`Y`).
        case conversationCopied(text: String, turns: Int)
        case failed(String)
    }

    public static let title = "Ask"

    public internal(set) var entries: [AskEntry] = []
    /// The answer whose citations the citation browser shows, when one was chosen with [ or ] (nil: the newest).
    public internal(set) var browsed: Int?
    public internal(set) var input = TextField()
    public internal(set) var history = QuestionHistory()
    var historyPath: String?
    /// True while the input line has the keyboard; Esc gives it to the conversation (scrolling).
    public internal(set) var editing = true
    /// Rows scrolled up from the bottom of the conversation.
    public internal(set) var scrollFromBottom = 0
    /// Answer ids go on counting across packs, so a late message of an old answer matches nothing.
    var nextID = 1
    var conversation = ConversationRows()
    /// What questions are limited to (`:scope`); shown in the status bar.
    public internal(set) var scope = AskScope.all
    /// Where the pane was last laid out.
    var frame = Rect(x: 0, y: 0, width: 0, height: 0)

    public init() {}

    /// What to do without a pack, with the key read from the app's bindings.
    static let noPack = "open a pack first" + (GlobalBindings.everywhere.first { $0.command == "open" }.map { " (\($0.keysText))" } ?? "")

    var running: AskEntry? { entries.last(where: { $0.state == .running }) }

    public var isEditingText: Bool { editing }
    public var isTextEmpty: Bool { input.isEmpty }

    // MARK: Keys

    /// Steps to the answered question `step` before (-1) or after (+1) the one whose citations the citation browser
    /// shows (at first the newest), and shows that answer's citations there.
    mutating func browse(by step: Int, _ call: inout PaneCall) {
        let answered = entries.indices.filter { entries[$0].state == .done && entries[$0].outcome != nil }
        guard !answered.isEmpty else { call.fail("no answer yet: its citations would be browsed here"); return }
        let current = browsed.flatMap { id in answered.firstIndex { entries[$0].id == id } } ?? answered.count - 1
        let next = current + step
        guard answered.indices.contains(next) else {
            call.notify(step < 0 ? "that is the first answer of the conversation" : "that is the newest answer")
            return
        }
        let entry = entries[answered[next]]
        browsed = entry.id
        call.request(.browseCitations(entry))
        call.notify("citations of answer \(next + 1) of \(answered.count): \(entry.question)")
    }

    public static let bindings: [Binding<AskPane, PaneCall>] = [
        Binding([.enter], "ask the question", hint: "asks", when: { $0.editing }) { p, call in p.submit(&call) },
        Binding([.up], "the previous question asked of this pack (kept across sessions)", hint: "history", when: { $0.editing }) { p, _ in
            if let older = p.history.older(than: p.input.value) { p.input = TextField(older) }
        },
        Binding([.down], "the next question in the history", hint: "history", when: { $0.editing }) { p, _ in
            if let newer = p.history.newer() { p.input = TextField(newer) }
        },
        Binding([.escape], "stop the answer being written", hint: "cancels", when: { $0.running != nil }) { p, call in p.cancel(&call) },
        Binding([.escape], "leave the line, to scroll the conversation", hint: "scrolls", when: { $0.editing }) { p, _ in p.editing = false },
        Binding([.escape, .enter, .character("i")], "back to the question line", hint: "types", when: { !$0.editing }) { p, _ in
            p.editing = true
        },
        Binding([.character("/")], "a fresh question (clears the line)", when: { !$0.editing }) { p, _ in
            p.input = TextField()
            p.editing = true
        },
        Binding([.down, .character("j")], "scroll the conversation down", hint: "scroll", when: { !$0.editing }) { p, _ in p.scrolled(by: -1) },
        Binding([.up, .character("k")], "scroll the conversation up", hint: "scroll", when: { !$0.editing }) { p, _ in p.scrolled(by: 1) },
        Binding([.pageUp], "a page up") { p, _ in p.scrolled(by: p.page) },
        Binding([.pageDown], "a page down") { p, _ in p.scrolled(by: -p.page) },
        Binding([.character(" ")], "a page down", when: { !$0.editing }) { p, _ in p.scrolled(by: -p.page) },
        Binding([.home, .character("g")], "to the first question", when: { !$0.editing }) { p, _ in p.scrolled(by: p.conversation.count) },
        Binding([.end, .character("G")], "to the end", when: { !$0.editing }) { p, _ in p.scrollFromBottom = 0 },
        // No frame hint: the frame has room for the hints above only (help lists these).
        Binding([.character("[")], "the answer before the one whose citations are browsed: its citations in the citation browser",
                when: { !$0.editing }) { p, call in p.browse(by: -1, &call) },
        Binding([.character("]")], "the answer after it: its citations in the citation browser", when: { !$0.editing }) { p, call in
            p.browse(by: 1, &call)
        },
        Binding([.character("y")], "copy the last answer as Markdown, sources and links with it (OSC 52)", hint: "copies answer",
                when: { !$0.editing && $0.lastAnswer != nil }) { p, call in
            guard let turn = p.lastAnswer else { return }
            call.run(.writeTerminal(Clipboard.copy(ConversationExport.markdown(turn))))
            call.notify("copied the answer as Markdown")
        },
        Binding([.character("Y")], "copy the whole conversation as Markdown (OSC 52), as :export writes it", hint: "copies all",
                when: { !$0.editing && $0.lastAnswer != nil }) { p, call in
            guard let session = call.context.session else { call.fail(Self.noPack); return }
            call.run(Self.copyConversation(session))
        },
        Binding([], "start a new conversation: questions no longer follow on from the ones before (the old one is kept)",
                command: "new") { p, call in
            guard let session = call.context.session else { call.fail(Self.noPack); return }
            call.run(Self.startConversation(session))
        },
        Binding([], "limit questions to videos: video ID…, title WORDS, since DATE, until DATE; transcript: the video open in the transcript; all asks the whole channel",
                command: "scope", argument: "WHAT") { p, call in
            guard let session = call.context.session else { call.fail(Self.noPack); return }
            // Only the explorer knows which transcript is open: the app resolves it (the REPL has none).
            if call.argument.trimmingCharacters(in: .whitespaces).lowercased() == "transcript" { call.request(.scopeToTranscript); return }
            do throws(AskScope.Problem) { call.run(Self.setScope(try AskScopeCommand.parse(call.argument), session)) } catch {
                call.fail(error.description)
            }
        },
        Binding([], "save the conversation as Markdown (default: ytce-conversation-DATE.md in the current folder)",
                command: "export", argument: "[PATH]") { p, call in
            guard let session = call.context.session else { call.fail(Self.noPack); return }
            call.run(Self.export(session, to: call.argument.isEmpty ? nil : call.argument, now: call.context.now))
        },
    ]

    /// The newest finished answer, as a turn to export.
    var lastAnswer: ConversationTurn? {
        guard let entry = entries.last(where: { $0.state == .done && $0.outcome != nil }), let outcome = entry.outcome else { return nil }
        return ConversationTurn(question: entry.question, searchedFor: entry.searchedFor, answer: outcome.text, grounded: outcome.isGrounded,
                                sources: outcome.sources, backend: "", askedAt: Date(timeIntervalSince1970: entry.startedAt))
    }

    public mutating func edit(_ key: Key, _ call: inout PaneCall) {
        input.handle(key)
    }

    // MARK: Messages

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .delta(let id, let piece):
            guard let i = entries.firstIndex(where: { $0.id == id }), entries[i].state == .running else { return }
            entries[i].text += piece
            conversation.grow(entries, at: i)
        case .searching(let id, let text):
            guard let i = entries.firstIndex(where: { $0.id == id }), entries[i].state == .running else { return }
            entries[i].searchedFor = text
            conversation.refresh(entries, at: i)
        case .finished(let id, let result):
            finished(id, result, &call)
        case .historyLoaded(let loaded, let path):
            // Questions asked while the file was being read are newer than it: kept after it, and saved.
            let askedMeanwhile = history.questions
            history = loaded.appending(askedMeanwhile)
            historyPath = path
            if !askedMeanwhile.isEmpty { call.run(Self.saveHistory(history, to: path)) }
        case .historyNotSaved(let message), .failed(let message):
            call.fail(message)
        case .conversationStarted:
            call.run(.cancel(id: "answer"))
            entries = []
            browsed = nil
            scrollFromBottom = 0
            conversation.rebuild([], width: conversation.width, theme: call.context.theme)
            call.notify("new conversation")
            call.request(.conversationStarted)
        case .scopeSet(let scope):
            self.scope = scope
            call.notify(scope.isAll ? "questions ask the whole channel" : "questions ask \(scope.summary)")
        case .conversationCopied(let text, let turns):
            call.run(.writeTerminal(Clipboard.copy(text)))
            call.notify("copied the conversation (\(turns) question\(turns == 1 ? "" : "s")) as Markdown")
        case .exported(let path):
            call.notify("saved the conversation to \(path)")
        }
    }

    public mutating func receive(_ event: AppEvent, _ call: inout PaneCall) {
        switch event {
        case .packOpened(let session):
            // The old pack's answer must not land in the new pack's conversation.
            call.run(.cancel(id: "answer"))
            let keep = (nextID, frame, conversation)
            self = AskPane()
            (nextID, frame, conversation) = keep
            // The pack's last conversation goes on: its turns are shown again.
            let conversation = session.conversation
            for turn in conversation.turns {
                var entry = AskEntry(id: nextID, question: turn.question, startedAt: turn.askedAt.timeIntervalSince1970)
                nextID += 1
                entry.text = turn.answer
                entry.outcome = AskResult(turn: turn)
                entry.searchedFor = turn.searchedFor
                entry.highlightTerms = CitationsPane.highlightTerms(turn.question)
                entry.state = .done
                entries.append(entry)
            }
            scope = conversation.scope
            self.conversation.rebuild(entries, width: self.conversation.width, theme: call.context.theme)
            call.run(Self.loadHistory(call.context.services.paths, channelID: session.manifest.channelID))
        case .layout:
            frame = call.context.frame
            let width = Self.conversationArea(frame).width - 1
            if !conversation.isCurrent(width: width, theme: call.context.theme) {
                conversation.rebuild(entries, width: width, theme: call.context.theme)
            }
            scrollFromBottom = min(scrollFromBottom, maxScroll)
        case .focused:
            editing = true
        case .answerFinished:
            break
        }
    }

    // MARK: Questions

    mutating func submit(_ call: inout PaneCall) {
        let question = input.value.trimmingCharacters(in: .whitespaces)
        guard !question.isEmpty else { return }
        guard let session = call.context.session else { call.fail(Self.noPack); return }
        if let running, let i = entries.firstIndex(where: { $0.id == running.id }) {
            entries[i].state = .cancelled
            conversation.refresh(entries, at: i)
            call.run(.cancel(id: "answer"))
        }
        let id = nextID
        nextID += 1
        entries.append(AskEntry(id: id, question: question, startedAt: call.context.now))
        conversation.refresh(entries, at: entries.count - 1)
        input = TextField()
        scrollFromBottom = 0
        history.add(question)
        if let historyPath { call.run(Self.saveHistory(history, to: historyPath)) }
        call.run(Self.ask(question, id: id, session: session))
    }

    mutating func cancel(_ call: inout PaneCall) {
        guard let running, let i = entries.firstIndex(where: { $0.id == running.id }) else { return }
        entries[i].state = .cancelled
        conversation.refresh(entries, at: i)
        call.notify("answer cancelled")
        call.run(.cancel(id: "answer"))
    }

    mutating func finished(_ id: Int, _ result: Result<AskResult, ExplorerError>, _ call: inout PaneCall) {
        guard let i = entries.firstIndex(where: { $0.id == id }), entries[i].state == .running else { return }
        switch result {
        case .success(let outcome):
            entries[i].text = outcome.text
            entries[i].outcome = outcome
            entries[i].highlightTerms = CitationsPane.highlightTerms(outcome.question)
            entries[i].state = .done
            browsed = nil
            conversation.refresh(entries, at: i)
            if i == entries.count - 1 { scrollFromBottom = scrollToNewestQuestion }
            if !outcome.invented.isEmpty {
                call.fail("\(outcome.invented.count) citation(s) point at no evidence (marked \(LLMAnswerer.inventedMark))")
            }
            call.request(.answerFinished(entries[i]))
        case .failure(let error):
            entries[i].state = .failed(error.description)
            conversation.refresh(entries, at: i)
            call.fail(error.description)
        }
    }

    // MARK: Scrolling

    /// Where the conversation is drawn in a frame: inside the border, above the rule and the input line.
    static func conversationArea(_ frame: Rect) -> Rect { frame.inset(1).splitBottom(2).0 }

    /// Rows of the conversation (the running answer's spinner row included).
    var rowCount: Int { conversation.count + (running != nil ? 1 : 0) }

    var maxScroll: Int { max(0, rowCount - Self.conversationArea(frame).height) }

    var page: Int { max(1, Self.conversationArea(frame).height - 1) }

    mutating func scrolled(by rows: Int) {
        scrollFromBottom = min(max(0, scrollFromBottom + rows), maxScroll)
    }

    /// Scroll position that puts the newest question at the top when its answer is taller than the pane (0, the
    /// bottom, when it fits), so a finished answer is read from its start.
    var scrollToNewestQuestion: Int {
        min(max(0, conversation.lastEntryRows - Self.conversationArea(frame).height), maxScroll)
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { scrolled(by: -rows) }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        if y >= call.context.body.maxY - 1 { editing = true }
    }

    // MARK: Effects

    /// Asks through the session's conversation; cancelling the effect cancels the question (and the model's call).
    static func ask(_ question: String, id: Int, session: PackSession) -> Effect<ExplorerMsg> {
        task("answer") { sink in
            do {
                let result = try await session.conversation.ask(question) { event in
                    switch event {
                    case .delta(let piece): sink.send(.delta(id: id, piece))
                    case .searching(let text): sink.send(.searching(id: id, text))
                    case .followingOn, .evidence, .note, .draftDiscarded, .finished: break
                    }
                }
                sink.send(.finished(id: id, .success(result)))
            } catch {
                sink.send(.finished(id: id, .failure(ExplorerError(error))))
            }
        }
    }

    static func startConversation(_ session: PackSession) -> Effect<ExplorerMsg> {
        task("conversation") { sink in
            session.startNewConversation()
            sink.send(.conversationStarted)
        }
    }

    /// Checks `scope` against the pack's videos, then makes it the conversation's.
    static func setScope(_ scope: AskScope, _ session: PackSession) -> Effect<ExplorerMsg> {
        task("scope") { sink in
            do {
                _ = try scope.videos(in: try session.videos())
                session.conversation.scope = scope
                sink.send(.scopeSet(scope))
            } catch let problem as AskScope.Problem {
                sink.send(.failed(problem.description))
            } catch {
                sink.send(.failed("scope: \(error)"))
            }
        }
    }

    /// Makes `scope` the conversation's (checked against the pack's videos first) and gives the keyboard to the
    /// question line: the library's marked videos, the open transcript.
    mutating func limit(to scope: AskScope, _ call: inout PaneCall) {
        guard let session = call.context.session else { call.fail(Self.noPack); return }
        editing = true
        call.run(Self.setScope(scope, session))
    }

    /// The conversation (every turn, as kept) as Markdown, the way `:export` writes it and `Y` copies it.
    static func markdown(of conversation: Conversation, _ session: PackSession) -> (text: String, turns: Int)? {
        let turns = conversation.turns
        guard !turns.isEmpty else { return nil }
        let title = conversation.label.map { "\(session.channelTitle): \($0)" } ?? session.channelTitle
        return (ConversationExport.markdown(turns, title: title, channel: session.channelTitle), turns.count)
    }

    /// The whole conversation as Markdown, for the clipboard.
    static func copyConversation(_ session: PackSession) -> Effect<ExplorerMsg> {
        task("copy") { sink in
            guard let made = markdown(of: session.conversation, session) else {
                sink.send(.failed("copy: the conversation has no answers yet"))
                return
            }
            sink.send(.conversationCopied(text: made.text, turns: made.turns))
        }
    }

    /// Writes the conversation as Markdown, atomically.
    static func export(_ session: PackSession, to path: String?, now: Double) -> Effect<ExplorerMsg> {
        task("export") { sink in
            guard let made = markdown(of: session.conversation, session) else { sink.send(.failed("export: the conversation has no answers yet")); return }
            let text = made.text
            let stamp = ConversationExport.timestamp(Date(timeIntervalSince1970: now)).replacingOccurrences(of: ":", with: "-")
            let target = ((path ?? "ytce-conversation-\(stamp).md") as NSString).expandingTildeInPath
            do {
                try AtomicFile.write(Array(text.utf8), to: target)
                sink.send(.exported(path: target))
            } catch {
                sink.send(.failed("export: \(target): \(error)"))
            }
        }
    }

    static func loadHistory(_ paths: AppPaths, channelID: String) -> Effect<ExplorerMsg> {
        task("history") { sink in
            let path = paths.questionHistory(channelID: channelID)
            sink.send(.historyLoaded(QuestionHistory.load(from: path, legacyPath: paths.legacy(path)), path: path))
        }
    }

    static func saveHistory(_ history: QuestionHistory, to path: String) -> Effect<ExplorerMsg> {
        task { sink in
            do { try history.save(to: path) } catch { sink.send(.historyNotSaved("could not save the question history to \(path): \(error)")) }
        }
    }

    // MARK: View

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let inner = Block(title: Self.title, focused: context.focused, theme: theme, rightTitle: hints).render(into: &buffer, area: context.frame)
        guard inner.height >= 3 else { return }
        let (area, bottom) = inner.splitBottom(2)
        // The input line, under a rule.
        buffer.put(String(repeating: "─", count: bottom.width), x: bottom.x, y: bottom.y, style: theme[.border])
        buffer.draw(StyledLine("❯ ", style: theme[.accent]), x: bottom.x, y: bottom.y + 1)
        let placeholder = context.session.map { "Ask \($0.channelTitle) a question" } ?? Self.noPack
        input.render(into: &buffer, area: Rect(x: bottom.x + 2, y: bottom.y + 1, width: bottom.width - 2, height: 1),
                     style: theme[.input], focused: context.focused && editing && !context.popupOpen,
                     placeholder: placeholder, placeholderStyle: theme[.placeholder])
        guard !entries.isEmpty else {
            // The other panes by the keys that reach them from this line (the app's Alt-digit binding).
            let others = PaneList.tabs.indices.compactMap { i -> String? in
                let key = Key.alt(Character("\(i + 1)"))
                guard PaneList.tabs[i].id != Self.id, GlobalBindings.everywhere.contains(where: { $0.keys.contains(key) }) else { return nil }
                return "\(key.name) \(PaneList.tabs[i].title)"
            }
            let help = [StyledLine("Ask anything about the channel; answers cite the moments they come from.", style: theme[.dim]),
                        StyledLine("The other panes: " + others.joined(separator: " · "), style: theme[.dim])]
            buffer.draw(help.flatMap { $0.wrapped(width: area.width) }, in: area)
            return
        }
        // The rows come from the cache; drawn in a frame of another width (before the first layout), they are
        // made on the spot.
        var rows = conversation
        if !rows.isCurrent(width: area.width - 1, theme: theme) { rows.rebuild(entries, width: area.width - 1, theme: theme) }
        let spinner = running.map { _ in StyledLine("\(Spinner.frame(context.tick)) answering…", style: theme[.dim]) }
        let total = rows.count + (spinner == nil ? 0 : 1)
        let fromBottom = min(scrollFromBottom, max(0, total - area.height))
        let first = max(0, total - area.height - fromBottom)
        var shown = rows.slice(from: first, count: area.height)
        if let spinner, shown.count < area.height, first + shown.count == rows.count { shown.append(spinner) }
        buffer.draw(shown, in: area)
        if total > area.height {
            Scrollbar(total: total, visible: area.height, offset: first, trackStyle: theme[.dim], thumbStyle: theme[.accent])
                .render(into: &buffer, area: Rect(x: area.maxX - 1, y: area.y, width: 1, height: area.height))
        }
    }
}
