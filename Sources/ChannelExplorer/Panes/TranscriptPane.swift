import Foundation
import PackKit
import TUI

extension ChannelExplorer {
    func transcriptKey(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        guard let transcript = model.transcript.transcript else { return [] }
        let rows = TranscriptRows(transcript)
        guard rows.count > 0 else { return key == .character("s") ? submitVideo(transcript.videoID, &model) : [] }
        let last = max(0, rows.count - 1)
        let page = max(1, model.height - 6)
        var cursor = model.transcript.cursor
        switch key {
        case .down, .character("j"): cursor += 1
        case .up, .character("k"): cursor -= 1
        case .pageDown, .character(" "), .control("d"): cursor += page
        case .pageUp, .control("u"): cursor -= page
        case .character("g"), .home: cursor = 0
        case .character("G"), .end: cursor = last
        case .character("/"):
            model.overlay = .prompt(title: "Search the transcript", field: TextField(model.transcript.search), action: .searchTranscript)
            return []
        case .character("n"), .character("N"):
            guard !model.transcript.matches.isEmpty else { return [] }
            let forward = key == .character("n")
            let matches = model.transcript.matches
            let next = forward ? (matches.first { $0 > cursor } ?? matches[0]) : (matches.last { $0 < cursor } ?? matches[matches.count - 1])
            cursor = next
            let index = (matches.firstIndex(of: next) ?? 0) + 1
            notify("match \(index)/\(matches.count) for '\(model.transcript.search)'", &model)
        case .character("s"):
            return submitVideo(transcript.videoID, &model)
        case .character("y"):
            if case .segment(let i) = rows.rows[min(max(0, cursor), last)] {
                let link = Citation(videoID: transcript.videoID, startMs: transcript.segments[i].startMs, endMs: transcript.segments[i].endMs)
                    .deepLink(videoURL: transcript.url)
                notify("copied \(link)", &model)
                return [.writeTerminal(OSC52.copy(link))]
            }
        case .escape:
            model.transcript.search = ""
            model.transcript.matches = []
        default: return []
        }
        moveTranscriptCursor(to: cursor, rows: rows, &model)
        return []
    }

    func moveTranscriptCursor(to row: Int, rows: TranscriptRows, _ model: inout ExplorerModel) {
        let cursor = min(max(0, row), max(0, rows.count - 1))
        model.transcript.cursor = cursor
        let visible = max(1, model.height - 6)
        if cursor < model.transcript.top { model.transcript.top = cursor }
        if cursor >= model.transcript.top + visible { model.transcript.top = cursor - visible + 1 }
    }

    func searchTranscript(_ query: String, _ model: inout ExplorerModel) {
        guard let transcript = model.transcript.transcript else { fail("open a transcript first (Enter on a citation or a video)", &model); return }
        let rows = TranscriptRows(transcript)
        model.transcript.search = query
        model.transcript.matches = rows.matches(query)
        guard let first = model.transcript.matches.first(where: { $0 >= model.transcript.cursor }) ?? model.transcript.matches.first else {
            fail("'\(query)' is not in this transcript", &model)
            return
        }
        moveTranscriptCursor(to: first, rows: rows, &model)
        model.transcript.top = max(0, first - 3)
        notify("\(model.transcript.matches.count) match\(model.transcript.matches.count == 1 ? "" : "es") for '\(query)' (n/N)", &model)
    }
}

/// The transcript viewer: timestamps, section headings, the episode summary on top, cited segments highlighted.
enum TranscriptView {
    /// Summary lines shown at most.
    static let summaryLines = 8

    /// Screen lines a row takes at `width` (as `draw` lays it out).
    static func rowHeight(_ rows: TranscriptRows, _ row: Int, width: Int) -> Int {
        switch rows.rows[row] {
        case .summary(let text): return 1 + min(summaryLines, StyledLine(text).wrapped(width: max(1, width)).count)
        case .heading: return 1
        case .segment(let i):
            return max(1, StyledLine(rows.transcript.segments[i].text).wrapped(width: textWidth(rows.transcript, width: width)).count)
        }
    }

    /// Timestamps take hh:mm:ss past an hour, else mm:ss.
    static func stampWidth(_ transcript: VideoTranscript) -> Int {
        (transcript.segments.last?.startMs ?? 0) >= 3_600_000 ? 8 : 5
    }

