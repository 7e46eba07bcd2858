import Foundation
import PackKit
import TUI

/// One question of the conversation and its answer.
public struct AskEntry: Equatable, Sendable {
    public enum State: Equatable, Sendable { case running, done, cancelled, failed(String) }
    public var id: Int
    public var question: String
    /// The answer so far (streamed) and, when done, the checked text.
    public var text = ""
    public var outcome: AskResult?
    /// What was searched for, when a model rewrote the follow-up ("searching for: …").
    public var searchedFor: String?
    /// The question's content words, highlighted in the citation browser's snippets (worked out once).
    public var highlightTerms: [String] = []
    public var state: State = .running
    public var startedAt: Double

    public static func == (a: AskEntry, b: AskEntry) -> Bool { a.id == b.id && a.text == b.text && a.state == b.state }
}

/// The conversation as rows at a width: each entry's lines (citations replaced by their numbers, sources listed)
/// styled and wrapped once, and again only for the entry that changed, or for all when the width or the theme
/// changes. Scrolling and drawing only count and slice. A running answer's spinner row is not kept (it turns).
struct ConversationRows: Sendable {
    private(set) var width = 0
    private var theme: Theme?
    /// Rows of each entry, in the order of the entries (an entry after the first starts with a blank row).
    private var perEntry: [[StyledLine]] = []
    private(set) var count = 0
    /// Entries styled and wrapped so far (a measure of the work: tests check it does not grow with scrolling).
    private(set) var entriesWrapped = 0
    /// The answer being written, grown piece by piece (`grow`).
    private var streaming: StreamingRows?

    /// Whether the rows were made for this width and theme.
    func isCurrent(width: Int, theme: Theme) -> Bool { width == self.width && theme == self.theme }

    /// Makes every entry's rows again.
    mutating func rebuild(_ entries: [AskEntry], width: Int, theme: Theme) {
        self.width = max(1, width)
        self.theme = theme
        streaming = nil
        perEntry = []
        for i in entries.indices { perEntry.append(rows(entries, i, width: self.width, theme: theme)) }
        count = perEntry.reduce(0) { $0 + $1.count }
    }

    /// Makes the rows of entry `index` again (appending when it is new).
    mutating func refresh(_ entries: [AskEntry], at index: Int) {
        guard let theme, index < entries.count else { return }
        // The answer being written changed otherwise than by growing (its question's lines, its end): its kept rows go.
        if streaming?.entryID == entries[index].id { streaming = nil }
        let rows = rows(entries, index, width: width, theme: theme)
        if index < perEntry.count {
            count += rows.count - perEntry[index].count
            perEntry[index] = rows
        } else {
            while perEntry.count < index { perEntry.append([]) }
            perEntry.append(rows)
            count += rows.count
        }
    }

    /// Makes the rows of entry `index`, an answer being written whose text grew, keeping the rows that cannot change.
    mutating func grow(_ entries: [AskEntry], at index: Int) {
        guard let theme, index < perEntry.count, entries[index].state == .running else { return refresh(entries, at: index) }
        if streaming?.entryID != entries[index].id || streaming?.width != width {
            streaming = StreamingRows(entries[index], first: index == 0, width: width, theme: theme)
        }
        guard let rows = streaming?.rows(for: entries[index].text, theme: theme) else {
            streaming = nil
            return refresh(entries, at: index)
        }
        count += rows.count - perEntry[index].count
        perEntry[index] = rows
    }

    /// Rows of the last entry without its leading blank.
    var lastEntryRows: Int { max(0, (perEntry.last?.count ?? 0) - (perEntry.count > 1 ? 1 : 0)) }

    /// `rows` rows from row `first`.
    func slice(from first: Int, count wanted: Int) -> [StyledLine] {
        var out: [StyledLine] = []
        var skip = max(0, first)
        for rows in perEntry {
            if skip >= rows.count { skip -= rows.count; continue }
            for row in rows[skip...] {
                guard out.count < wanted else { return out }
                out.append(row)
            }
            skip = 0
        }
        return out
    }

    private mutating func rows(_ entries: [AskEntry], _ index: Int, width: Int, theme: Theme) -> [StyledLine] {
        entriesWrapped += 1
        return Self.lines(entries[index], first: index == 0, theme: theme).wrapped(width: width)
    }

    /// An entry's lines: its question, the answer with citations as numbered markers, then how it ended (notes
    /// and numbered sources, cancelled, or the error).
    static func lines(_ entry: AskEntry, first: Bool, theme: Theme) -> [StyledLine] {
        var lines: [StyledLine] = first ? [] : [StyledLine()]
        lines.append(StyledLine("❯ " + entry.question, style: theme[.accent].with(bold: true)))
        if let searched = entry.searchedFor { lines.append(StyledLine("searching for: " + searched, style: theme[.dim])) }
        let sources = entry.outcome?.sources ?? []
        if !entry.text.isEmpty || entry.state != .running {
            for paragraph in entry.text.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(markedLine(String(paragraph), sources: sources, theme: theme))
            }
        }
        switch entry.state {
        case .running:
            break
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
        return lines
    }

    /// The text with each `[video @ a-b]` citation replaced by its source's number, `[n]` (a bracket of several,
    /// `[a @ …; b @ …]`, by theirs, `[n, m]`); a bracket with a citation that is no source stays as written.
    static func markedLine(_ text: String, sources: [Answer.Source], theme: Theme) -> StyledLine {
        var line = StyledLine()
        var rest = text.startIndex
        let matches = CitationParser.citations(in: text)
        var i = 0
        while i < matches.count {
            // The citations of one bracket share its range.
            let range = matches[i].range
            var numbers: [Int?] = []
            while i < matches.count, matches[i].range == range {
                let citation = matches[i].citation.description
                numbers.append(sources.firstIndex { $0.citation.description == citation }.map { $0 + 1 })
                i += 1
            }
            line.append(String(text[rest..<range.lowerBound]), style: theme[.text])
            let found = numbers.compactMap { $0 }
            line.append(found.count == numbers.count ? "[\(found.map(String.init).joined(separator: ", "))]" : String(text[range]),
                        style: theme[.citation])
            rest = range.upperBound
        }
        line.append(String(text[rest...]), style: theme[.text])
        return line
    }
}
