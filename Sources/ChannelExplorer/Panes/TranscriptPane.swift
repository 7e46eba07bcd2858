import Foundation
import PackKit
import TUI

/// The transcript viewer: timestamps, section headings, the episode summary on top, cited segments highlighted,
/// a search with n/N. Rows (`TranscriptRows`) are made once per video and wrapped once per width, not per frame.
public struct TranscriptPane: Pane {
    public enum Msg: Sendable {
        case loaded(Result<VideoTranscript, ExplorerError>, segments: [Int64], jumpMs: Int?)
    }

    public static let title = "Transcript"
    /// Summary lines shown at most.
    static let summaryLines = 8

    public internal(set) var transcript: VideoTranscript?
    var rows: TranscriptRows?
    public internal(set) var loading = false
    public internal(set) var error: String?
    /// Segments to highlight (the cited ones).
    public internal(set) var highlighted: Set<Int64> = []
    /// The row (see `TranscriptRows`) at the top of the pane and the row under the cursor.
    public internal(set) var top = 0
    public internal(set) var cursor = 0
    public internal(set) var search = ""
    public internal(set) var matches: [Int] = []
    var matchSet: Set<Int> = []
    /// Each row's text wrapped for the pane's width (`wrappedWidth`): what the view draws and scrolls by.
    var wrapped: [[String]] = []
    var wrappedWidth = -1
    var frame = Rect(x: 0, y: 0, width: 0, height: 0)

    public init() {}

    var rowCount: Int { rows?.count ?? 0 }
    var page: Int { max(1, frame.height - 3) }

    // MARK: Keys

    public static let bindings: [Binding<TranscriptPane, PaneCall>] = [
        Binding([.down, .character("j")], "the next line") { p, _ in p.move(to: p.cursor + 1) },
        Binding([.up, .character("k")], "the previous line") { p, _ in p.move(to: p.cursor - 1) },
        Binding([.pageDown, .character(" "), .control("d")], "a page down") { p, _ in p.move(to: p.cursor + p.page) },
        Binding([.pageUp, .control("u")], "a page up") { p, _ in p.move(to: p.cursor - p.page) },
        Binding([.home, .character("g")], "the top") { p, _ in p.move(to: 0) },
        Binding([.end, .character("G")], "the end") { p, _ in p.move(to: p.rowCount - 1) },
        Binding([.character("/")], "search this transcript (a fresh query each time)", hint: "search",
                when: { $0.transcript != nil }) { _, call in
            call.request(.popup(.prompt(PromptPopup(title: "Search the transcript", command: "search"))))
        },
        Binding([.character("y")], "copy the link to this moment (OSC 52)", when: { $0.transcript != nil }) { p, call in
            guard let transcript = p.transcript, let rows = p.rows, p.cursor < rows.count, case .segment(let i) = rows.rows[p.cursor] else { return }
            let link = Citation(videoID: transcript.videoID, startMs: transcript.segments[i].startMs, endMs: transcript.segments[i].endMs)
                .deepLink(videoURL: transcript.url)
            call.notify("copied \(link)")
            call.run(.writeTerminal(Clipboard.copy(link)))
        },
        Binding([.character("p")], "pin this line's moment to the brief", when: { $0.transcript != nil }) { p, call in
            guard let transcript = p.transcript, let rows = p.rows, p.cursor < rows.count, case .segment(let i) = rows.rows[p.cursor] else { return }
            let segment = transcript.segments[i]
            call.request(.pin(Brief.Pin(videoID: transcript.videoID, title: transcript.title, startMs: segment.startMs, endMs: segment.endMs,
                                        quote: segment.text, pack: call.context.session?.channelTitle ?? "")))
        },
        Binding([.character("s")], "send this video to be summarised", when: { $0.transcript != nil }) { p, call in
            if let video = p.transcript?.videoID { call.request(.submitVideo(video)) }
        },
        Binding([.escape], "clear the search", when: { !$0.search.isEmpty }) { p, _ in
            p.search = ""
            p.matches = []
            p.matchSet = []
        },
        Binding([], "jump to a time (12:30, 1:02:03; a time alone on the palette line does it too)", hint: "jump",
                command: "jump", argument: "TIME") { p, call in p.jump(call.argument, &call) },
    ]

    // MARK: Moving

    mutating func move(to row: Int) {
        guard rowCount > 0 else { return }
        cursor = min(max(0, row), rowCount - 1)
        let visible = max(1, frame.height - 2)
        if cursor < top { top = cursor }
        if cursor >= top + visible { top = cursor - visible + 1 }
    }

    /// Puts row `row` under the cursor a few rows from the top.
    mutating func show(row: Int) {
        cursor = min(max(0, row), max(0, rowCount - 1))
        top = max(0, cursor - 3)
    }

