import Foundation
import PackKit
import TUI

/// The brief: the moments pinned (`p` on a search hit, a citation or a transcript line), in the analyst's order,
/// each with an optional note; reordered, deleted, opened in the transcript, exported as Markdown or JSON. Saved
/// with the conversation after every change (an effect); a new conversation (`:new`) starts an empty brief.
public struct BriefPane: Pane {
    public enum Msg: Sendable {
        case loaded(Result<Brief, ExplorerError>, Conversation)
        case saved(String?)
        case exported(Result<String, ExplorerError>)
    }

    public static let title = "Brief"
    /// A pin's rows in the list: its title line, its quote, a blank line.
    static let rowsPerItem = 3

    public internal(set) var brief = Brief()
    public internal(set) var selection = 0
    /// The conversation the brief is saved with (nil until its pins are read: pins made before then are kept in
    /// memory and saved with the first change after).
    var conversation: Conversation?
    var channelTitle = ""
    var frame = Rect(x: 0, y: 0, width: 0, height: 0)

    public init() {}

    var pins: [Brief.Pin] { brief.pins }
    var selected: Brief.Pin? { pins.isEmpty ? nil : pins[min(selection, pins.count - 1)] }

    // MARK: Keys

    public static let bindings: [Binding<BriefPane, PaneCall>] = [
        Binding([.down, .character("j")], "the next pin") { p, _ in p.select(p.selection + 1) },
        Binding([.up, .character("k")], "the previous pin") { p, _ in p.select(p.selection - 1) },
        Binding([.home, .character("g")], "the first pin") { p, _ in p.select(0) },
        Binding([.end, .character("G")], "the last pin") { p, _ in p.select(p.pins.count - 1) },
        Binding([.character("/")], "search the whole pack (p pins a hit here)") { _, call in SearchPane.start(&call) },
        Binding([.character("J")], "move the pin down", hint: "reorder", when: { !$0.pins.isEmpty }) { p, call in
            p.selection = p.brief.move(p.selection, by: 1)
            p.save(&call)
        },
        Binding([.character("K")], "move the pin up", when: { !$0.pins.isEmpty }) { p, call in
            p.selection = p.brief.move(p.selection, by: -1)
            p.save(&call)
        },
        Binding([.character("d"), .delete], "delete the pin", hint: "deletes", when: { !$0.pins.isEmpty }) { p, call in
            p.brief.pins.remove(at: min(p.selection, p.pins.count - 1))
            p.select(p.selection)
            p.save(&call)
        },
        Binding([.enter], "open the transcript at the pin", hint: "opens", when: { !$0.pins.isEmpty }) { p, call in
            guard let pin = p.selected else { return }
            call.request(.openTranscript(videoID: pin.videoID, segments: [], jumpMs: pin.startMs))
        },
        Binding([.character("e")], "write the pin's note (one line)", hint: "note", when: { !$0.pins.isEmpty }) { p, call in
            call.request(.popup(.prompt(PromptPopup(title: "Note for the pin", command: "note", value: p.selected?.note ?? ""))))
        },
        Binding([.character("x")], "export the brief (.md: Markdown, .json: JSON)", hint: "export") { p, call in
            call.request(.popup(.prompt(PromptPopup(title: "Export the brief to (.md or .json)", command: "export-brief",
                                                    value: FileManager.default.currentDirectoryPath + "/brief.md"))))
        },
        Binding([], "the selected pin's note", command: "note", argument: "TEXT") { p, call in
            guard !p.pins.isEmpty else { return }
            p.brief.pins[min(p.selection, p.pins.count - 1)].note = call.argument.split(whereSeparator: \.isNewline).joined(separator: " ")
            p.save(&call)
        },
        Binding([], "export the brief to a file: Markdown, or JSON for a .json name", command: "export-brief", argument: "PATH") { p, call in
            let path = NSString(string: call.argument).expandingTildeInPath
            guard !path.isEmpty else { call.fail("export-brief PATH: name the file"); return }
            let brief = p.brief, title = "Brief · \(p.channelTitle)"
            call.run(Self.task { sink in
                do {
                    try brief.export(to: path, title: title)
                    sink.send(.exported(.success(path)))
                } catch { sink.send(.exported(.failure(ExplorerError(error)))) }
            })
        },
    ]

