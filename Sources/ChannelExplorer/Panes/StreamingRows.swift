import PackKit
import TUI

/// The rows of an answer being written, grown as its pieces arrive. Rows no later piece can change are kept
/// (the question's, finished paragraphs', and the first rows of the paragraph being written), and only the text
/// after them is styled and wrapped again, so a piece costs as much at the end of a long answer as at its start.
/// Styling and wrapping the whole answer on every piece made a long streamed answer take the screen's whole CPU
/// (`ytce-bench --tui`: keys painted after seconds at 1,500 words). The rows are those
/// `ConversationRows.lines(entry).wrapped(width:)` gives for the same text (a test checks it on many texts).
struct StreamingRows: Sendable {
    let entryID: Int
    let width: Int
    /// Rows that no later piece can change.
    private var settled: [StyledLine]
    /// Where the text after the settled rows starts (UTF-8 offset into the answer).
    private(set) var settledUTF8Offset = 0
    /// The text the rows were last made for has this many UTF-8 bytes.
    private var seen = 0

    init(_ entry: AskEntry, first: Bool, width: Int, theme: Theme) {
        entryID = entry.id
        self.width = width
        var question = entry
        question.text = ""
        question.state = .running
        settled = ConversationRows.lines(question, first: first, theme: theme).wrapped(width: width)
    }

    /// The entry's rows for `text`, the answer so far; nil when `text` does not extend the text seen before, or
    /// has a carriage return (the line splitting it would need is not this one's): the caller wraps it whole.
    mutating func rows(for text: String, theme: Theme) -> [StyledLine]? {
        let utf8 = text.utf8
        guard utf8.count >= seen, utf8.count >= settledUTF8Offset else { return nil }
        var start = utf8.index(utf8.startIndex, offsetBy: settledUTF8Offset)
        guard !utf8[start...].contains(0x0D) else { return nil }
        seen = utf8.count
        if text.isEmpty { return settled }
        // Finished paragraphs: wrapped once, for good.
        while let newline = utf8[start...].firstIndex(of: 0x0A) {
            settled += ConversationRows.markedLine(String(text[start..<newline]), sources: [], theme: theme).wrapped(width: width)
            start = utf8.index(after: newline)
            settledUTF8Offset = utf8.distance(from: utf8.startIndex, to: start)
        }
        // The paragraph being written: its rows up to the last that may still change are settled.
        let part = text[start...]
        let rows = ConversationRows.markedLine(String(part), sources: [], theme: theme).wrapped(width: width)
        guard let settle = Self.lastFinalRow(part, rows: rows) else { return settled + rows }
        settled += rows[..<settle.row]
        settledUTF8Offset += part.utf8.distance(from: part.startIndex, to: settle.start)
        return settled + rows[settle.row...]
    }

    /// The last row of `rows` (the wrapping of `part`, the text of a paragraph being written) from whose start on
    /// the wrapping of `part` equals the wrapping of the text from there, now and whatever comes after: a row that
    /// starts before the last space of `part` (the rows before it hold whole words only, so a longer last word
    /// cannot change them) and outside any citation's brackets (the styling of the rest does not depend on what is
    /// before it). Nil when no row but the first is such a row, or when the rows cannot be matched to the text.
    static func lastFinalRow(_ part: Substring, rows: [StyledLine]) -> (row: Int, start: Substring.Index)? {
        guard rows.count > 1, let lastSpace = part.lastIndex(where: { $0 == " " || $0 == "\t" }) else { return nil }
        var i = part.startIndex
        var best: (row: Int, start: Substring.Index)?
        var openBracket = false
        func advance() {
            if part[i] == "[" { openBracket = true } else if part[i] == "]" { openBracket = false }
            i = part.index(after: i)
        }
        for (index, row) in rows.enumerated() {
            if index > 0 {
                // The spaces dropped at the break.
                while i < part.endIndex, part[i] == " " || part[i] == "\t" || DisplayWidth.of(part[i]) == 0 { advance() }
                guard i < lastSpace else { break }
                if !openBracket { best = (index, i) }
            }
            for shown in row.spans.lazy.flatMap(\.text) {
                while i < part.endIndex, DisplayWidth.of(part[i]) == 0 { advance() }
                guard i < part.endIndex, part[i] == shown || (part[i] == "\t" && shown == " ") else { return nil }
                advance()
            }
        }
        return best
    }
}
