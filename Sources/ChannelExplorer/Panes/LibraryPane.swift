import Foundation
import PackKit
import TUI

extension ChannelExplorer {
    func libraryKey(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        let count = model.library.videos.count
        guard count > 0 else { return [] }
        let page = max(1, model.height - 6)
        var selection = min(model.library.selection, count - 1)
        switch key {
        case .down, .character("j"): selection += 1
        case .up, .character("k"): selection -= 1
        case .pageDown, .character(" "): selection += page
        case .pageUp: selection -= page
        case .character("g"), .home: selection = 0
        case .character("G"), .end: selection = count - 1
        case .enter:
            return openTranscript(model.library.videos[selection].videoID, focus: [], jumpMs: nil, &model)
        case .character("s"):
            return submitVideo(model.library.videos[selection].videoID, &model)
        default: return []
        }
        model.library.selection = min(max(0, selection), count - 1)
        return []
    }
}

/// The video library: every video of the pack with its duration, sections and summary status.
enum LibraryView {
    /// The first video on screen in the list area `inner` (the view and mouse clicks agree on it).
    static func firstVisible(_ model: ExplorerModel, _ inner: Rect) -> Int {
        ListState.visibleOffset(selected: min(model.library.selection, max(0, model.library.videos.count - 1)), offset: 0,
                                count: model.library.videos.count, visibleHeight: inner.height, heights: { _ in 1 })
    }

    static func draw(_ model: ExplorerModel, _ frame: Rect, focused: Bool, _ buffer: inout CellBuffer) {
        let theme = model.theme
        let state = model.library
        let inner = Block(title: "Library · \(state.videos.count) videos", focused: focused, theme: theme,
                          rightTitle: "Enter transcript · s summarise").render(into: &buffer, area: frame)
        guard !state.videos.isEmpty else {
            let text = state.loading ? "\(Spinner.frame(model.tickCount)) loading…" : state.error ?? (model.session == nil ? "No pack open." : "This pack has no videos.")
            buffer.draw(StyledLine(text, style: state.error == nil ? theme[.dim] : theme[.error]), in: inner)
            return
        }
        let selected = min(state.selection, state.videos.count - 1)
        let first = firstVisible(model, inner)
        let summarising = Set(model.jobs.jobs.filter(\.isOpen).compactMap { $0.source.split(separator: "#").last.map(String.init) })
        for (row, index) in (first..<state.videos.count).prefix(inner.height).enumerated() {
            let video = state.videos[index]
            let base = index == selected ? theme[.selection] : theme[.text]
            let rect = Rect(x: inner.x, y: inner.y + row, width: inner.width, height: 1)
            buffer.fill(rect, style: base)
            let status = video.hasSummary ? "summary" : summarising.contains(video.videoID) ? "summarising" : video.hasTranscript ? "" : "no transcript"
            let right = StyledLine("\(Citation.timestamp(video.durationSec * 1000))  \(video.sectionCount) sect  ", style: theme[.dim].over(base))
                + StyledLine(status.padding(toLength: 11, withPad: " ", startingAt: 0), style: (video.hasSummary ? theme[.success] : theme[.dim]).over(base))
            let rightWidth = right.width
            buffer.draw(StyledLine(video.title, style: base).truncated(to: max(1, inner.width - rightWidth - 1)), x: rect.x, y: rect.y,
                        maxWidth: inner.width - rightWidth - 1)
            buffer.draw(right, in: rect, alignment: .right)
        }
    }
}