    mutating func jump(_ text: String, _ call: inout PaneCall) {
        guard let rows else { call.fail("\(text): a time jumps in the transcript viewer; open a transcript first"); return }
        guard let ms = parseTimestamp(text) else { call.fail("'\(text)' is not a time (12:30, 1:02:03, or seconds)"); return }
        if let row = rows.row(atMs: ms) { show(row: row) }
    }

    public mutating func step(match forward: Bool, _ call: inout PaneCall) -> Bool {
        guard !matches.isEmpty else { return false }
        let next = forward ? (matches.first { $0 > cursor } ?? matches[0]) : (matches.last { $0 < cursor } ?? matches[matches.count - 1])
        move(to: next)
        let index = (matches.firstIndex(of: next) ?? 0) + 1
        call.notify("match \(index)/\(matches.count) for '\(search)'")
        return true
    }

    /// Searches the transcript shown for rows holding every word of `query`.
    mutating func search(_ query: String, _ call: inout PaneCall) {
        guard let rows else { call.fail(Self.nothingOpen); return }
        search = query
        matches = rows.matches(query)
        matchSet = Set(matches)
        guard let first = matches.first(where: { $0 >= cursor }) ?? matches.first else {
            call.fail("'\(query)' is not in this transcript")
            return
        }
        move(to: first)
        top = max(0, first - 3)
        call.notify("\(matches.count) match\(matches.count == 1 ? "" : "es") for '\(query)' (n/N)")
    }

    /// Opens a video at the given segments (highlighted) or time; loads it unless it is the one shown.
    mutating func open(_ videoID: String, segments: [Int64], jumpMs: Int?, _ call: inout PaneCall) {
        if let shown = transcript, shown.videoID == videoID {
            loaded(.success(shown), segments: segments, jumpMs: jumpMs, &call)
            return
        }
        guard let session = call.context.session else { return }
        loading = true
        error = nil
        call.run(Self.task("transcript") { sink in
            do { sink.send(.loaded(.success(try session.transcript(videoID)), segments: segments, jumpMs: jumpMs)) }
            catch { sink.send(.loaded(.failure(ExplorerError(error)), segments: [], jumpMs: nil)) }
        })
    }

    mutating func loaded(_ result: Result<VideoTranscript, ExplorerError>, segments: [Int64], jumpMs: Int?, _ call: inout PaneCall) {
        loading = false
        switch result {
        case .failure(let failure):
            error = failure.description
            call.fail(failure.description)
        case .success(let loaded):
            if transcript?.videoID != loaded.videoID {
                var fresh = TranscriptPane()
                fresh.frame = frame
                fresh.transcript = loaded
                fresh.rows = TranscriptRows(loaded)
                fresh.rewrap(width: frame.width - 2)
                self = fresh
            }
            highlighted = Set(segments)
            var target: Int?
            if let first = segments.first { target = rows?.row(ofSegment: first) }
            if target == nil, let jumpMs { target = rows?.row(atMs: jumpMs) }
            if let target { show(row: target) }
        }
    }

    /// A summary just put into the open pack: on top of the transcript at once when it is this video's (the
    /// rows move down by the summary's row when there was none).
    mutating func summaryAttached(videoID: String, text: String) {
        guard var shown = transcript, shown.videoID == videoID else { return }
        let shift = shown.summary?.isEmpty == false ? 0 : 1
        shown.summary = text
        transcript = shown
        rows = TranscriptRows(shown)
        // A view at the very top shows the summary above; one scrolled down stays on the same lines.
        if top > 0 { top += shift }
        cursor += shift
        matches = matches.map { $0 + shift }
        matchSet = Set(matches)
        rewrap(width: frame.width - 2)
    }

