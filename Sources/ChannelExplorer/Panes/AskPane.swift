import Foundation
import PackKit
import TUI

extension ChannelExplorer {
    func askKey(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        let before = model.ask.scrollFromBottom
        let effects = askKeyUnclamped(key, &model)
        // Scrolling past either end would leave presses that do nothing visible. Measuring the conversation means
        // wrapping all of it, so only when a key scrolled (not on every typed character).
        if model.ask.scrollFromBottom != before {
            model.ask.scrollFromBottom = min(max(0, model.ask.scrollFromBottom), AskView.maxScroll(model))
        }
        return effects
    }

    private func askKeyUnclamped(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        if key == .escape {
            if model.ask.running != nil { return cancelAnswer(&model) }
            model.ask.editing.toggle()
            return []
        }
        let page = max(1, model.height - 8)
        if model.ask.editing {
            switch key {
            case .enter: return submitQuestion(&model)
            case .up:
                if let older = model.ask.history.older(than: model.ask.input.value) { model.ask.input = TextField(older) }
            case .down:
                if let newer = model.ask.history.newer() { model.ask.input = TextField(newer) }
            case .pageUp: model.ask.scrollFromBottom += page
            case .pageDown: model.ask.scrollFromBottom = max(0, model.ask.scrollFromBottom - page)
            default:
                _ = model.ask.input.handle(key)
            }
            return []
        }
        switch key {
        case .enter, .character("i"), .character("/"): model.ask.editing = true
        case .up, .character("k"): model.ask.scrollFromBottom += 1
        case .down, .character("j"): model.ask.scrollFromBottom = max(0, model.ask.scrollFromBottom - 1)
        case .pageUp: model.ask.scrollFromBottom += page
        case .pageDown, .character(" "): model.ask.scrollFromBottom = max(0, model.ask.scrollFromBottom - page)
        case .character("g"), .home: model.ask.scrollFromBottom = Int.max / 2
        case .character("G"), .end: model.ask.scrollFromBottom = 0
        default: break
        }
        return []
    }
}

/// The question pane: the session's questions and answers (scrollable) above the input line.
enum AskView {
    /// Where the conversation is drawn for the model's terminal size.
    static func conversationArea(_ model: ExplorerModel) -> Rect {
        let body = ExplorerLayout(width: model.width, height: model.height, focus: .ask).body(for: .ask)
        return body.splitBottom(2).0
    }

    /// How far up the conversation can scroll.
    static func maxScroll(_ model: ExplorerModel) -> Int {
        let area = conversationArea(model)
        let rows = conversationLines(model).reduce(0) { $0 + $1.wrapped(width: max(1, area.width - 1)).count }
        return max(0, rows - area.height)
    }

    static func draw(_ model: ExplorerModel, _ frame: Rect, focused: Bool, _ buffer: inout CellBuffer) {
        let theme = model.theme
        let hint = model.ask.running != nil ? "Esc cancels" : (model.ask.editing ? "Enter asks · ↑↓ history · Esc scrolls" : "j/k scroll · Enter types")
        let inner = Block(title: "Ask", focused: focused, theme: theme, rightTitle: hint).render(into: &buffer, area: frame)
        guard inner.height >= 3 else { return }
        let (conversation, bottom) = inner.splitBottom(2)
        // The input line, under a rule.
        buffer.put(String(repeating: "─", count: bottom.width), x: bottom.x, y: bottom.y, style: theme[.border])
        let prompt = StyledLine("❯ ", style: theme[.accent])
        buffer.draw(prompt, x: bottom.x, y: bottom.y + 1)
        let placeholder = model.session == nil ? "open a pack first (Ctrl-O)" : "Ask \(model.session?.channelTitle ?? "the channel") a question"
        model.ask.input.render(into: &buffer, area: Rect(x: bottom.x + 2, y: bottom.y + 1, width: bottom.width - 2, height: 1),
                               style: theme[.input], focused: focused && model.ask.editing && model.overlay == nil,
                               placeholder: placeholder, placeholderStyle: theme[.placeholder])

        let rows = conversationLines(model).flatMap { $0.wrapped(width: max(1, conversation.width - 1)) }
        guard !rows.isEmpty else {
            let help = [StyledLine("Ask anything about the channel; answers cite the moments they come from.", style: theme[.dim]),
                        StyledLine("Citations: Alt-2 (or n/N jumps through them), transcripts: Alt-3, videos: Alt-4, jobs: Alt-5.", style: theme[.dim])]
            buffer.draw(help.flatMap { $0.wrapped(width: conversation.width) }, in: conversation)
            return
        }
        let maxScroll = max(0, rows.count - conversation.height)
        let fromBottom = min(model.ask.scrollFromBottom, maxScroll)
        let first = max(0, rows.count - conversation.height - fromBottom)
        buffer.draw(Array(rows[first..<min(rows.count, first + conversation.height)]), in: conversation)
        if rows.count > conversation.height {
            Scrollbar(total: rows.count, visible: conversation.height, offset: first, trackStyle: theme[.dim], thumbStyle: theme[.accent])
                .render(into: &buffer, area: Rect(x: conversation.maxX - 1, y: conversation.y, width: 1, height: conversation.height))
        }
    }

