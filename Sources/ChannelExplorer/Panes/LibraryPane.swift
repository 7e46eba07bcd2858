import Foundation
import PackKit
import TUI

/// The video library: every video of the pack with its upload date, duration, sections and summary status (the
/// selected video's episode summary under the list); `/`
/// filters by title, `o` orders by date, title, duration or summary, `m` marks videos (for a question asked of
/// them only: `marked`).
public struct LibraryPane: Pane {
    public enum Msg: Sendable {
        case loaded(Result<[VideoListing], ExplorerError>)
        /// The pack's channel overview (nil: none yet).
        case overview(String?)
    }

    /// What the list is ordered by (`O` goes through them in turn; `o` is the channel overview).
    public enum Order: String, Sendable, CaseIterable {
        case date, title, duration, summary
    }

    public static let title = "Library"

    public internal(set) var videos: [VideoListing] = []
    public internal(set) var loading = false
    public internal(set) var error: String?
    /// The place in `shown` of the video under the cursor.
    public internal(set) var selection = 0
    public internal(set) var overview: String?
    public internal(set) var filter = TextField()
    public internal(set) var filtering = false
    public internal(set) var order = Order.date
    /// The videos marked with `m`, by id: the set a scoped question is asked of.
    public internal(set) var marked: Set<String> = []
    /// Indices into `videos` of the ones listed (filtered, in order), worked out when the list, filter or order change.
    public internal(set) var shown: [Int] = []
    var frame = Rect(x: 0, y: 0, width: 0, height: 0)

    public init() {}

    var page: Int { max(1, frame.height - 3) }
    var selected: VideoListing? { shown.isEmpty ? nil : videos[shown[min(selection, shown.count - 1)]] }
    public var isEditingText: Bool { filtering }
    public var isTextEmpty: Bool { filter.isEmpty }

    public static let bindings: [Binding<LibraryPane, PaneCall>] = [
        // No hint on the frame: it only matters while a filter is typed, and the frame has room for the rest only.
        Binding([.escape], "clear the title filter") { p, _ in
            p.filter = TextField()
            p.filtering = false
            p.refresh()
        },
        Binding([.character("/")], "filter by title (words in any order)", hint: "filter", when: { !$0.filtering }) { p, _ in
            p.filtering = true
        },
        Binding([.character("O")], "order by upload date, title, duration or summary (in turn)", hint: "order", when: { !$0.filtering }) { p, _ in
            let all = Order.allCases
            p.order = all[((all.firstIndex(of: p.order) ?? 0) + 1) % all.count]
            p.refresh()
        },
        Binding([.character("m")], "mark or unmark the video for a scoped question", hint: "mark",
                when: { !$0.filtering }) { p, _ in
            guard let video = p.selected else { return }
            if p.marked.remove(video.videoID) == nil { p.marked.insert(video.videoID) }
            p.select(p.selection + 1)
        },
        Binding([.character("M")], "unmark every video", when: { !$0.filtering }) { p, _ in p.marked = [] },
        // No frame hint (the frame has no room): the title says "a asks them" while videos are marked.
        Binding([.character("a")], "ask about the marked videos (none marked: this one)",
                when: { !$0.filtering }) { p, call in
            let chosen = p.marked.isEmpty ? p.selected.map { [$0.videoID] } ?? [] : p.videos.map(\.videoID).filter { p.marked.contains($0) }
            guard !chosen.isEmpty else { return }
            call.request(.scopeQuestions(AskScope(videoIDs: chosen)))
        },
        Binding([.down, .character("j")], "the next video", when: { !$0.filtering }) { p, _ in p.select(p.selection + 1) },
        Binding([.up, .character("k")], "the previous video", when: { !$0.filtering }) { p, _ in p.select(p.selection - 1) },
        Binding([.pageDown, .character(" ")], "a page down", when: { !$0.filtering }) { p, _ in p.select(p.selection + p.page) },
        Binding([.pageUp], "a page up", when: { !$0.filtering }) { p, _ in p.select(p.selection - p.page) },
        Binding([.home, .character("g")], "the first video", when: { !$0.filtering }) { p, _ in p.select(0) },
        Binding([.end, .character("G")], "the last video", when: { !$0.filtering }) { p, _ in p.select(p.shown.count - 1) },
        Binding([.enter], "open its transcript (while filtering: keep the filter)", hint: "transcript") { p, call in
            guard !p.filtering else { p.filtering = false; return }
            if let video = p.selected { call.request(.openTranscript(videoID: video.videoID, segments: [], jumpMs: nil)) }
        },
        Binding([.character("s")], "send it to be summarised", hint: "summarise", when: { !$0.filtering }) { p, call in
            if let video = p.selected { call.request(.submitVideo(video.videoID)) }
        },
        Binding([.character("o")], "show the channel overview (made by `ytce jobs summarize`)", hint: "overview",
                when: { !$0.filtering }) { p, call in
            guard let overview = p.overview else {
                call.fail("no channel overview in this pack yet: `ytce jobs summarize --pack PACK --wait` makes one from the episode summaries")
                return
            }
            call.request(.popup(.text(TextPopup(title: "Channel overview", text: overview, theme: call.context.theme))))
        },
    ]

