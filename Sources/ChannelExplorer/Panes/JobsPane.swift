import Foundation
import JobKit
import PackKit
import TUI

extension ChannelExplorer {
    func jobsKey(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        if key == .character("a") {
            model.overlay = .prompt(title: "Transcript file to summarise (txt, srt, vtt, sbv, json)", field: TextField(), action: .submitFile)
            return []
        }
        let jobs = model.jobs.jobs
        guard !jobs.isEmpty, let service = context.jobs else { return [] }
        var selection = min(model.jobs.selection, jobs.count - 1)
        let job = jobs[selection]
        switch key {
        case .down, .character("j"): selection += 1
        case .up, .character("k"): selection -= 1
        case .character("g"), .home: selection = 0
        case .character("G"), .end: selection = jobs.count - 1
        case .enter:
            return [ExplorerEffects.loadSummary(job.id, service)]
        case .character("c"):
            guard job.isOpen || job.state == .submitting else { fail("job \(job.id) is \(job.state.rawValue): nothing to cancel", &model); return [] }
            return [ExplorerEffects.cancelJob(job.id, service)]
        case .character("r"):
            return [ExplorerEffects.retryJob(job.id, service)]
        case .character("p"):
            guard let (pack, video) = Self.packVideo(of: job) else {
                fail("job \(job.id) did not come from a pack video: nothing to attach to", &model)
                return []
            }
            guard job.state == .completed else { fail("job \(job.id) has no summary yet", &model); return [] }
            return [ExplorerEffects.attachSummary(job.id, pack: pack, videoID: video, service)]
        default: return []
        }
        model.jobs.selection = min(max(0, selection), jobs.count - 1)
        return []
    }

    /// The pack and video of a `pack:PATH#VIDEO` source.
    static func packVideo(of job: Job) -> (String, String)? {
        guard job.source.hasPrefix("pack:"), let hash = job.source.lastIndex(of: "#") else { return nil }
        let pack = String(job.source[job.source.index(job.source.startIndex, offsetBy: 5)..<hash])
        return (pack, String(job.source[job.source.index(after: hash)...]))
    }
}

/// The jobs panel: RunPod's health and every job with its state, age, polls and where its summary went.
enum JobsView {
    static let headerRows = 2

    /// The first job on screen below the header rows of `inner` (the view and mouse clicks agree on it).
    static func firstVisible(_ model: ExplorerModel, _ inner: Rect) -> Int {
        ListState.visibleOffset(selected: min(model.jobs.selection, max(0, model.jobs.jobs.count - 1)), offset: 0,
                                count: model.jobs.jobs.count, visibleHeight: max(1, inner.height - headerRows), heights: { _ in 1 })
    }

    static func draw(_ model: ExplorerModel, _ frame: Rect, focused: Bool, _ buffer: inout CellBuffer) {
        let theme = model.theme
        let state = model.jobs
        let inner = Block(title: "Jobs", focused: focused, theme: theme,
                          rightTitle: "a submit · c cancel · r retry · Enter summary · p attach").render(into: &buffer, area: frame)
        guard inner.height > headerRows else { return }
        var health = StyledLine()
        if let h = state.health {
            health.append("RunPod ", style: theme[.accent])
            health.append("workers \(h.workers.idle) idle \(h.workers.running) running · queue \(h.jobs.inQueue) · in progress \(h.jobs.inProgress)", style: theme[.text])
        } else if let error = state.healthError {
            health.append("RunPod: \(error)", style: theme[.error])
        } else {
            health.append("RunPod: " + (model.jobsProblem ?? "asking for health…"), style: theme[.dim])
        }
        buffer.draw(health.truncated(to: inner.width), x: inner.x, y: inner.y, maxWidth: inner.width)
        let columns = Columns(width: inner.width)
        buffer.draw(columns.line(["id", "state", "input", "elapsed", "polls", "next", "output"], style: theme[.heading]), x: inner.x, y: inner.y + 1, maxWidth: inner.width)
        let list = Rect(x: inner.x, y: inner.y + headerRows, width: inner.width, height: inner.height - headerRows)
        guard !state.jobs.isEmpty else {
            buffer.draw(StyledLine(state.loaded ? "No jobs yet: `a` submits a transcript file, `s` in the library a video." : "loading…",
                                   style: theme[.dim]).wrapped(width: list.width), in: list)
            return
        }
        let now = Date().timeIntervalSince1970
        let selected = min(state.selection, state.jobs.count - 1)
        let first = firstVisible(model, inner)
        for (row, index) in (first..<state.jobs.count).prefix(list.height).enumerated() {
            let job = state.jobs[index]
            let base = index == selected && focused ? theme[.selection] : theme[.text]
            let rect = Rect(x: list.x, y: list.y + row, width: list.width, height: 1)
            buffer.fill(rect, style: base)
            let elapsed = duration(job.elapsed(now: now))
            let next = job.isOpen ? job.nextPollAt.map { "\(max(0, Int(($0 - now).rounded(.up))))s" } ?? "" : ""
            let stateStyle: Style = switch job.state {
            case _ where job.hasFailed: theme[.error]
            case .completed: theme[.success]
            case .failed, .lost, .timedOut, .submissionUnknown, .gaveUp: theme[.error]
            case .cancelled: theme[.dim]
            default: theme[.accent]
            }
            let cells = ["\(job.id)", job.stateText, job.name, elapsed, "\(job.polls)", next, job.outputText]
            var line = columns.line(cells, style: base)
            if line.spans.count > 1 { line.spans[1].style = stateStyle.over(base) }
            buffer.draw(line, x: rect.x, y: rect.y, maxWidth: rect.width)
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        return s >= 3600 ? "\(s / 3600)h\(s / 60 % 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }

    /// Column widths for the job table; the input and output columns take what is left.
    struct Columns {
        let widths: [Int]
        init(width: Int) {
            let fixed = [5, 14, 0, 8, 6, 6, 0]
            // Each column is followed by one space.
            let rest = max(10, width - fixed.reduce(0, +) - fixed.count)
            widths = [5, 14, rest * 2 / 5, 8, 6, 6, rest - rest * 2 / 5]
        }

        func line(_ cells: [String], style: Style) -> StyledLine {
            var line = StyledLine()
            for (cell, width) in zip(cells, widths) {
                let text = StyledLine(cell, style: style).truncated(to: width)
                line.append(Span(text.plainText + String(repeating: " ", count: max(0, width - text.width) + 1), style: style))
            }
            return line
        }
    }
}
