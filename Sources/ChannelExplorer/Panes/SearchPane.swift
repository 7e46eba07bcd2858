import Foundation
import PackKit
import TUI

/// Channel-wide search: the moments of the whole pack for a query, found as `ytce pack search` finds them (hybrid
/// search; an exact phrase in double quotes), each with its video, time and a snippet with the words highlighted.
/// The search runs as an effect, off the update loop: keys are handled and painted while it runs, and a result
/// that comes back after a newer query was sent is dropped. What the list shows of each hit (snippet, highlights,
/// cut to the list's width) is made there too, once, so neither the loop nor a frame does that work.
public struct SearchPane: Pane {
    public enum Msg: Sendable {
        /// The search's first screenful of hits (or its failure); `total` hits in all.
        case found(serial: Int, Result<Found, ExplorerError>)
        /// The rest of the hits, read after the first screenful was shown.
        case rest(serial: Int, Result<Found, ExplorerError>)
    }

    public static let title = "Search"
    static let rowsPerItem = 3
    /// How many moments a search lists.
    public static let limit = 50

    public internal(set) var input = TextField()
    /// Whether the line has the keyboard (`/` gives it; a search or chart sent gives it back to the list).
    public internal(set) var editing = false
    /// The query whose hits are listed (or being looked for).
    public internal(set) var query = ""
    public internal(set) var hits: [SearchHit] = []
    /// From Enter until every hit is listed (the first screenful shows before).
    public internal(set) var searching = false
    /// How many moments the search found (its hits are `hits` once `searching` ends; the first ones before).
    public internal(set) var total = 0
    /// The serial of the search whose (first) hits are listed.
    var listedSerial = 0
    /// Whether the newest search's first hits are listed (and `total` is its count).
    public var listsNewest: Bool { listedSerial == serial && serial > 0 }
    public internal(set) var error: String?
    public internal(set) var notes: [String] = []
    public internal(set) var selection = 0
    var items: [Item] = []
    /// Counts the searches sent, so only the newest one's result is shown.
    var serial = 0
    /// Columns of the list's snippets (from the last layout), which the items are cut to.
    var snippetWidth = Self.snippetWidth(of: Rect(x: 0, y: 0, width: 200, height: 60))
    /// How many hits fill the list (from the last layout): a search resolves and shows these first.
    var screenful = Self.screenful(of: Rect(x: 0, y: 0, width: 200, height: 60))

    public init() {}

    struct Item: Sendable {
        var title: String
        var span: String
        /// The snippet, cut to the list's width (with an ellipsis when cut).
        var snippet: [(text: String, highlighted: Bool)]
    }

    /// A search's result with the list's items made from it.
    public struct Found: Sendable {
        public var result: SearchResult
        var items: [Item]
        /// Moments found in all (the result may hold the first of them).
        public var total: Int
        /// The columns the items were cut to (a resize meanwhile makes them again).
        var snippetWidth: Int
    }

    /// Opens the search pane on a fresh line (the `/` of panes without a search of their own).
    static func start(_ call: inout PaneCall) {
        call.request(.focus(SearchPane.id))
        call.request(.runCommand("find"))
    }

    public var isEditingText: Bool { editing }
    public var isTextEmpty: Bool { input.isEmpty }
    var selected: SearchHit? { hits.isEmpty ? nil : hits[min(selection, hits.count - 1)] }

    // MARK: Keys