    public mutating func edit(_ key: Key, _ call: inout PaneCall) {
        guard filter.handle(key) else { return }
        refresh()
    }

    /// Filters and orders the list again, keeping the cursor on the same video when it is still listed.
    mutating func refresh() {
        let current = selected?.videoID
        let words = filter.value.lowercased().split(separator: " ").map(String.init)
        var indices = videos.indices.filter { i in
            let title = videos[i].title.lowercased()
            return words.allSatisfy { title.contains($0) }
        }
        func before(_ a: VideoListing, _ b: VideoListing) -> Bool {
            switch order {
            case .date: return (a.publishedAt, a.title) < (b.publishedAt, b.title)
            case .title: return a.title.localizedStandardCompare(b.title) == .orderedAscending
            case .duration: return (b.durationSec, a.title) < (a.durationSec, b.title)
            case .summary: return (a.hasSummary ? 0 : 1, a.publishedAt, a.title) < (b.hasSummary ? 0 : 1, b.publishedAt, b.title)
            }
        }
        indices.sort { before(videos[$0], videos[$1]) || (!before(videos[$1], videos[$0]) && $0 < $1) }
        shown = indices
        selection = current.flatMap { id in shown.firstIndex { videos[$0].videoID == id } } ?? 0
        select(selection)
    }

    /// A summary just put into the open pack: the video has one now (the pack on disk has it too; the open pack
    /// is the copy read at opening).
    mutating func summaryAttached(videoID: String, text: String) {
        guard let i = videos.firstIndex(where: { $0.videoID == videoID }) else { return }
        videos[i].hasSummary = true
        videos[i].summary = text
        refresh()
    }

