import Foundation
import PackKit
import TUI

extension ChannelExplorer {
    /// The picker: type to filter, ↑/↓ to choose, Enter to open (a typed path that lists nothing opens that path).
    func pickerKey(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        let visible = model.picker.visible
        switch key {
        case .escape:
            if !model.picker.filter.isEmpty { model.picker.filter = TextField(); model.picker.selection = 0; return [] }
            if model.session != nil { model.showPicker = false; return [] }
            return requestQuit(&model)
        case .down: model.picker.selection = min(max(0, visible.count - 1), model.picker.selection + 1)
        case .up: model.picker.selection = max(0, model.picker.selection - 1)
        case .pageDown: model.picker.selection = min(max(0, visible.count - 1), model.picker.selection + 5)
        case .pageUp: model.picker.selection = max(0, model.picker.selection - 5)
        case .enter:
            let typed = model.picker.filter.value.trimmingCharacters(in: .whitespaces)
            let looksLikePath = typed.contains("/") || typed.hasSuffix(".pack")
            if !typed.isEmpty && (visible.isEmpty || looksLikePath && FileManager.default.fileExists(atPath: (typed as NSString).expandingTildeInPath)) {
                return openPack(typed, &model)
            }
            guard !visible.isEmpty else { return [] }
            let entry = visible[min(model.picker.selection, visible.count - 1)]
            return openPack(entry.path, &model)
        case .character("?") where model.picker.filter.isEmpty:
            model.overlay = .help
        default:
            if model.picker.filter.handle(key) { model.picker.selection = 0 }
        }
        return []
    }
}

/// The pack picker: every pack found, with its channel, counts, model and date; bad packs show their error.
enum PickerView {
    /// The first pack on screen (the view and mouse clicks agree on it).
    static func firstVisible(_ model: ExplorerModel, list: Rect) -> Int {
        let visible = model.picker.visible
        return ListState.visibleOffset(selected: min(model.picker.selection, max(0, visible.count - 1)), offset: 0,
                                       count: visible.count, visibleHeight: max(1, list.height), heights: { _ in 2 })
    }

    static func draw(_ model: ExplorerModel, _ layout: ExplorerLayout, _ buffer: inout CellBuffer) {
        let frame = layout.main
        let theme = model.theme
        let picker = model.picker
        let inner = Block(title: "Open a pack", focused: true, theme: theme,
                          rightTitle: "type to filter or a path · Enter opens · Esc").render(into: &buffer, area: frame)
        guard inner.height > 4 else { return }
        buffer.draw(StyledLine("filter ❯ ", style: theme[.accent]), x: inner.x, y: inner.y)
        picker.filter.render(into: &buffer, area: Rect(x: inner.x + 9, y: inner.y, width: inner.width - 9, height: 1), style: theme[.input],
                             focused: model.overlay == nil, placeholder: "channel or path (e.g. ~/packs/talks.pack)", placeholderStyle: theme[.placeholder])
        if let opening = picker.opening {
            let seconds = Date().timeIntervalSince1970 - opening.since
            let line = StyledLine("\(Spinner.frame(model.tickCount)) opening \(opening.path) … \(String(format: "%.1f", seconds)) s", style: theme[.accent])
            buffer.draw(line.truncated(to: inner.width), x: inner.x, y: inner.y + 1, maxWidth: inner.width)
        }
        let list = layout.pickerList
        let visible = picker.visible
        guard !visible.isEmpty else {
            let text = picker.loading ? "\(Spinner.frame(model.tickCount)) looking for packs…"
                : picker.filter.isEmpty ? "No packs found. Type the path of a .pack file or an unpacked pack folder and press Enter."
                : "Nothing matches; Enter opens '\(picker.filter.value)' as a path."
            buffer.draw(StyledLine(text, style: theme[.dim]).wrapped(width: list.width), in: list)
            return
        }
        let selected = min(picker.selection, visible.count - 1)
        let first = firstVisible(model, list: list)
        var y = list.y
        for index in first..<visible.count {
            guard y + 1 < list.maxY + 1, y < list.maxY else { break }
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
                let second = entry.error.map { StyledLine("  ✗ " + $0, style: theme[.error].over(base)) }
                    ?? StyledLine("  " + entry.path + "  (\(entry.origin))", style: theme[.dim].over(base))
                buffer.draw(second.truncated(to: list.width), x: list.x, y: y + 1, maxWidth: list.width)
            }
            y += 2
        }
    }
}
