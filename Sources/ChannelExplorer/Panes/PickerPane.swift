import Foundation
import PackKit
import TUI

/// A pack the picker lists.
public struct PickerEntry: Sendable, Equatable {
    public var path: String
    public var preview: PackPreview?
    public var error: String?
    /// Where the pack was found: sample, data dir, recent, command line, typed.
    public var origin: String
}

/// The pack picker, over the main screen until a pack is open (and again on Ctrl-O or `:open`): every pack found,
/// with its channel, counts, model and date; a pack that cannot be read shows its error in place. Type to filter,
/// or type a path. Not a tab: the app shows it in place of the panes.
public struct PickerPane: Pane {
    public enum Msg: Sendable {
        case listed([PickerEntry])
    }

    public static let title = "Pack picker"

    public internal(set) var entries: [PickerEntry] = []
    public internal(set) var filter = TextField()
    public internal(set) var selection = 0
    /// The pack being opened, and when the open started (for the progress line).
    public internal(set) var opening: (path: String, since: Double)?
    public internal(set) var loading = true
    /// The entries the filter lets through (worked out when the entries or the filter change).
    public private(set) var visible: [PickerEntry] = []

    public init() {}

    public var isEditingText: Bool { true }
    public var isTextEmpty: Bool { filter.isEmpty }

    public static let bindings: [Binding<PickerPane, PaneCall>] = [
        Binding([.down], "the next pack") { p, _ in p.select(p.selection + 1) },
        Binding([.up], "the previous pack") { p, _ in p.select(p.selection - 1) },
        Binding([.pageDown], "five packs down") { p, _ in p.select(p.selection + 5) },
        Binding([.pageUp], "five packs up") { p, _ in p.select(p.selection - 5) },
        Binding([.enter], "open the pack chosen, or the path typed", hint: "opens") { p, call in
            let typed = p.filter.value.trimmingCharacters(in: .whitespaces)
            let chosen = p.visible.isEmpty ? nil : p.visible[min(p.selection, p.visible.count - 1)].path
            let looksLikePath = typed.contains("/") || typed.hasSuffix(".pack")
            if !typed.isEmpty, chosen == nil || looksLikePath {
                // Whether a typed path exists is for the effect to find out (no I/O here): it opens the path when
                // it names a file, else the pack chosen.
                call.request(.openPack(typed, orElse: chosen))
            } else if let chosen {
                call.request(.openPack(chosen, orElse: nil))
            }
        },
        Binding([.escape], "clear the filter, else back to the open pack (it never quits)", hint: "clears") { p, call in
            if !p.filter.isEmpty {
                p.filter = TextField()
                p.filtered()
            } else if call.context.session != nil {
                call.request(.hidePicker)
            }
        },
    ]

    /// The key that opens, from the bindings.
    static let openKey = bindings.first { $0.hint == "opens" }?.keysText ?? ""

    mutating func select(_ index: Int) {
        selection = min(max(0, index), max(0, visible.count - 1))
    }

    public mutating func edit(_ key: Key, _ call: inout PaneCall) {
        if filter.handle(key) { filtered() }
    }

    /// Applies the filter: every word must be in the channel's title or the path.
    mutating func filtered() {
        selection = 0
        let words = filter.value.lowercased().split(separator: " ")
        visible = words.isEmpty ? entries : entries.filter { entry in
            let hay = "\(entry.preview?.channelTitle ?? "") \(entry.path)".lowercased()
            return words.allSatisfy { hay.contains($0) }
        }
    }

    /// Starts over: the packs are listed again, the filter is cleared.
    mutating func reopen(_ call: inout PaneCall) {
        loading = true
        filter = TextField()
        filtered()
        call.run(Self.list(call.context.services))
    }

    mutating func started(opening path: String, at now: Double) { opening = (path, now) }

    /// A pack failed to open: its error shows in place (a typed path gets an entry of its own).
    mutating func failed(_ path: String, _ error: String) {
        opening = nil
        if let i = entries.firstIndex(where: { $0.path == path }) { entries[i].error = error }
        else { entries.insert(PickerEntry(path: path, preview: nil, error: error, origin: "typed"), at: 0) }
        let keep = selection
        filtered()
        selection = min(keep, max(0, visible.count - 1))
    }

    mutating func opened() { opening = nil }

    public mutating func update(_ message: Msg, _ call: inout PaneCall) {
        switch message {
        case .listed(let list):
            entries = list
            loading = false
            filtered()
        }
    }

    public mutating func click(x: Int, y: Int, _ call: inout PaneCall) {
        let list = Self.list(in: call.context.frame)
        let row = y - list.y
        let index = firstVisible(list) + row / 2
        if row >= 0, index < visible.count { selection = index }
    }

    public mutating func scroll(by rows: Int, _ call: inout PaneCall) { select(selection + rows.signum()) }