    public static let bindings: [Binding<SearchPane, PaneCall>] = [
        Binding([.enter], "search the whole pack (\"in quotes\": the exact phrase)", hint: "searches", when: { $0.editing }) { p, call in
            p.submit(&call)
        },
        Binding([.escape], "leave the line, to go through the hits", hint: "hits", when: { $0.editing && !$0.hits.isEmpty }) { p, _ in
            p.editing = false
        },
        Binding([.character("/")], "a fresh search (clears the line)", hint: "new search", when: { !$0.editing }) { p, call in
            p.fresh("", &call)
        },
        // Only once something is listed: on a pane just opened, "ideas" typed without `/` started a line at its
        // "i" and searched for "deas" (and "dictionary" for "ctionary"); now nothing is typed until `/`.
        Binding([.character("i")], "a fresh search, as /", when: { !$0.editing && !$0.hits.isEmpty }) { p, call in p.fresh("", &call) },
        Binding([.down, .character("j")], "the next hit", when: { !$0.editing }) { p, _ in p.select(p.selection + 1) },
        Binding([.up, .character("k")], "the previous hit", when: { !$0.editing }) { p, _ in p.select(p.selection - 1) },
        Binding([.home, .character("g")], "the first hit", when: { !$0.editing }) { p, _ in p.select(0) },
        Binding([.end, .character("G")], "the last hit", when: { !$0.editing }) { p, _ in p.select(p.hits.count - 1) },
        Binding([.enter], "open the transcript at the hit", hint: "opens", when: { !$0.editing }) { p, call in p.open(&call) },
        Binding([.character("p")], "pin the hit to the brief", hint: "pins", when: { !$0.editing && !$0.hits.isEmpty }) { p, call in
            guard let hit = p.selected else { return }
            call.request(.pin(Brief.Pin(hit, pack: call.context.session?.channelTitle ?? "", terms: Self.highlightTerms(p.query))))
        },
        Binding([], "search the whole pack (no words: a fresh search line)", command: "find", argument: "[WORDS]") { p, call in
            p.fresh(call.argument, &call)
        },
    ]

    /// A fresh search line holding `words` (`/`, `:find`), searched at once when there are some.
    mutating func fresh(_ words: String, _ call: inout PaneCall) {
        input = TextField(words)
        editing = true
        if !words.isEmpty { submit(&call) }
    }

    public mutating func edit(_ key: Key, _ call: inout PaneCall) { input.handle(key) }

    mutating func select(_ index: Int) {
        selection = min(max(0, index), max(0, hits.count - 1))
    }