    /// Columns for a segment's text: the pane minus the marker, the timestamp, a gap and the scrollbar.
    static func textWidth(_ transcript: VideoTranscript, width: Int) -> Int { max(1, width - stampWidth(transcript) - 3) }

    static func draw(_ model: ExplorerModel, _ frame: Rect, focused: Bool, _ buffer: inout CellBuffer) {
        let theme = model.theme
        let state = model.transcript
        guard let transcript = state.transcript else {
            let inner = Block(title: "Transcript", focused: focused, theme: theme).render(into: &buffer, area: frame)
            let text = state.loading ? "\(Spinner.frame(model.tickCount)) loading…"
                : state.error ?? "No transcript open: Enter on a citation (Alt-2) or a video (Alt-4)."
            buffer.draw(StyledLine(text, style: state.error == nil ? theme[.dim] : theme[.error]).wrapped(width: inner.width), in: inner)
            return
        }
        let rows = TranscriptRows(transcript)
        let title = transcript.title.isEmpty ? transcript.videoID : transcript.title
        let right = "\(Citation.timestamp(transcript.durationSec * 1000)) · / search · :mm:ss jump"
        let inner = Block(title: title, focused: focused, theme: theme, rightTitle: right).render(into: &buffer, area: frame)
        guard inner.height > 0, rows.count > 0 else {
            buffer.draw(StyledLine("This video has no transcript.", style: theme[.dim]), in: inner)
            return
        }
        let matches = Set(state.matches)
        // Rows wrap and the summary takes several lines: start where the cursor row is on screen.
        let top = ListState.visibleOffset(selected: min(state.cursor, rows.count - 1), offset: state.top, count: rows.count,
                                          visibleHeight: inner.height, heights: { rowHeight(rows, $0, width: inner.width) })
        let textX = inner.x + stampWidth(transcript) + 2
        let textWidth = textWidth(transcript, width: inner.width)
        var y = inner.y
        var row = top
        while y < inner.maxY, row < rows.count {
            let isCursor = row == state.cursor && focused
            switch rows.rows[row] {
            case .summary(let text):
                buffer.draw(StyledLine("Episode summary", style: theme[.heading]), x: inner.x, y: y)
                y += 1
                for line in StyledLine(text, style: theme[.dim]).wrapped(width: inner.width).prefix(summaryLines) where y < inner.maxY {
                    buffer.draw(line, x: inner.x, y: y, maxWidth: inner.width)
                    y += 1
                }
            case .heading(let text, let startMs):
                var line = StyledLine("§ " + text, style: theme[.heading])
                line.append("  " + Citation.timestamp(startMs), style: theme[.timestamp])
                if isCursor { buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: theme[.selection]) }
                buffer.draw(line.truncated(to: inner.width), x: inner.x, y: y, maxWidth: inner.width)
                y += 1
            case .segment(let i):
                let segment = transcript.segments[i]
                let cited = state.highlighted.contains(segment.id)
                // Cited segments keep their highlight under the cursor; the cursor shows in the timestamp gutter.
                var base = cited ? theme[.highlight] : theme[.text]
                if matches.contains(row) && !cited { base = theme[.citation] }
                if isCursor && !cited { base = theme[.selection] }
                let wrapped = StyledLine(segment.text, style: base).wrapped(width: textWidth)
                for (k, line) in wrapped.enumerated() where y < inner.maxY {
                    if cited || isCursor { buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: base) }
                    if k == 0 {
                        buffer.put(cited ? "▌" : isCursor ? "▶" : " ", x: inner.x, y: y, style: theme[.citation].over(base))
                        buffer.put(Citation.timestamp(segment.startMs), x: inner.x + 1, y: y,
                                   style: isCursor ? theme[.selection] : theme[.timestamp].over(base))
                    }
                    buffer.draw(line, x: textX, y: y, maxWidth: textWidth)
                    y += 1
                }
            }
            row += 1
        }
        Scrollbar(total: rows.count, visible: max(1, inner.height), offset: top, trackStyle: theme[.dim], thumbStyle: theme[.accent])
            .render(into: &buffer, area: Rect(x: frame.maxX - 1, y: inner.y, width: 1, height: inner.height))
    }
}