    /// Every question and its answer, citations as numbered markers, then the numbered sources.
    /// Scroll position that puts the newest question at the top when its answer is taller than the pane
    /// (0, the bottom, when it fits), so a finished answer is read from its start.
    static func scrollToNewestQuestion(_ model: ExplorerModel) -> Int {
        guard let last = model.ask.entries.last else { return 0 }
        let area = conversationArea(model)
        let rows = conversationLines(model, entries: [last]).reduce(0) { $0 + $1.wrapped(width: max(1, area.width - 1)).count }
        return min(max(0, rows - area.height), maxScroll(model))
    }

    static func conversationLines(_ model: ExplorerModel, entries: [AskEntry]? = nil) -> [StyledLine] {
        let theme = model.theme
        var lines: [StyledLine] = []
        for entry in entries ?? model.ask.entries {
            if !lines.isEmpty { lines.append(StyledLine()) }
            lines.append(StyledLine("❯ " + entry.question, style: theme[.accent].with(bold: true)))
            let sources = entry.outcome?.sources ?? []
            for paragraph in entry.text.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(markedLine(String(paragraph), sources: sources, theme: theme))
            }
            switch entry.state {
            case .running:
                lines.append(StyledLine("\(Spinner.frame(model.tickCount)) answering…", style: theme[.dim]))
            case .cancelled:
                lines.append(StyledLine("(cancelled)", style: theme[.warning]))
            case .failed(let message):
                lines.append(StyledLine("error: " + message, style: theme[.error]))
            case .done:
                for note in entry.outcome?.notes ?? [] { lines.append(StyledLine("note: " + note, style: theme[.dim])) }
                for (i, source) in sources.enumerated() {
                    var line = StyledLine("[\(i + 1)] ", style: theme[.citation])
                    line.append(source.title.isEmpty ? source.citation.videoID : source.title, style: theme[.text])
                    line.append(" \(Citation.timestamp(source.citation.startMs))-\(Citation.timestamp(source.citation.endMs))", style: theme[.timestamp])
                    lines.append(line)
                }
            }
        }
        return lines
    }

    /// The text with each `[video @ a-b]` citation replaced by its source's number, `[n]`.
    static func markedLine(_ text: String, sources: [Answer.Source], theme: Theme) -> StyledLine {
        var line = StyledLine()
        var rest = text.startIndex
        for match in CitationParser.citations(in: text) {
            line.append(String(text[rest..<match.range.lowerBound]), style: theme[.text])
            if let n = sources.firstIndex(where: { $0.citation.description == match.citation.description }) {
                line.append("[\(n + 1)]", style: theme[.citation])
            } else {
                line.append(String(text[match.range]), style: theme[.citation])
            }
            rest = match.range.upperBound
        }
        line.append(String(text[rest...]), style: theme[.text])
        return line
    }
}
