import Foundation
import HTTPKit
import PackKit
import TUI

/// The question pane: the session's questions and answers (scrollable) above the input line. While the line has
/// the keyboard (`editing`) keys type; Esc gives them to the conversation, to scroll it.
public struct AskPane: Pane {
    public enum Msg: Sendable {
        case delta(id: Int, String)
        case finished(id: Int, Result<AskOutcome, ExplorerError>)
        case historyLoaded(QuestionHistory, path: String)
        case historyNotSaved(String)
    }

    public static let title = "Ask"

    public internal(set) var entries: [AskEntry] = []
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
    /// Where the pane was last laid out.
    var frame = Rect(x: 0, y: 0, width: 0, height: 0)

    public init() {}

    /// What to do without a pack, with the key read from the app's bindings.
    static let noPack = "open a pack first" + (GlobalBindings.everywhere.first { $0.command == "open" }.map { " (\($0.keysText))" } ?? "")

    var running: AskEntry? { entries.last(where: { $0.state == .running }) }

    public var isEditingText: Bool { editing }
    public var isTextEmpty: Bool { input.isEmpty }

    // MARK: Keys

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
    ]

    public mutating func edit(_ key: Key, _ call: inout PaneCall) {
        input.handle(key)
    }

    // MARK: Messages

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .delta(let id, let piece):
            guard let i = entries.firstIndex(where: { $0.id == id }), entries[i].state == .running else { return }
            entries[i].text += piece
            conversation.refresh(entries, at: i)
        case .finished(let id, let result):
            finished(id, result, &call)
        case .historyLoaded(let loaded, let path):
            history = loaded
            historyPath = path
        case .historyNotSaved(let message):
            call.fail(message)
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
            conversation.rebuild([], width: conversation.width, theme: call.context.theme)
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

    mutating func finished(_ id: Int, _ result: Result<AskOutcome, ExplorerError>, _ call: inout PaneCall) {
        guard let i = entries.firstIndex(where: { $0.id == id }), entries[i].state == .running else { return }
        switch result {
        case .success(let outcome):
            entries[i].text = outcome.text
            entries[i].outcome = outcome
            entries[i].highlightTerms = CitationsPane.highlightTerms(outcome.question)
            entries[i].state = .done
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

    static func ask(_ question: String, id: Int, session: PackSession) -> Effect<ExplorerMsg> {
        task("answer") { sink in
            let cancellation = HTTPCancellation()
            await withTaskCancellationHandler {
                do {
                    let outcome = try await session.ask(question, cancellation: cancellation) { piece in
                        sink.send(.delta(id: id, piece))
                    }
                    sink.send(.finished(id: id, .success(outcome)))
                } catch {
                    sink.send(.finished(id: id, .failure(ExplorerError(error))))
                }
            } onCancel: {
                cancellation.cancel()
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
