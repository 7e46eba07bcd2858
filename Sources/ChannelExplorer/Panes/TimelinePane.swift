import Foundation
import PackKit
import TUI

/// A topic over time: the bar chart of `ytce pack timeline` (moments that match, per upload month, year or video),
/// one bar per row; Enter on a bar lists that period's moments, best first, and Enter on one opens the transcript.
public struct TimelinePane: Pane {
    public enum Msg: Sendable {
        case charted(serial: Int, Result<TopicTimeline, ExplorerError>)
        case listed(serial: Int, period: Int, Result<[SearchHit], ExplorerError>)
    }

    public static let title = "Timeline"
    /// The most moments a bar lists.
    static let listLimit = 200

    public internal(set) var input = TextField()
    /// Whether the line has the keyboard (`/` gives it; a search or chart sent gives it back to the list).
    public internal(set) var editing = false
    public internal(set) var grouping = TopicTimeline.Grouping.month
    public internal(set) var timeline: TopicTimeline?
    public internal(set) var loading = false
    public internal(set) var error: String?
    /// The bar under the cursor.
    public internal(set) var selection = 0
    /// The bar whose moments are listed, with them (nil: the chart shows).
    public internal(set) var opened: (period: Int, hits: [SearchHit])?
    /// What the list shows of each listed moment: its text from a little before the topic's first word in it
    /// (`MatchSnippet`), worked out once when the moments arrive; the topic's words, which the view draws in bold.
    var openedSnippets: [String] = []
    var snippetTerms: [String] = []
    public internal(set) var momentSelection = 0
    var serial = 0
    var frame = Rect(x: 0, y: 0, width: 0, height: 0)

    public init() {}

    public var isEditingText: Bool { editing }
    public var isTextEmpty: Bool { input.isEmpty }
    var periods: [TopicTimeline.Period] { timeline?.periods ?? [] }
    var listing: Bool { opened != nil }
    /// The listed moment under the cursor.
    var selectedMoment: SearchHit? {
        guard let hits = opened?.hits, !hits.isEmpty else { return nil }
        return hits[min(momentSelection, hits.count - 1)]
    }
    var page: Int { max(1, frame.height - 4) }

    // MARK: Keys

    public static let bindings: [Binding<TimelinePane, PaneCall>] = [
        Binding([.enter], "chart the topic (\"in quotes\": the exact phrase)", hint: "charts", when: { $0.editing }) { p, call in p.submit(&call) },
        Binding([.escape], "leave the line, to go through the bars", hint: "bars", when: { $0.editing && $0.timeline != nil }) { p, _ in
            p.editing = false
        },
        Binding([.escape, .backspace], "back to the chart", hint: "chart", when: { $0.listing }) { p, _ in p.opened = nil },
        Binding([.character("/")], "a fresh topic (clears the line)", hint: "new topic", when: { !$0.editing }) { p, call in
            p.fresh("", &call)
        },
        // Only once something is listed: on a pane just opened, "ideas" typed without `/` started a line at its
        // "i" and searched for "deas" (and "dictionary" for "ctionary"); now nothing is typed until `/`.
        Binding([.character("i")], "a fresh topic, as /", when: { !$0.editing && $0.timeline != nil }) { p, call in p.fresh("", &call) },
        Binding([.character("b")], "bars by month, year or video (in turn)", hint: "by", when: { !$0.editing }) { p, call in
            let all = TopicTimeline.Grouping.allCases
            p.grouping = all[((all.firstIndex(of: p.grouping) ?? 0) + 1) % all.count]
            p.chart(&call)
        },
        Binding([.down, .character("j")], "the next bar (or moment)", when: { !$0.editing }) { p, _ in p.move(1) },
        Binding([.up, .character("k")], "the previous bar (or moment)", when: { !$0.editing }) { p, _ in p.move(-1) },
        Binding([.pageDown, .character(" ")], "a page down", when: { !$0.editing }) { p, _ in p.move(p.page) },
        Binding([.pageUp], "a page up", when: { !$0.editing }) { p, _ in p.move(-p.page) },
        Binding([.home, .character("g")], "the first bar", when: { !$0.editing }) { p, _ in p.move(-Int(Int32.max)) },
        Binding([.end, .character("G")], "the last bar", when: { !$0.editing }) { p, _ in p.move(Int(Int32.max)) },
        Binding([.enter], "list the bar's moments", hint: "moments", when: { !$0.editing && !$0.listing }) { p, call in p.list(&call) },
        Binding([.enter], "open the transcript at the moment", hint: "opens", when: { !$0.editing && $0.listing }) { p, call in
            guard let hit = p.selectedMoment else { return }
            call.request(.openTranscript(videoID: hit.videoID, segments: hit.segmentIDs, jumpMs: hit.startMs))
        },
        Binding([.character("p")], "pin the moment to the brief (where the topic is said)", hint: "pins",
                when: { !$0.editing && $0.selectedMoment != nil }) { p, call in
            guard let hit = p.selectedMoment else { return }
            call.request(.pin(Brief.Pin(hit, pack: call.context.session?.channelTitle ?? "", terms: p.snippetTerms)))
        },
        Binding([], "chart a topic over time", command: "timeline", argument: "TOPIC") { p, call in
            p.fresh(call.argument, &call)
        },
    ]

