import Foundation
import JobKit
import PackKit
import TUI

/// The jobs panel: RunPod's health and every job with its state, age, polls and where its summary went. The job
/// list itself is the app's (`JobsFeed`: the status bar and the library read it too); the selection and RunPod's
/// health are the pane's.
public struct JobsPane: Pane {
    public enum Msg: Sendable {
        case health(Result<RunPodHealth, ExplorerError>)
        case summary(jobID: Int64, Result<String, ExplorerError>)
    }

    public static let title = "Jobs"
    static let headerRows = 2

    public internal(set) var selection = 0
    public internal(set) var health: RunPodHealth?
    public internal(set) var healthError: String?

    public init() {}

    public static let bindings: [Binding<JobsPane, PaneCall>] = [
        Binding([.character("/")], "search the whole pack") { _, call in SearchPane.start(&call) },
        Binding([.down, .character("j")], "the next job") { p, call in p.select(p.selection + 1, call) },
        Binding([.up, .character("k")], "the previous job") { p, call in p.select(p.selection - 1, call) },
        Binding([.home, .character("g")], "the newest job") { p, call in p.select(0, call) },
        Binding([.end, .character("G")], "the oldest job") { p, call in p.select(call.context.jobs.jobs.count - 1, call) },
        Binding([.character("a")], "submit a transcript file (txt, srt, vtt, sbv, json)", hint: "submit") { _, call in
            call.request(.submitFile(nil))
        },
        Binding([.character("c")], "cancel the job", hint: "cancel") { p, call in
            guard let job = p.selected(call), let service = call.context.services.jobs else { return }
            guard job.isOpen || job.state == .submitting else { call.fail("job \(job.id) is \(job.state.rawValue): nothing to cancel"); return }
            call.run(JobEffects.cancel(job.id, service))
        },
        Binding([.character("r")], "retry it (failed, timed out, given up, lost)", hint: "retry") { p, call in
            guard let job = p.selected(call), let service = call.context.services.jobs else { return }
            call.run(JobEffects.retry(job.id, service))
        },
        Binding([.enter], "show its summary", hint: "summary") { p, call in
            guard let job = p.selected(call), let service = call.context.services.jobs else { return }
            let id = job.id
            call.run(Self.task { sink in
                do {
                    guard let text = try service.summary(id) else { throw ExplorerError("job \(id) has no summary yet") }
                    sink.send(.summary(jobID: id, .success(text)))
                } catch { sink.send(.summary(jobID: id, .failure(ExplorerError(error)))) }
            })
        },
        Binding([.character("p")], "attach its summary to the pack it came from", hint: "attach", command: "attach") { p, call in
            guard let job = p.selected(call), let service = call.context.services.jobs else { return }
            guard let (pack, video) = JobsPane.packVideo(of: job) else {
                call.fail("job \(job.id) did not come from a pack video: nothing to attach to")
                return
            }
            guard job.state == .completed else { call.fail("job \(job.id) has no summary yet"); return }
            call.run(JobEffects.attach(job.id, pack: pack, videoID: video, service))
        },
        Binding([], "save the job's summary to a file", command: "save-summary", argument: "PATH") { p, call in
            guard let job = p.selected(call), let service = call.context.services.jobs else { return }
            let path = NSString(string: call.argument).expandingTildeInPath, id = job.id
            guard !path.isEmpty else { call.fail("save-summary PATH: name the file"); return }
            call.run(.task { sink in
                do {
                    guard let text = try service.summary(id) else { throw ExplorerError("job \(id) has no summary yet") }
                    try AtomicFile.write(Array(text.utf8), to: path)
                    sink.send(.notice("summary of job \(id) saved to \(path)"))
                } catch { sink.send(.failure("could not save the summary of job \(id): \(error)")) }
            })
        },
    ]

    func selected(_ call: PaneCall) -> Job? {
        let jobs = call.context.jobs.jobs
        return jobs.isEmpty ? nil : jobs[min(selection, jobs.count - 1)]
    }

    mutating func select(_ index: Int, _ call: PaneCall) {
        selection = min(max(0, index), max(0, call.context.jobs.jobs.count - 1))
    }

    /// The pack and video of a `pack:PATH#VIDEO` source.
    static func packVideo(of job: Job) -> (String, String)? {
        guard job.source.hasPrefix("pack:"), let hash = job.source.lastIndex(of: "#") else { return nil }
        let pack = String(job.source[job.source.index(job.source.startIndex, offsetBy: 5)..<hash])
        return (pack, String(job.source[job.source.index(after: hash)...]))
    }