    mutating func select(_ index: Int) {
        selection = min(max(0, index), max(0, pins.count - 1))
    }

    /// Pins a moment (at the end); says so, or that it was pinned already.
    mutating func pin(_ pin: Brief.Pin, _ call: inout PaneCall) {
        guard brief.add(pin) else { call.notify("already pinned: \(pin.title) \(pin.span)"); return }
        call.notify("pin \(pins.count) of the brief: \(pin.title.isEmpty ? pin.videoID : pin.title) \(pin.span)")
        save(&call)
    }

    mutating func save(_ call: inout PaneCall) {
        guard let conversation else { return }
        let brief = brief
        call.run(Self.task("brief-save") { sink in
            do { try conversation.savePins(brief); sink.send(.saved(nil)) } catch { sink.send(.saved("could not save the brief: \(error)")) }
        })
    }

    /// Starts over with the brief of `conversation` (the pack's, or a new one's), read in the background.
    mutating func load(_ conversation: Conversation, _ call: inout PaneCall) {
        let keep = frame, title = channelTitle
        self = BriefPane()
        frame = keep
        channelTitle = title
        call.run(Self.task("brief-load") { sink in
            do { sink.send(.loaded(.success(try conversation.pins()), conversation)) }
            catch { sink.send(.loaded(.failure(ExplorerError(error)), conversation)) }
        })
    }

    // MARK: Messages

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .loaded(let result, let conversation):
            self.conversation = conversation
            switch result {
            case .success(let stored):
                // Pins made while it was being read come after the stored ones.
                let early = brief.pins
                brief = stored
                for pin in early { brief.add(pin) }
                if !early.isEmpty { save(&call) }
            case .failure(let failure):
                // A brief that cannot be read is left as it is: not overwritten by this session.
                self.conversation = nil
                call.fail("\(failure.description) (pins of this session are not saved)")
            }
        case .saved(let problem):
            if let problem { call.fail(problem) }
        case .exported(.success(let path)):
            call.notify("brief exported to \(path) (\(pins.count) pins)")
        case .exported(.failure(let failure)):
            call.fail("could not export the brief: \(failure.description)")
        }
    }

    public mutating func receive(_ event: AppEvent, _ call: inout PaneCall) {
        switch event {
        case .packOpened(let session):
            channelTitle = session.channelTitle
            load(session.conversation, &call)
        case .layout:
            frame = call.context.frame
        case .focused, .answerFinished:
            break
        }
    }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        let body = call.context.body
        let index = firstVisible(body) + (y - body.y) / Self.rowsPerItem
        if y >= body.y, index < pins.count { selection = index }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { select(selection + rows.signum()) }

    func firstVisible(_ inner: Rect) -> Int {
        ListState.visibleOffset(selected: min(selection, max(0, pins.count - 1)), offset: 0, count: pins.count,
                                visibleHeight: inner.height, heights: { _ in Self.rowsPerItem })
    }

    // MARK: View

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let inner = Block(title: "\(Self.title) · \(pins.count) pins", focused: context.focused, theme: theme, rightTitle: hints)
            .render(into: &buffer, area: context.frame)
        guard !pins.isEmpty else {
            let pinKey = SearchPane.bindings.first { $0.description.hasPrefix("pin") }?.keysText ?? "p"
            buffer.draw(StyledLine("No pins yet: \(pinKey) on a search hit, a citation or a transcript line pins that moment here.",
                                   style: theme[.dim]).wrapped(width: inner.width), in: inner)
            return
        }
        ItemRows.draw(count: pins.count, selected: min(selection, pins.count - 1), first: firstVisible(inner), rowsPerItem: Self.rowsPerItem,
                      in: inner, theme: theme, into: &buffer) { i, base in
            let pin = pins[i]
            var title = StyledLine("\(i + 1). ", style: theme[.citation].over(base))
            title.append(pin.title.isEmpty ? pin.videoID : pin.title, style: base.with(bold: true))
            title.append("  " + pin.span, style: theme[.timestamp].over(base))
            if !pin.note.isEmpty { title.append("  — " + pin.note, style: theme[.accent].over(base)) }
            return [ItemRows.Line(text: title), ItemRows.Line(text: StyledLine(pin.quote, style: theme[.dim].over(base)), indent: 4)]
        }
    }
}