    /// A fresh topic line holding `topic` (`/`, `:timeline`), back from a bar's moments, charted at once when given.
    mutating func fresh(_ topic: String, _ call: inout PaneCall) {
        input = TextField(topic)
        opened = nil
        editing = true
        if !topic.isEmpty { submit(&call) }
    }

    public mutating func edit(_ key: Key, _ call: inout PaneCall) { input.handle(key) }

    mutating func move(_ step: Int) {
        if let opened {
            momentSelection = min(max(0, momentSelection.addingReportingOverflow(step).partialValue), max(0, opened.hits.count - 1))
        } else {
            selection = min(max(0, selection.addingReportingOverflow(step).partialValue), max(0, periods.count - 1))
        }
    }

    mutating func submit(_ call: inout PaneCall) {
        guard !input.value.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        editing = false
        chart(&call)
    }

    /// Charts the topic on the line with the grouping chosen (an effect: the pack is read off the update loop).
    mutating func chart(_ call: inout PaneCall) {
        let text = input.value
        guard let session = call.context.session else { call.fail(AskPane.noPack); return }
        let topic: Topic
        do { topic = try Topic(text) } catch {
            self.error = error.description
            editing = true
            return
        }
        serial += 1
        loading = true
        error = nil
        opened = nil
        let serial = serial, grouping = grouping
        call.run(Self.task("timeline") { sink in
            do { sink.send(.charted(serial: serial, .success(try session.timeline(topic, by: grouping)))) }
            catch { sink.send(.charted(serial: serial, .failure(ExplorerError(error)))) }
        })
    }

    /// Lists the selected bar's moments (resolved to their videos and segments in an effect).
    mutating func list(_ call: inout PaneCall) {
        guard let session = call.context.session, !periods.isEmpty else { return }
        let period = min(selection, periods.count - 1)
        let moments = Array(periods[period].moments.prefix(Self.listLimit))
        guard !moments.isEmpty else { call.notify("no moments in \(periods[period].label)"); return }
        let serial = serial
        loading = true
        call.run(Self.task("timeline-moments") { sink in
            do { sink.send(.listed(serial: serial, period: period, .success(try session.hits(for: moments)))) }
            catch { sink.send(.listed(serial: serial, period: period, .failure(ExplorerError(error)))) }
        })
    }

