import Foundation
import TUI

/// What surrounds the panes: the tab bar, the status bar, and the note when the terminal is too small.
enum Chrome {
    static func tooSmall(_ buffer: inout CellBuffer, theme: Theme) {
        let quit = GlobalBindings.everywhere.first { $0.command == "quit" }?.keys.first?.name ?? ""
        let lines = ["terminal too small",
                     "\(buffer.width)×\(buffer.height): ytce needs at least \(ExplorerLayout.minimumWidth)×\(ExplorerLayout.minimumHeight)",
                     "enlarge the window, or \(quit) to quit"]
        let top = max(0, buffer.height / 2 - 1)
        for (i, line) in lines.enumerated() where top + i < buffer.height {
            buffer.draw(StyledLine(line, style: i == 0 ? theme[.warning] : theme[.dim]),
                        in: Rect(x: 0, y: top + i, width: buffer.width, height: 1), alignment: .center)
        }
    }

    static func tabBar(_ model: ExplorerModel, _ layout: ExplorerLayout, _ buffer: inout CellBuffer) {
        let theme = model.theme
        buffer.fill(layout.tabBar, style: theme[.statusBar])
        buffer.put(" ytce ", x: 0, y: 0, style: theme[.statusBarAccent])
        let tabs = layout.tabs(titles: PaneList.tabs.map { $0.title })
        if !model.showPicker {
            for (pane, label, range) in tabs {
                buffer.put(label, x: range.lowerBound, y: 0, style: pane == model.focus ? theme[.selection] : theme[.statusBar])
            }
        }
        if let title = model.session?.channelTitle {
            let end = tabs.last?.2.upperBound ?? 0
            let room = layout.width - end - 2
            if room > 4 {
                let line = StyledLine(title, style: theme[.statusBar]).truncated(to: room)
                buffer.draw(line, in: Rect(x: end + 1, y: 0, width: layout.width - end - 2, height: 1), alignment: .right)
            }
        }
    }

    /// The status bar's hints, from the bindings: help, and the messages while an error shows.
    static let hints = " " + GlobalBindings.all.filter { $0.hint == "help" }.map(\.help).hintLine + " "
    static let errorHints = " " + GlobalBindings.all.filter { $0.hint == "messages" || $0.hint == "help" }.reversed().map(\.help).hintLine + " "

    static func statusBar(_ model: ExplorerModel, _ layout: ExplorerLayout, _ buffer: inout CellBuffer) {
        let theme = model.theme
        let bar = layout.statusBar
        buffer.fill(bar, style: theme[.statusBar])
        var line = StyledLine()
        if let session = model.session {
            line.append(" \((session.path as NSString).lastPathComponent) ", style: theme[.statusBarAccent])
            line.append(" \(model.backendLabel) · \(session.retrieval.label) ", style: theme[.statusBar])
            let scope = model.panes[AskPane.self].scope
            if !scope.isAll { line.append("│ scope: \(scope.summary) ", style: theme[.statusBarAccent]) }
        } else {
            line.append(" no pack ", style: theme[.statusBarAccent])
        }
        if model.jobs.loaded { line.append("│ jobs \(model.jobs.openCount) open \(model.jobs.doneCount) done ", style: theme[.statusBar]) }
        if model.panes[AskPane.self].running != nil {
            let cancel = AskPane.bindings.first { $0.hint == "cancels" }.map { " (\($0.keysText) cancels)" } ?? ""
            line.append("│ \(Spinner.frame(model.tick)) answering\(cancel) ", style: theme[.statusBar])
        }
        if let error = model.status.error {
            line.append("│ ", style: theme[.statusBar])
            line.append(error, style: theme[.error].with(background: theme[.statusBar].background))
        } else if let notice = model.status.notice {
            line.append("│ \(notice)", style: theme[.statusBar])
        }
        // The hints: help, and while an error shows (it may not fit), where to read it in full.
        let hint = model.status.error != nil ? errorHints : hints
        let room = bar.width - DisplayWidth.of(hint)
        buffer.draw(line.truncated(to: room), x: 0, y: bar.y, maxWidth: room)
        buffer.put(hint, x: bar.maxX - DisplayWidth.of(hint), y: bar.y, style: theme[.statusBarAccent])
    }
}