    mutating func select(_ index: Int) {
        selection = min(max(0, index), max(0, shown.count - 1))
    }

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .loaded(let result):
            loading = false
            switch result {
            case .success(let list):
                videos = list
                marked.formIntersection(list.map(\.videoID))
                refresh()
            case .failure(let failure): error = failure.description
            }
        case .overview(let text):
            overview = text
        }
    }

    public mutating func receive(_ event: AppEvent, _ call: inout PaneCall) {
        switch event {
        case .packOpened(let session):
            let keep = frame
            self = LibraryPane()
            frame = keep
            load(session, &call)
        case .focused:
            if videos.isEmpty, !loading, let session = call.context.session { load(session, &call) }
        case .layout:
            frame = call.context.frame
        case .answerFinished:
            break
        }
    }

    mutating func load(_ session: PackSession, _ call: inout PaneCall) {
        loading = true
        error = nil
        call.run(Self.task("videos") { sink in
            do { sink.send(.loaded(.success(try session.videos()))) } catch { sink.send(.loaded(.failure(ExplorerError(error)))) }
            sink.send(.overview(session.channelOverview()))
        })
    }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        let list = listArea(call.context.body)
        let index = firstVisible(list) + y - list.y
        if y >= list.y, index < shown.count { selection = index }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { select(selection + rows.signum()) }

    /// The first video on screen in the list area `inner` (the view and mouse clicks agree on it).
    func firstVisible(_ inner: Rect) -> Int {
        ListState.visibleOffset(selected: min(selection, max(0, shown.count - 1)), offset: 0,
                                count: shown.count, visibleHeight: inner.height, heights: { _ in 1 })
    }

    /// The list's area: under the filter line while there is a filter, above the selected video's summary.
    func listArea(_ inner: Rect) -> Rect {
        let top = filtering || !filter.isEmpty ? 1 : 0
        let below = summaryLines(inner).map { $0.count + 1 } ?? 0
        return Rect(x: inner.x, y: inner.y + top, width: inner.width, height: max(0, inner.height - top - below))
    }

    /// The selected video's episode summary wrapped to the pane, at most a third of its height (and 6 lines; a
    /// longer one ends in "…": the transcript shows it whole); nil when it has none or the pane is too low for it.
    func summaryLines(_ inner: Rect) -> [String]? {
        guard let text = selected?.summary, inner.height >= 9, inner.width > 0 else { return nil }
        let limit = min(6, inner.height / 3 - 1)
        let lines = StyledLine(text.split(whereSeparator: \.isNewline).joined(separator: " ")).wrapped(width: inner.width).map(\.plainText)
        guard lines.count > limit else { return lines }
        return Array(lines.prefix(limit - 1)) + [String(lines[limit - 1].prefix(max(0, inner.width - 1))) + "…"]
    }

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        var title = "\(Self.title) · \(shown.count == videos.count ? "\(videos.count)" : "\(shown.count) of \(videos.count)") videos\(overview == nil ? "" : " · channel overview") · by \(order.rawValue)"
        if !marked.isEmpty { title += " · \(marked.count) marked (a asks them)" }
        let inner = Block(title: title, focused: context.focused, theme: theme, rightTitle: hints).render(into: &buffer, area: context.frame)
        guard !videos.isEmpty else {
            let text = loading ? "\(Spinner.frame(context.tick)) loading…" : error ?? (context.session == nil ? "No pack open." : "This pack has no videos.")
            buffer.draw(StyledLine(text, style: error == nil ? theme[.dim] : theme[.error]), in: inner)
            return
        }
        let list = listArea(inner)
        if list.y > inner.y {
            buffer.draw(StyledLine("/ ", style: theme[.accent]), x: inner.x, y: inner.y)
            filter.render(into: &buffer, area: Rect(x: inner.x + 2, y: inner.y, width: inner.width - 2, height: 1), style: theme[.input],
                          focused: context.focused && filtering && !context.popupOpen, placeholder: "words of the title", placeholderStyle: theme[.placeholder])
        }
        guard !shown.isEmpty else {
            buffer.draw(StyledLine("No title has \(filter.value).", style: theme[.dim]), in: list)
            return
        }
        let selected = min(selection, shown.count - 1)
        if let lines = summaryLines(inner), let video = self.selected {
            let y = list.y + list.height
            buffer.draw(StyledLine("Summary · ", style: theme[.heading]) + StyledLine(video.title, style: theme[.dim]), x: inner.x, y: y,
                        maxWidth: inner.width)
            for (i, line) in lines.enumerated() { buffer.put(line, x: inner.x, y: y + 1 + i, style: theme[.text], maxWidth: inner.width) }
        }
        // A column no video fills (a pack without upload dates; nothing summarised or being summarised) gives its
        // room to the titles.
        let datesShown = videos.contains { !$0.publishedAt.isEmpty }
        let statusShown = !context.jobs.summarising.isEmpty || videos.contains { $0.hasSummary || !$0.hasTranscript }
        for (row, place) in (firstVisible(list)..<shown.count).prefix(list.height).enumerated() {
            let video = videos[shown[place]]
            let base = place == selected ? theme[.selection] : theme[.text]
            let rect = Rect(x: list.x, y: list.y + row, width: list.width, height: 1)
            buffer.fill(rect, style: base)
            let status = video.hasSummary ? "summary" : context.jobs.summarising.contains(video.videoID) ? "summarising"
                : video.hasTranscript ? "" : "no transcript"
            let date = datesShown ? String(video.publishedAt.prefix(10)).padding(toLength: 10, withPad: " ", startingAt: 0) + "  " : ""
            let right = StyledLine("\(date)\(Citation.timestamp(video.durationSec * 1000))  \(video.sectionCount) sect" + (statusShown ? "  " : " "),
                                   style: theme[.dim].over(base))
                + StyledLine(statusShown ? status.padding(toLength: 11, withPad: " ", startingAt: 0) : "",
                             style: (video.hasSummary ? theme[.success] : theme[.dim]).over(base))
            let rightWidth = right.width
            let mark = StyledLine(marked.contains(video.videoID) ? "● " : "  ", style: theme[.accent].over(base))
            buffer.draw(mark + StyledLine(video.title, style: base).truncated(to: max(1, list.width - rightWidth - 3)), x: rect.x, y: rect.y,
                        maxWidth: list.width - rightWidth - 1)
            buffer.draw(right, in: rect, alignment: .right)
        }
    }
}