    /// Lists the packs: command line, recent, the bundled samples and the data dir's.
    static func list(_ context: ExplorerContext) -> Effect<ExplorerMsg> {
        task("previews") { sink in
            var seen = Set<String>()
            var entries: [PickerEntry] = []
            func add(_ path: String, _ origin: String) {
                let standard = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
                guard seen.insert(standard).inserted else { return }
                do { entries.append(PickerEntry(path: path, preview: try PackPreview.read(path), error: nil, origin: origin)) }
                catch { entries.append(PickerEntry(path: path, preview: nil, error: error.description, origin: origin)) }
            }
            for path in context.packPaths { add(path, "command line") }
            for path in RecentPacks.read(context.paths) where FileManager.default.fileExists(atPath: path) { add(path, "recent") }
            for directory in context.packDirectories {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                for name in names.sorted() where name.hasSuffix(".pack") {
                    add((directory as NSString).appendingPathComponent(name), directory)
                }
            }
            sink.send(.listed(entries))
        }
    }

    // MARK: View

    /// The list: inside the border, under the filter line, the progress line and a blank row.
    static func list(in frame: Rect) -> Rect { Rect(x: frame.x + 1, y: frame.y + 4, width: frame.width - 2, height: frame.height - 5) }

    /// The first pack on screen (the view and mouse clicks agree on it).
    func firstVisible(_ list: Rect) -> Int {
        ListState.visibleOffset(selected: min(selection, max(0, visible.count - 1)), offset: 0,
                                count: visible.count, visibleHeight: max(1, list.height), heights: { _ in 2 })
    }

    public func view(_ context: PaneContext, into buffer: inout CellBuffer) {
        let theme = context.theme
        let inner = Block(title: "Open a pack", focused: true, theme: theme,
                          rightTitle: "type to filter or a path · " + hints).render(into: &buffer, area: context.frame)
        guard inner.height > 4 else { return }
        buffer.draw(StyledLine("filter ❯ ", style: theme[.accent]), x: inner.x, y: inner.y)
        filter.render(into: &buffer, area: Rect(x: inner.x + 9, y: inner.y, width: inner.width - 9, height: 1), style: theme[.input],
                      focused: !context.popupOpen, placeholder: "channel or path (e.g. ~/packs/talks.pack)", placeholderStyle: theme[.placeholder])
        if let opening {
            let seconds = max(0, context.now - opening.since)
            let line = StyledLine("\(Spinner.frame(context.tick)) opening \(opening.path) … \(String(format: "%.1f", seconds)) s", style: theme[.accent])
            buffer.draw(line.truncated(to: inner.width), x: inner.x, y: inner.y + 1, maxWidth: inner.width)
        }
        let list = Self.list(in: context.frame)
        guard !visible.isEmpty else {
            let text = loading ? "\(Spinner.frame(context.tick)) looking for packs…"
                : filter.isEmpty ? "No packs found. Type the path of a .pack file or an unpacked pack folder and press \(Self.openKey)."
                : "Nothing matches; \(Self.openKey) opens '\(filter.value)' as a path."
            buffer.draw(StyledLine(text, style: theme[.dim]).wrapped(width: list.width), in: list)
            return
        }
        let selected = min(selection, visible.count - 1)
        var y = list.y
        for index in firstVisible(list)..<visible.count {
            guard y < list.maxY else { break }
            let entry = visible[index]
            let base = index == selected ? theme[.selection] : theme[.text]
            buffer.fill(Rect(x: list.x, y: y, width: list.width, height: min(2, list.maxY - y)), style: base)
            var title = StyledLine(index == selected ? "▶ " : "  ", style: theme[.accent].over(base))
            if let preview = entry.preview {
                title.append(preview.channelTitle, style: base.with(bold: true))
                let chunks = preview.chunkCount.map { "\($0) chunks" } ?? "no vectors"
                title.append("  \(preview.videoCount) videos · \(chunks) · \(preview.embeddingModelID) · \(preview.createdAt.prefix(10))",
                             style: theme[.dim].over(base))
            } else {
                title.append((entry.path as NSString).lastPathComponent, style: base.with(bold: true))
            }
            buffer.draw(title.truncated(to: list.width), x: list.x, y: y, maxWidth: list.width)
            if y + 1 < list.maxY {
                var second = entry.error.map { StyledLine("  ✗ " + $0, style: theme[.error].over(base)) }
                    ?? StyledLine("  " + entry.path + "  (\(entry.origin))", style: theme[.dim].over(base))
                // The channel overview's opening words (`ytce jobs summarize` made it; the library shows it whole).
                if entry.error == nil, let overview = entry.preview?.channelOverview {
                    let words = overview.split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) } ?? ""
                    second.append("  · " + words.trimmingCharacters(in: .whitespaces), style: theme[.text].over(base))
                }
                buffer.draw(second.truncated(to: list.width), x: list.x, y: y + 1, maxWidth: list.width)
            }
            y += 2
        }
    }
}