    public static func startEffects(_ services: ExplorerContext) -> [Effect<ExplorerMsg>] {
        guard let jobs = services.jobs, jobs.runner != nil else { return [] }
        let interval = services.healthInterval
        return [task("health") { sink in
            while !Task.isCancelled {
                do { sink.send(.health(.success(try await jobs.health()))) } catch {
                    if Task.isCancelled { return }
                    sink.send(.health(.failure(ExplorerError(error))))
                }
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }]
    }

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .health(.success(let value)):
            health = value
            healthError = nil
        case .health(.failure(let error)):
            healthError = error.description
        case .summary(let id, .success(let text)):
            var popup = TextPopup(title: "Summary of job \(id)", text: text, theme: call.context.theme)
            let fromPack = call.context.jobs.jobs.first { $0.id == id }.flatMap { JobsPane.packVideo(of: $0) } != nil
            popup.document = TextPopup.Document(text: text, saveCommand: "save-summary",
                                                suggestedPath: FileManager.default.currentDirectoryPath + "/summary-\(id).md",
                                                attachCommand: fromPack ? "attach" : nil)
            call.request(.popup(.text(popup)))
        case .summary(_, .failure(let error)):
            call.fail(error.description)
        }
    }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        let body = call.context.body
        let row = y - body.y
        let index = firstVisible(body, count: call.context.jobs.jobs.count) + row - Self.headerRows
        if row >= Self.headerRows, index < call.context.jobs.jobs.count { selection = index }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { select(selection + rows.signum(), call) }

    /// The first job on screen below the header rows of `inner` (the view and mouse clicks agree on it).
    func firstVisible(_ inner: Rect, count: Int) -> Int {
        ListState.visibleOffset(selected: min(selection, max(0, count - 1)), offset: 0,
                                count: count, visibleHeight: max(1, inner.height - Self.headerRows), heights: { _ in 1 })
    }

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let jobs = context.jobs.jobs
        let inner = Block(title: Self.title, focused: context.focused, theme: theme, rightTitle: hints).render(into: &buffer, area: context.frame)
        guard inner.height > Self.headerRows else { return }
        var healthLine = StyledLine()
        // Packs being summarised (`ytce jobs summarize`) first: how many of their videos' summaries are in.
        for progress in ChannelProgress.of(jobs) {
            healthLine.append(progress.line, style: progress.failed > 0 ? theme[.error] : theme[.text])
            healthLine.append(" · ", style: theme[.dim])
        }
        if let h = health {
            healthLine.append("RunPod ", style: theme[.accent])
            healthLine.append("workers \(h.workers.idle) idle \(h.workers.running) running · queue \(h.jobs.inQueue) · in progress \(h.jobs.inProgress)",
                              style: theme[.text])
        } else if let healthError {
            healthLine.append("RunPod: \(healthError)", style: theme[.error])
        } else {
            healthLine.append("RunPod: " + (context.services.jobsProblem ?? context.services.jobs?.unavailable ?? "asking for health…"), style: theme[.dim])
        }
        buffer.draw(healthLine.truncated(to: inner.width), x: inner.x, y: inner.y, maxWidth: inner.width)
        let columns = Columns(width: inner.width)
        buffer.draw(columns.line(["id", "state", "input", "elapsed", "polls", "next", "output"], style: theme[.heading]),
                    x: inner.x, y: inner.y + 1, maxWidth: inner.width)
        let list = Rect(x: inner.x, y: inner.y + Self.headerRows, width: inner.width, height: inner.height - Self.headerRows)
        guard !jobs.isEmpty else {
            // The keys named here are read from the bindings.
            let submit = Self.bindings.first { $0.hint == "submit" }?.keysText ?? ""
            let summarise = LibraryPane.bindings.first { $0.hint == "summarise" }?.keysText ?? ""
            buffer.draw(StyledLine(context.jobs.loaded ? "No jobs yet: `\(submit)` submits a transcript file, `\(summarise)` in the library a video."
                                                       : "loading…",
                                   style: theme[.dim]).wrapped(width: list.width), in: list)
            return
        }
        let now = context.now
        let selected = min(selection, jobs.count - 1)
        for (row, index) in (firstVisible(inner, count: jobs.count)..<jobs.count).prefix(list.height).enumerated() {
            let job = jobs[index]
            let base = index == selected && context.focused ? theme[.selection] : theme[.text]
            let rect = Rect(x: list.x, y: list.y + row, width: list.width, height: 1)
            buffer.fill(rect, style: base)
            let elapsed = Self.duration(job.elapsed(now: now))
            let next = job.isOpen ? job.nextPollAt.map { "\(max(0, Int(($0 - now).rounded(.up))))s" } ?? "" : ""
            // A summary that did not reach one of its outputs is a failure, not a success.
            let stateStyle: Style = switch job.state {
            case _ where job.hasFailed: theme[.error]
            case .completed: theme[.success]
            case .failed, .lost, .timedOut, .submissionUnknown, .gaveUp: theme[.error]
            case .cancelled: theme[.dim]
            default: theme[.accent]
            }
            let cells = ["\(job.id)", job.stateText, job.name, elapsed, "\(job.polls)", next, job.outputText]
            // The state in its own colour (the cells are styled one by one: same-styled neighbours merge into one span).
            let styles = cells.indices.map { $0 == 1 ? stateStyle.over(base) : base }
            buffer.draw(columns.line(cells, styles: styles), x: rect.x, y: rect.y, maxWidth: rect.width)
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.isFinite ? min(seconds, 1e12) : 0))
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
            line(cells, styles: cells.map { _ in style })
        }

        func line(_ cells: [String], styles: [Style]) -> StyledLine {
            var line = StyledLine()
            for ((cell, width), style) in zip(zip(cells, widths), styles) {
                let text = StyledLine(cell, style: style).truncated(to: width)
                line.append(text.plainText, style: style)
                line.append(String(repeating: " ", count: max(0, width - text.width) + 1), style: styles[0])
            }
            return line
        }
    }
}