    /// Starts a search for the text on the line: `query` is set at once (the view says it is being looked for).
    mutating func submit(_ call: inout PaneCall) {
        let text = input.value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return }
        guard let session = call.context.session else { call.fail(AskPane.noPack); return }
        serial += 1
        query = text
        searching = true
        error = nil
        editing = false
        call.run(Self.search(text, serial: serial, session: session, snippetWidth: snippetWidth, screenful: screenful))
    }

    mutating func open(_ call: inout PaneCall) {
        guard let hit = selected else { return }
        call.request(.openTranscript(videoID: hit.videoID, segments: hit.segmentIDs, jumpMs: hit.startMs))
    }

    /// n/N: the next or previous hit, opened in the transcript (the transcript's n/N go on through the hits).
    public mutating func step(match forward: Bool, _ call: inout PaneCall) -> Bool {
        guard !hits.isEmpty else { return false }
        walk(forward ? 1 : -1, transcriptShows: nil, &call)
        return true
    }

    /// Whether the transcript viewer shows the selected hit (highlighted as the hit opened it).
    func isShown(_ highlighted: Set<Int64>?) -> Bool {
        guard let hit = selected, let highlighted, !hit.segmentIDs.isEmpty else { return false }
        return highlighted == Set(hit.segmentIDs)
    }

    /// Selects the next (`step` 1) or previous hit and opens it; while the transcript does not show the selected
    /// hit yet (from the pane itself: `transcriptShows` nil), that one comes first.
    mutating func walk(_ step: Int, transcriptShows highlighted: Set<Int64>?, _ call: inout PaneCall) {
        guard !hits.isEmpty else { return }
        let current = min(selection, hits.count - 1)
        selection = highlighted == nil || isShown(highlighted) ? ((current + step) % hits.count + hits.count) % hits.count : current
        call.notify("hit [\(selection + 1)/\(hits.count)] for \(query)")
        open(&call)
    }

    // MARK: Messages

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .found(let serial, let result):
            guard serial == self.serial else { return }
            listedSerial = serial
            switch result {
            case .success(let found):
                hits = found.result.hits
                notes = found.result.notes
                total = found.total
                selection = 0
                items = found.snippetWidth == snippetWidth ? found.items : Self.items(hits, query: query, snippetWidth: snippetWidth)
                searching = found.total > hits.count
            case .failure(let failure):
                searching = false
                hits = []
                items = []
                total = 0
                error = failure.description
                editing = true
            }
        case .rest(let serial, let result):
            guard serial == self.serial else { return }
            searching = false
            switch result {
            case .success(let found):
                hits += found.result.hits
                items += found.snippetWidth == snippetWidth ? found.items : Self.items(found.result.hits, query: query, snippetWidth: snippetWidth)
                total = hits.count
            case .failure(let failure):
                // The first hits stay listed.
                total = hits.count
                error = failure.description
            }
        }
    }

    public mutating func receive(_ event: AppEvent, _ call: inout PaneCall) {
        switch event {
        case .packOpened:
            call.run(.cancel(id: "search"))
            let next = serial
            self = SearchPane()
            serial = next
        case .layout:
            // Cut to another width: made again (a resize; rare).
            let width = Self.snippetWidth(of: call.context.frame)
            screenful = Self.screenful(of: call.context.frame)
            guard width != snippetWidth else { return }
            snippetWidth = width
            if !hits.isEmpty { items = Self.items(hits, query: query, snippetWidth: width) }
        case .focused, .answerFinished:
            break
        }
    }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        let body = call.context.body
        guard y > body.y + 1 else { editing = true; return }
        let list = Self.listArea(body)
        let index = firstVisible(list) + (y - list.y) / Self.rowsPerItem
        if index < hits.count {
            selection = index
            editing = false
        }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { select(selection + rows.signum()) }

    // MARK: Effects

    /// Ranks the moments, then resolves the first `screenful` and sends them, then the rest: reading 50 moments'
    /// transcripts takes longer than ranking them, and the list shows only a screenful at first.
    static func search(_ query: String, serial: Int, session: PackSession, snippetWidth: Int, screenful: Int) -> Effect<ExplorerMsg> {
        task("search") { sink in
            // Cancelling the task (a newer query) stops an embeddings request in flight.
            let ranked: RankedMoments
            let first: Int
            do {
                ranked = try await session.rank(query, topK: limit)
                first = min(ranked.moments.count, max(1, screenful))
                guard !Task.isCancelled else { return }
                let hits = try session.hits(ranked, 0..<first)
                guard !Task.isCancelled else { return }
                let found = Found(result: SearchResult(hits: hits, notes: ranked.notes), items: items(hits, query: query, snippetWidth: snippetWidth),
                                  total: ranked.moments.count, snippetWidth: snippetWidth)
                sink.send(.found(serial: serial, .success(found)))
            } catch {
                sink.send(.found(serial: serial, .failure(ExplorerError(error))))
                return
            }
            guard first < ranked.moments.count else { return }
            do {
                let hits = try session.hits(ranked, first..<ranked.moments.count)
                guard !Task.isCancelled else { return }
                let found = Found(result: SearchResult(hits: hits, notes: ranked.notes), items: items(hits, query: query, snippetWidth: snippetWidth),
                                  total: ranked.moments.count, snippetWidth: snippetWidth)
                sink.send(.rest(serial: serial, .success(found)))
            } catch {
                sink.send(.rest(serial: serial, .failure(ExplorerError(error))))
            }
        }
    }

    /// Hits that fill the list of a pane drawn in `frame`, and one more.
    static func screenful(of frame: Rect) -> Int { max(1, listArea(frame.inset(1)).height / rowsPerItem + 1) }

    /// Columns a snippet gets in a pane drawn in `frame` (inside the border, indented by 4).
    static func snippetWidth(of frame: Rect) -> Int { max(1, frame.inset(1).width - 4) }

    /// What the list shows of each hit, worked out once when the hits arrive: the snippet starts a little before
    /// the first word of the query the moment says, and is cut to `snippetWidth` columns.
    static func items(_ hits: some Collection<SearchHit>, query: String, snippetWidth: Int) -> [Item] {
        let terms = highlightTerms(query)
        let asciiTerms = ASCIIMatch.terms(terms)
        return hits.map { item($0, terms: terms, asciiTerms: asciiTerms, snippetWidth: snippetWidth) }
    }

    /// The words of `query` a snippet highlights.
    static func highlightTerms(_ query: String) -> [String] { MatchSnippet.terms(query) }

    /// One hit's item; `asciiTerms` are `terms` as bytes when all ASCII (then an ASCII text is searched as bytes).
    static func item(_ hit: SearchHit, terms: [String], asciiTerms: [[UInt8]]?, snippetWidth: Int) -> Item {
        let text = hit.text
        let start = MatchSnippet.start(in: text, terms: terms, asciiTerms: asciiTerms)
        var runs = CitationsPane.highlightRuns(String(text[start...].prefix(2 * snippetWidth + 2)), terms: terms)
        if start > text.startIndex {
            if let head = runs.first, !head.highlighted { runs[0].text = "…" + head.text } else { runs.insert(("…", false), at: 0) }
        }
        return Item(title: hit.title.isEmpty ? hit.videoID : hit.title,
                    span: "\(Citation.timestamp(hit.startMs))-\(Citation.timestamp(hit.endMs))",
                    snippet: fitted(runs, to: snippetWidth))
    }

    /// `runs` cut to `columns`, ending in an ellipsis when cut (as `StyledLine.truncated` draws it).
    static func fitted(_ runs: [(text: String, highlighted: Bool)], to columns: Int) -> [(text: String, highlighted: Bool)] {
        var styled = StyledLine()
        for run in runs { styled.append(run.text, style: Style(bold: run.highlighted)) }
        let cut = styled.truncated(to: columns)
        return cut.spans.map { ($0.text, $0.style.bold) }
    }

    // MARK: View

    /// Under the query line and the line that says what was found.
    static func listArea(_ inner: Rect) -> Rect {
        Rect(x: inner.x, y: inner.y + 3, width: inner.width, height: max(0, inner.height - 3))
    }

    func firstVisible(_ list: Rect) -> Int {
        ListState.visibleOffset(selected: min(selection, max(0, hits.count - 1)), offset: 0, count: hits.count,
                                visibleHeight: list.height, heights: { _ in Self.rowsPerItem })
    }

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let inner = Block(title: Self.title, focused: context.focused, theme: theme, rightTitle: hints).render(into: &buffer, area: context.frame)
        guard inner.height >= 4 else { return }
        buffer.draw(StyledLine("/ ", style: theme[.accent]), x: inner.x, y: inner.y)
        input.render(into: &buffer, area: Rect(x: inner.x + 2, y: inner.y, width: inner.width - 2, height: 1),
                     style: theme[.input], focused: context.focused && editing && !context.popupOpen,
                     placeholder: context.session.map { "Search \($0.channelTitle) (\"in quotes\": the exact phrase)" } ?? AskPane.noPack,
                     placeholderStyle: theme[.placeholder])
        buffer.put(String(repeating: "─", count: inner.width), x: inner.x, y: inner.y + 1, style: theme[.border])
        let status: StyledLine
        if searching, listsNewest {
            status = StyledLine("\(total) moments for \(query)" + (total == Self.limit ? " (the best \(Self.limit))" : "")
                                + " · \(Spinner.frame(context.tick)) reading the rest…", style: theme[.dim])
        } else if searching {
            status = StyledLine("\(Spinner.frame(context.tick)) searching for \(query)…", style: theme[.dim])
        } else if let error {
            status = StyledLine(error, style: theme[.error])
        } else if query.isEmpty {
            status = StyledLine(editing ? "Every moment of the channel that matches: Enter searches; then Enter opens a hit, n/N step through them."
                                : "\(Self.bindings.first { $0.description.hasPrefix("a fresh search") }?.keysText ?? "/") types a search of the whole channel.",
                                style: theme[.dim])
        } else {
            status = StyledLine(hits.isEmpty ? "No moment matches \(query)." : "\(hits.count) moments for \(query)"
                                + (hits.count == Self.limit ? " (the best \(Self.limit))" : "")
                                + (notes.isEmpty ? "" : " · " + notes.joined(separator: "; ")), style: theme[.dim])
        }
        buffer.draw(status.truncated(to: inner.width), x: inner.x, y: inner.y + 2, maxWidth: inner.width)
        let list = Self.listArea(inner)
        guard !hits.isEmpty, items.count == hits.count else { return }
        ItemRows.draw(count: items.count, selected: min(selection, hits.count - 1), highlighted: !editing, first: firstVisible(list),
                      rowsPerItem: Self.rowsPerItem, in: list, theme: theme, into: &buffer) { i, base in
            let item = items[i]
            var title = StyledLine("\(i + 1). ", style: theme[.citation].over(base))
            title.append(item.title, style: base.with(bold: true))
            title.append("  " + item.span, style: theme[.timestamp].over(base))
            var snippet = StyledLine()
            for run in item.snippet { snippet.append(run.text, style: run.highlighted ? theme[.highlight] : theme[.dim].over(base)) }
            return [ItemRows.Line(text: title), ItemRows.Line(text: snippet, indent: 4)]
        }
    }
}
