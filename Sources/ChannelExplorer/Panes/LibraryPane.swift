import Foundation
import PackKit
import TUI

/// The video library: every video of the pack with its duration, sections and summary status.
public struct LibraryPane: Pane {
    public enum Msg: Sendable {
        case loaded(Result<[VideoListing], ExplorerError>)
    }

    public static let title = "Library"

    public internal(set) var videos: [VideoListing] = []
    public internal(set) var loading = false
    public internal(set) var error: String?
    public internal(set) var selection = 0
    var frame = Rect(x: 0, y: 0, width: 0, height: 0)

    public init() {}

    var page: Int { max(1, frame.height - 3) }
    var selected: VideoListing? { videos.isEmpty ? nil : videos[min(selection, videos.count - 1)] }

    public static let bindings: [Binding<LibraryPane, PaneCall>] = [
        Binding([.down, .character("j")], "the next video") { p, _ in p.select(p.selection + 1) },
        Binding([.up, .character("k")], "the previous video") { p, _ in p.select(p.selection - 1) },
        Binding([.pageDown, .character(" ")], "a page down") { p, _ in p.select(p.selection + p.page) },
        Binding([.pageUp], "a page up") { p, _ in p.select(p.selection - p.page) },
        Binding([.home, .character("g")], "the first video") { p, _ in p.select(0) },
        Binding([.end, .character("G")], "the last video") { p, _ in p.select(p.videos.count - 1) },
        Binding([.enter], "open its transcript", hint: "transcript") { p, call in
            if let video = p.selected { call.request(.openTranscript(videoID: video.videoID, segments: [], jumpMs: nil)) }
        },
        Binding([.character("s")], "send it to be summarised", hint: "summarise") { p, call in
            if let video = p.selected { call.request(.submitVideo(video.videoID)) }
        },
    ]

    mutating func select(_ index: Int) {
        selection = min(max(0, index), max(0, videos.count - 1))
    }

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .loaded(let result):
            loading = false
            switch result {
            case .success(let list): videos = list
            case .failure(let failure): error = failure.description
            }
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
        })
    }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        let body = call.context.body
        let index = firstVisible(body) + y - body.y
        if y >= body.y, index < videos.count { selection = index }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { select(selection + rows.signum()) }

    /// The first video on screen in the list area `inner` (the view and mouse clicks agree on it).
    func firstVisible(_ inner: Rect) -> Int {
        ListState.visibleOffset(selected: min(selection, max(0, videos.count - 1)), offset: 0,
                                count: videos.count, visibleHeight: inner.height, heights: { _ in 1 })
    }

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let inner = Block(title: "\(Self.title) · \(videos.count) videos", focused: context.focused, theme: theme,
                          rightTitle: hints).render(into: &buffer, area: context.frame)
        guard !videos.isEmpty else {
            let text = loading ? "\(Spinner.frame(context.tick)) loading…" : error ?? (context.session == nil ? "No pack open." : "This pack has no videos.")
            buffer.draw(StyledLine(text, style: error == nil ? theme[.dim] : theme[.error]), in: inner)
            return
        }
        let selected = min(selection, videos.count - 1)
        for (row, index) in (firstVisible(inner)..<videos.count).prefix(inner.height).enumerated() {
            let video = videos[index]
            let base = index == selected ? theme[.selection] : theme[.text]
            let rect = Rect(x: inner.x, y: inner.y + row, width: inner.width, height: 1)
            buffer.fill(rect, style: base)
            let status = video.hasSummary ? "summary" : context.jobs.summarising.contains(video.videoID) ? "summarising"
                : video.hasTranscript ? "" : "no transcript"
            let right = StyledLine("\(Citation.timestamp(video.durationSec * 1000))  \(video.sectionCount) sect  ", style: theme[.dim].over(base))
                + StyledLine(status.padding(toLength: 11, withPad: " ", startingAt: 0), style: (video.hasSummary ? theme[.success] : theme[.dim]).over(base))
            let rightWidth = right.width
            buffer.draw(StyledLine(video.title, style: base).truncated(to: max(1, inner.width - rightWidth - 1)), x: rect.x, y: rect.y,
                        maxWidth: inner.width - rightWidth - 1)
            buffer.draw(right, in: rect, alignment: .right)
        }
    }
}
