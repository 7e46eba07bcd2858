import Foundation
import PackKit
import TUI

extension ChannelExplorer {
    func citationsKey(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        guard let sources = model.currentAnswer?.outcome?.sources, !sources.isEmpty else { return [] }
        let selected = min(model.citations.selection, sources.count - 1)
        switch key {
        case .down, .character("j"): model.citations.selection = min(sources.count - 1, selected + 1)
        case .up, .character("k"): model.citations.selection = max(0, selected - 1)
        case .character("g"), .home: model.citations.selection = 0
        case .character("G"), .end: model.citations.selection = sources.count - 1
        case .enter:
            let source = sources[selected]
            return openTranscript(source.citation.videoID, focus: source.segmentIDs, jumpMs: source.citation.startMs, &model)
        case .character("y"):
            let link = sources[selected].citation.deepLink(videoURL: sources[selected].url)
            notify("copied \(link)", &model)
            return [.writeTerminal(OSC52.copy(link))]
        case .character("o"):
            let source = sources[selected]
            model.overlay = .document(title: "Link to [\(selected + 1)]", text: "\(source.title)\n\n\(source.citation.deepLink(videoURL: source.url))", scroll: 0)
        default: break
        }
        return []
    }
}

/// Copies text to the terminal's clipboard (OSC 52), which works over ssh and inside tmux with set-clipboard on.
enum OSC52 {
    static func copy(_ text: String) -> String {
        "\u{1B}]52;c;\(Data(text.utf8).base64EncodedString())\u{07}"
    }
}

/// The citation browser: the evidence of the current answer, each with its video, span, score and snippet.
enum CitationsView {
    static let rowsPerItem = 3

    /// The first citation on screen in `inner` (the view and mouse clicks agree on it).
    static func firstVisible(_ model: ExplorerModel, _ inner: Rect) -> Int {
        let count = model.currentAnswer?.outcome?.sources.count ?? 0
        return ListState.visibleOffset(selected: min(model.citations.selection, max(0, count - 1)), offset: 0, count: count,
                                       visibleHeight: inner.height, heights: { _ in rowsPerItem })
    }

    static func draw(_ model: ExplorerModel, _ frame: Rect, focused: Bool, _ buffer: inout CellBuffer) {
        let theme = model.theme
        let answer = model.currentAnswer
        let sources = answer?.outcome?.sources ?? []
        let inner = Block(title: "Citations", focused: focused, theme: theme,
                          rightTitle: sources.isEmpty ? nil : "Enter opens · y copies link · n/N").render(into: &buffer, area: frame)
        guard !sources.isEmpty, let outcome = answer?.outcome else {
            let text = answer == nil ? "Ask a question: its evidence shows here." : "The answer cites nothing: the pack holds nothing relevant."
            buffer.draw(StyledLine(text, style: theme[.dim]).wrapped(width: inner.width), in: inner)
            return
        }
        let terms = answer?.highlightTerms ?? []
        let spans = outcome.hits.map { Citation(videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs) }
        let selected = min(model.citations.selection, sources.count - 1)
        let first = firstVisible(model, inner)
        var y = inner.y
        for i in first..<sources.count {
            guard y + 1 < inner.maxY else { break }
            let source = sources[i]
            // The moment that backs the citation: the one it overlaps most, as the citation check decides.
            let hit: SearchHit? = switch CitationCheck.verdict(for: source.citation, evidence: spans) {
            case .supported(let index): outcome.hits[index]
            case .invented: nil
            }
            let base = i == selected ? theme[.selection] : theme[.text]
            if i == selected { buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: rowsPerItem - 1), style: base) }
            var title = StyledLine("[\(i + 1)] ", style: theme[.citation].over(base))
            title.append(source.title.isEmpty ? source.citation.videoID : source.title, style: base.with(bold: true))
            buffer.draw(title.truncated(to: inner.width), x: inner.x, y: y, maxWidth: inner.width)
            var meta = StyledLine("    \(Citation.timestamp(source.citation.startMs))-\(Citation.timestamp(source.citation.endMs))", style: theme[.timestamp].over(base))
            if let hit { meta.append(String(format: "  score %.3f", hit.score), style: theme[.dim].over(base)) }
            meta.append("  " + source.citation.videoID, style: theme[.dim].over(base))
            // One row of snippet shows: highlight only what fits.
            let excerpt = source.excerpt.isEmpty ? hit?.text ?? "" : source.excerpt
            let snippet = highlighted(String(excerpt.prefix(inner.width)), terms: terms, base: theme[.dim].over(base), highlight: theme[.highlight])
            buffer.draw(meta.truncated(to: inner.width), x: inner.x, y: y + 1, maxWidth: inner.width)
            if y + 2 < inner.maxY { buffer.draw(snippet.truncated(to: inner.width - 4), x: inner.x + 4, y: y + 2, maxWidth: inner.width - 4) }
            y += rowsPerItem
        }
    }

    /// The question's content words (stop words dropped), lower-cased, for highlighting.
    static func highlightTerms(_ question: String) -> [String] {
        let analyzer = LexicalAnalyzer()
        let stems = Set(analyzer.terms(question))
        return question.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            .filter { $0.count > 2 && stems.contains(analyzer.terms($0).first ?? "") }
    }

    /// `text` with every occurrence of a term (case-insensitive) in the highlight style.
    static func highlighted(_ text: String, terms: [String], base: Style, highlight: Style) -> StyledLine {
        guard !terms.isEmpty else { return StyledLine(text, style: base) }
        let lower = text.lowercased()
        guard lower.count == text.count else { return StyledLine(text, style: base) }
        var marks = [Bool](repeating: false, count: text.count)
        let chars = Array(lower)
        for term in terms {
            let t = Array(term)
            guard t.count <= chars.count else { continue }
            var i = 0
            while i + t.count <= chars.count {
                if chars[i] == t[0], Array(chars[i..<(i + t.count)]) == t, i == 0 || !chars[i - 1].isLetter {
                    for j in i..<(i + t.count) { marks[j] = true }
                    i += t.count
                } else { i += 1 }
            }
        }
        var line = StyledLine()
        var run = ""
        var current = false
        for (c, marked) in zip(text, marks) {
            if marked != current, !run.isEmpty { line.append(run, style: current ? highlight : base); run = "" }
            current = marked
            run.append(c)
        }
        if !run.isEmpty { line.append(run, style: current ? highlight : base) }
        return line
    }
}