    // MARK: Messages and events

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .loaded(let result, let segments, let jumpMs): loaded(result, segments: segments, jumpMs: jumpMs, &call)
        }
    }

    public mutating func receive(_ event: AppEvent, _ call: inout PaneCall) {
        switch event {
        case .packOpened:
            call.run(.cancel(id: "transcript"))
            let keep = frame
            self = TranscriptPane()
            frame = keep
        case .layout:
            frame = call.context.frame
            if wrappedWidth != frame.width - 2 { rewrap(width: frame.width - 2) }
        case .focused, .answerFinished:
            break
        }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) {
        guard rowCount > 0 else { return }
        top = max(0, min(rowCount - 1, top + rows))
        cursor = max(top, cursor)
    }

    // MARK: Layout

    /// Timestamps take hh:mm:ss past an hour, else mm:ss.
    static func stampWidth(_ transcript: VideoTranscript) -> Int {
        (transcript.segments.last?.startMs ?? 0) >= 3_600_000 ? 8 : 5
    }

    /// Columns for a segment's text: the pane minus the marker, the timestamp, a gap and the scrollbar.
    static func textWidth(_ transcript: VideoTranscript, width: Int) -> Int { max(1, width - stampWidth(transcript) - 3) }

    /// Wraps every row for an inside `width` columns wide.
    mutating func rewrap(width: Int) {
        // Not laid out yet: the first layout wraps.
        guard width > 0, let transcript, let rows else { wrapped = []; wrappedWidth = -1; return }
        wrappedWidth = width
        wrapped = Self.wrap(rows, transcript, width: width)
    }

    static func wrap(_ rows: TranscriptRows, _ transcript: VideoTranscript, width: Int) -> [[String]] {
        let textWidth = textWidth(transcript, width: width)
        return rows.rows.map { row in
            switch row {
            case .summary(let text):
                return Array(StyledLine(text).wrapped(width: max(1, width)).prefix(summaryLines).map(\.plainText))
            case .heading(let text, _):
                return [text]
            case .segment(let i):
                return StyledLine(transcript.segments[i].text).wrapped(width: textWidth).map(\.plainText)
            }
        }
    }

    /// Screen lines a row takes (the summary has its heading line too).
    static func height(_ rows: TranscriptRows, _ wrapped: [[String]], _ row: Int) -> Int {
        if case .summary = rows.rows[row] { return 1 + wrapped[row].count }
        return max(1, wrapped[row].count)
    }

    // MARK: View

    /// What to do to open a transcript, with the keys and pane numbers read from the bindings and the pane list.
    static let nothingOpen: String = {
        func way(_ keys: String?, _ what: String, _ pane: PaneID) -> String? {
            keys.map { "\($0) on \(what)" + (PaneList.number(of: pane).map { " (pane \($0))" } ?? "") }
        }
        let ways = [way(CitationsPane.bindings.first { $0.hint == "opens" }?.keysText, "a citation", CitationsPane.id),
                    way(LibraryPane.bindings.first { $0.hint == "transcript" }?.keysText, "a video", LibraryPane.id)].compactMap { $0 }
        return "No transcript open: " + ways.joined(separator: " or ") + "."
    }()

    public func titleNote(_ context: PaneContext) -> String? {
        transcript.map { Citation.timestamp($0.durationSec * 1000) }
    }

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        guard let transcript, let rows else {
            let inner = Block(title: Self.title, focused: context.focused, theme: theme).render(into: &buffer, area: context.frame)
            let text = loading ? "\(Spinner.frame(context.tick)) loading…" : error ?? Self.nothingOpen
            buffer.draw(StyledLine(text, style: error == nil ? theme[.dim] : theme[.error]).wrapped(width: inner.width), in: inner)
            return
        }
        let title = transcript.title.isEmpty ? transcript.videoID : transcript.title
        let right = [titleNote(context), hints].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
        let inner = Block(title: title, focused: context.focused, theme: theme, rightTitle: right).render(into: &buffer, area: context.frame)
        guard inner.height > 0, rows.count > 0 else {
            buffer.draw(StyledLine("This video has no transcript.", style: theme[.dim]), in: inner)
            return
        }
        let lines = wrappedWidth == inner.width ? wrapped : Self.wrap(rows, transcript, width: inner.width)
        // Rows wrap and the summary takes several lines: start where the cursor row is on screen.
        let first = ListState.visibleOffset(selected: min(cursor, rows.count - 1), offset: top, count: rows.count,
                                            visibleHeight: inner.height, heights: { Self.height(rows, lines, $0) })
        let textX = inner.x + Self.stampWidth(transcript) + 2
        let textWidth = Self.textWidth(transcript, width: inner.width)
        var y = inner.y
        var row = first
        while y < inner.maxY, row < rows.count {
            let isCursor = row == cursor && context.focused
            switch rows.rows[row] {
            case .summary:
                buffer.draw(StyledLine("Episode summary", style: theme[.heading]), x: inner.x, y: y)
                y += 1
                for line in lines[row] where y < inner.maxY {
                    buffer.put(line, x: inner.x, y: y, style: theme[.dim], maxWidth: inner.width)
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
                let cited = highlighted.contains(segment.id)
                // Cited segments keep their highlight under the cursor; the cursor shows in the timestamp gutter.
                var base = cited ? theme[.highlight] : theme[.text]
                if matchSet.contains(row) && !cited { base = theme[.citation] }
                if isCursor && !cited { base = theme[.selection] }
                for (k, line) in lines[row].enumerated() where y < inner.maxY {
                    if cited || isCursor { buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: base) }
                    if k == 0 {
                        buffer.put(cited ? "▌" : isCursor ? "▶" : " ", x: inner.x, y: y, style: theme[.citation].over(base))
                        buffer.put(Citation.timestamp(segment.startMs), x: inner.x + 1, y: y,
                                   style: isCursor ? theme[.selection] : theme[.timestamp].over(base))
                    }
                    buffer.put(line, x: textX, y: y, style: base, maxWidth: textWidth)
                    y += 1
                }
            }
            row += 1
        }
        Scrollbar(total: rows.count, visible: max(1, inner.height), offset: first, trackStyle: theme[.dim], thumbStyle: theme[.accent])
            .render(into: &buffer, area: Rect(x: context.frame.maxX - 1, y: inner.y, width: 1, height: inner.height))
    }
}
