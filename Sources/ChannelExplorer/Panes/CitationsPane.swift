import Foundation
import PackKit
import TUI

/// The citation browser: the evidence of the newest answer, each with its video, span, score and the sentence it
/// backs (the question's words highlighted). The rows are worked out when the answer arrives, not per frame.
public struct CitationsPane: Pane {
    public static let title = "Citations"
    static let rowsPerItem = 3

    /// The answer whose sources are shown.
    public internal(set) var answer: AskEntry?
    public internal(set) var selection = 0
    var items: [Item] = []

    public init() {}

    /// A citation as the pane draws it.
    struct Item: Sendable {
        var title: String
        var span: String
        /// The score of the moment that backs the citation (none for an invented one).
        var score: Double?
        var videoID: String
        /// The start of the sentence it backs, in runs of highlighted (the question's words) and plain text.
        var snippet: [(text: String, highlighted: Bool)]
    }

    var sources: [Answer.Source] { answer?.outcome?.sources ?? [] }

    // MARK: Keys

    public static let bindings: [Binding<CitationsPane, PaneCall>] = [
        Binding([.down, .character("j")], "the next citation") { p, _ in p.select(p.selection + 1) },
        Binding([.up, .character("k")], "the previous citation") { p, _ in p.select(p.selection - 1) },
        Binding([.home, .character("g")], "the first citation") { p, _ in p.select(0) },
        Binding([.end, .character("G")], "the last citation") { p, _ in p.select(p.sources.count - 1) },
        Binding([.enter], "open the transcript at the cited segments", hint: "opens") { p, call in
            guard let source = p.selected else { return }
            call.request(.openTranscript(videoID: source.citation.videoID, segments: source.segmentIDs, jumpMs: source.citation.startMs))
        },
        Binding([.character("y")], "copy the YouTube link to the moment (OSC 52)", hint: "copies link") { p, call in
            guard let source = p.selected else { return }
            let link = source.citation.deepLink(videoURL: source.url)
            call.notify("copied \(link)")
            call.run(.writeTerminal(Clipboard.copy(link)))
        },
        Binding([.character("/")], "search the whole pack", hint: "search") { _, call in SearchPane.start(&call) },
        Binding([.character("p")], "pin the cited moment to the brief") { p, call in
            guard let source = p.selected else { return }
            call.request(.pin(Brief.Pin(videoID: source.citation.videoID, title: source.title, startMs: source.citation.startMs,
                                        endMs: source.citation.endMs, quote: source.excerpt, pack: call.context.session?.channelTitle ?? "")))
        },
        Binding([.character("o")], "show the link") { p, call in
            guard let source = p.selected else { return }
            call.request(.popup(.text(TextPopup(title: "Link to [\(p.selection + 1)]",
                                                text: "\(source.title)\n\n\(source.citation.deepLink(videoURL: source.url))",
                                                theme: call.context.theme))))
        },
    ]

    var selected: Answer.Source? { sources.isEmpty ? nil : sources[min(selection, sources.count - 1)] }

    mutating func select(_ index: Int) {
        selection = min(max(0, index), max(0, sources.count - 1))
    }

    /// n/N and Ctrl-N/P from anywhere: the next (`step` 1) or previous citation, opened in the transcript. While
    /// the transcript does not show the selected citation yet, that one comes first. Nil without citations.
    mutating func walk(_ step: Int, transcriptShows highlighted: Set<Int64>?) -> (index: Int, source: Answer.Source)? {
        guard !sources.isEmpty else { return nil }
        let current = min(selection, sources.count - 1)
        let onIt = highlighted == Set(sources[current].segmentIDs)
        let next = onIt ? ((current + step) % sources.count + sources.count) % sources.count : current
        selection = next
        return (next, sources[next])
    }

    /// Lists `entry`'s citations (the newest answer, or an earlier one chosen in the conversation).
    mutating func show(_ entry: AskEntry) {
        answer = entry
        selection = 0
        items = Self.items(entry)
    }

    // MARK: Events

    public mutating func receive(_ event: AppEvent, _ call: inout PaneCall) {
        switch event {
        case .answerFinished(let entry):
            show(entry)
        case .packOpened:
            self = CitationsPane()
        case .layout, .focused:
            break
        }
    }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        let body = call.context.body
        let row = y - body.y
        let index = firstVisible(body) + row / Self.rowsPerItem
        if row >= 0, index < sources.count { selection = index }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { select(selection + rows.signum()) }

    /// The first citation on screen in `inner` (the view and mouse clicks agree on it).
    func firstVisible(_ inner: Rect) -> Int {
        ListState.visibleOffset(selected: min(selection, max(0, sources.count - 1)), offset: 0, count: sources.count,
                                visibleHeight: inner.height, heights: { _ in Self.rowsPerItem })
    }