    // MARK: Messages

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .charted(let serial, let result):
            guard serial == self.serial else { return }
            loading = false
            switch result {
            case .success(let timeline):
                self.timeline = timeline
                // The first bar that has moments, so Enter lists something at once.
                selection = timeline.periods.firstIndex { $0.count > 0 } ?? 0
            case .failure(let failure):
                error = failure.description
            }
        case .listed(let serial, let period, let result):
            guard serial == self.serial else { return }
            loading = false
            switch result {
            case .success(let hits):
                opened = (period, hits)
                snippetTerms = timeline.map { MatchSnippet.terms($0.topic.text) } ?? []
                openedSnippets = Self.snippets(hits, terms: snippetTerms)
                momentSelection = 0
            case .failure(let failure):
                call.fail(failure.description)
            }
        }
    }

    public mutating func receive(_ event: AppEvent, _ call: inout PaneCall) {
        switch event {
        case .packOpened:
            let keep = (serial + 1, frame)
            self = TimelinePane()
            (serial, frame) = keep
        case .layout:
            frame = call.context.frame
        case .focused, .answerFinished:
            break
        }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { move(rows.signum()) }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        let body = call.context.body
        guard y > body.y + 2 else { editing = true; return }
        let area = Self.chartArea(body)
        let index = firstVisible(area) + y - area.y
        if opened != nil {
            if let hits = opened?.hits, index < hits.count { momentSelection = index }
        } else if index < periods.count {
            selection = index
        }
        editing = false
    }

    // MARK: View

    static func chartArea(_ inner: Rect) -> Rect {
        Rect(x: inner.x, y: inner.y + 3, width: inner.width, height: max(0, inner.height - 3))
    }

    func firstVisible(_ area: Rect) -> Int {
        let count = opened?.hits.count ?? periods.count
        let selected = opened == nil ? selection : momentSelection
        return ListState.visibleOffset(selected: min(selected, max(0, count - 1)), offset: 0, count: count,
                                       visibleHeight: area.height, heights: { _ in 1 })
    }

    /// Each moment's text from a little before the first of `terms` it says (its opening is often about something
    /// else: the dictionary lecture's moment listed for "dictionary" opened on "wds equals line dot split"), cut to
    /// what a row can show.
    static func snippets(_ hits: [SearchHit], terms: [String]) -> [String] {
        hits.map { MatchSnippet.excerpt($0.text, terms: terms, length: Self.snippetLength, lead: Self.snippetLead) }
    }

    /// Characters kept of a listed moment's snippet: wider than any terminal row.
    static let snippetLength = 600
    /// Characters shown before the topic's word: fewer than the search pane's, as a row shares its line with the
    /// moment's time and video title.
    static let snippetLead = 12

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let inner = Block(title: Self.title, focused: context.focused, theme: theme, rightTitle: hints).render(into: &buffer, area: context.frame)
        guard inner.height >= 4 else { return }
        buffer.draw(StyledLine("topic ", style: theme[.accent]), x: inner.x, y: inner.y)
        input.render(into: &buffer, area: Rect(x: inner.x + 6, y: inner.y, width: inner.width - 6, height: 1),
                     style: theme[.input], focused: context.focused && editing && !context.popupOpen,
                     placeholder: "a topic to chart over time (\"in quotes\": the exact phrase)", placeholderStyle: theme[.placeholder])
        buffer.put(String(repeating: "─", count: inner.width), x: inner.x, y: inner.y + 1, style: theme[.border])
        let heading: StyledLine
        if loading {
            heading = StyledLine("\(Spinner.frame(context.tick)) reading the pack…", style: theme[.dim])
        } else if let error {
            heading = StyledLine(error, style: theme[.error])
        } else if let timeline, let opened {
            heading = StyledLine("\(timeline.periods[opened.period].label): \(opened.hits.count) moments for \(timeline.topic.text), best first",
                                 style: theme[.text].with(bold: true))
        } else if let timeline {
            heading = StyledLine(timeline.title, style: theme[.text].with(bold: true))
        } else {
            let key = Self.bindings.first { $0.description.hasPrefix("a fresh topic") }?.keysText ?? "/"
            heading = StyledLine("How often the channel speaks of a topic, per upload month, year or video" + (editing ? ": Enter charts it." : ": \(key) types one."),
                                 style: theme[.dim])
        }
        buffer.draw(heading.truncated(to: inner.width), x: inner.x, y: inner.y + 2, maxWidth: inner.width)
        let area = Self.chartArea(inner)
        guard let timeline else { return }
        let first = firstVisible(area)
        if let opened {
            for (row, index) in (first..<opened.hits.count).prefix(area.height).enumerated() {
                let hit = opened.hits[index]
                let base = index == momentSelection ? theme[.selection] : theme[.text]
                let rect = Rect(x: area.x, y: area.y + row, width: area.width, height: 1)
                buffer.fill(rect, style: base)
                var line = StyledLine("\(Citation.timestamp(hit.startMs))-\(Citation.timestamp(hit.endMs)) ", style: theme[.timestamp].over(base))
                line.append((hit.title.isEmpty ? hit.videoID : hit.title) + "  ", style: base.with(bold: true))
                let snippet = index < openedSnippets.count ? openedSnippets[index] : hit.text
                for run in CitationsPane.highlightRuns(snippet, terms: snippetTerms) {
                    line.append(run.text, style: run.highlighted ? theme[.highlight] : theme[.dim].over(base))
                }
                buffer.draw(line.truncated(to: area.width), x: area.x, y: rect.y, maxWidth: area.width)
            }
            return
        }
        let periods = timeline.periods
        let labelWidth = min(max(8, area.width / 3), periods.map { DisplayWidth.of($0.label) }.max() ?? 0)
        let countWidth = String(periods.map(\.count).max() ?? 0).count
        let barWidth = max(1, area.width - labelWidth - countWidth - 3)
        for (row, index) in (first..<periods.count).prefix(area.height).enumerated() {
            let period = periods[index]
            let base = index == selection && !editing ? theme[.selection] : theme[.text]
            let rect = Rect(x: area.x, y: area.y + row, width: area.width, height: 1)
            buffer.fill(rect, style: base)
            buffer.draw(StyledLine(period.label, style: base).truncated(to: labelWidth), x: area.x, y: rect.y, maxWidth: labelWidth)
            let count = String(period.count)
            buffer.put(String(repeating: " ", count: countWidth - count.count) + count, x: area.x + labelWidth + 1, y: rect.y,
                       style: theme[.dim].over(base))
            let length = timeline.barLength(period.count, width: barWidth)
            if length > 0 {
                buffer.put(String(repeating: "█", count: length), x: area.x + labelWidth + countWidth + 2, y: rect.y, style: theme[.accent].over(base))
            }
        }
    }
}