    /// What the pane shows of each citation of `entry`.
    static func items(_ entry: AskEntry) -> [Item] {
        guard let outcome = entry.outcome else { return [] }
        let spans = outcome.hits.map { Citation(videoID: $0.videoID, startMs: $0.startMs, endMs: $0.endMs) }
        return outcome.sources.map { source in
            // The moment that backs the citation: the one it overlaps most, as the citation check decides.
            let hit: SearchHit? = switch CitationCheck.verdict(for: source.citation, evidence: spans) {
            case .supported(let index): outcome.hits[index]
            case .invented: nil
            }
            let excerpt = source.excerpt.isEmpty ? hit?.text ?? "" : source.excerpt
            // One row of snippet shows, however wide the pane: the first few hundred characters are plenty.
            return Item(title: source.title.isEmpty ? source.citation.videoID : source.title,
                        span: "\(Citation.timestamp(source.citation.startMs))-\(Citation.timestamp(source.citation.endMs))",
                        score: hit?.score, videoID: source.citation.videoID,
                        snippet: highlightRuns(String(excerpt.prefix(400)), terms: entry.highlightTerms))
        }
    }

    /// The question's content words (stop words dropped), lower-cased, for highlighting.
    static func highlightTerms(_ question: String) -> [String] { MatchSnippet.terms(question) }

    /// `text` in runs, each occurrence of a term (case-insensitive, at a word start) highlighted to the word's end.
    static func highlightRuns(_ text: String, terms: [String]) -> [(text: String, highlighted: Bool)] {
        guard !terms.isEmpty else { return [(text, false)] }
        if let bytes = ASCIIMatch.bytes(text), let asciiTerms = ASCIIMatch.terms(terms) {
            return runs(bytes, marks: ASCIIMatch.marks(asciiTerms, in: bytes))
        }
        let lower = text.lowercased()
        guard !terms.isEmpty, lower.count == text.count else { return [(text, false)] }
        var marks = [Bool](repeating: false, count: text.count)
        let chars = Array(lower)
        for term in terms {
            let t = Array(term)
            guard !t.isEmpty, t.count <= chars.count else { continue }
            var i = 0
            while i + t.count <= chars.count {
                if chars[i] == t[0], chars[i..<(i + t.count)].elementsEqual(t), i == 0 || !chars[i - 1].isLetter {
                    var end = i + t.count
                    while end < chars.count, chars[end].isLetter { end += 1 }
                    for j in i..<end { marks[j] = true }
                    i = end
                } else { i += 1 }
            }
        }
        var runs: [(text: String, highlighted: Bool)] = []
        var run = ""
        var current = false
        for (c, marked) in zip(text, marks) {
            if marked != current, !run.isEmpty { runs.append((run, current)); run = "" }
            current = marked
            run.append(c)
        }
        if !run.isEmpty { runs.append((run, current)) }
        return runs
    }

    /// ASCII `bytes` cut into runs where `marks` changes.
    private static func runs(_ bytes: [UInt8], marks: [Bool]) -> [(text: String, highlighted: Bool)] {
        var runs: [(text: String, highlighted: Bool)] = []
        guard !bytes.isEmpty else { return runs }
        var start = 0
        for i in 1...bytes.count where i == bytes.count || marks[i] != marks[start] {
            runs.append((String(decoding: bytes[start..<i], as: UTF8.self), marks[start]))
            start = i
        }
        return runs
    }

    // MARK: View

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let inner = Block(title: Self.title, focused: context.focused, theme: theme,
                          rightTitle: sources.isEmpty ? nil : hints).render(into: &buffer, area: context.frame)
        guard !sources.isEmpty, items.count == sources.count else {
            let text = answer == nil ? "Ask a question: its evidence shows here." : "The answer cites nothing: the pack holds nothing relevant."
            buffer.draw(StyledLine(text, style: theme[.dim]).wrapped(width: inner.width), in: inner)
            return
        }
        ItemRows.draw(count: items.count, selected: min(selection, sources.count - 1), first: firstVisible(inner),
                      rowsPerItem: Self.rowsPerItem, in: inner, theme: theme, into: &buffer) { i, base in
            let item = items[i]
            var title = StyledLine("[\(i + 1)] ", style: theme[.citation].over(base))
            title.append(item.title, style: base.with(bold: true))
            var meta = StyledLine("    " + item.span, style: theme[.timestamp].over(base))
            if let score = item.score { meta.append(String(format: "  score %.3f", score), style: theme[.dim].over(base)) }
            meta.append("  " + item.videoID, style: theme[.dim].over(base))
            var snippet = StyledLine()
            for run in item.snippet { snippet.append(run.text, style: run.highlighted ? theme[.highlight] : theme[.dim].over(base)) }
            return [ItemRows.Line(text: title), ItemRows.Line(text: meta), ItemRows.Line(text: snippet, indent: 4)]
        }
    }
}
