import Foundation
import TUI

extension ChannelExplorer {
    public func view(_ model: ExplorerModel, into buffer: inout CellBuffer) {
        let theme = model.theme
        buffer.fill(buffer.area, style: theme[.text])
        let layout = ExplorerLayout(width: buffer.width, height: buffer.height, focus: model.focus)
        if layout.isTooSmall {
            drawTooSmall(buffer: &buffer, theme: theme)
            return
        }
        drawTabBar(model, layout, &buffer)
        if model.showPicker {
            PickerView.draw(model, layout, &buffer)
        } else {
            for (pane, frame) in layout.frames {
                let focused = pane == model.focus
                switch pane {
                case .ask: AskView.draw(model, frame, focused: focused, &buffer)
                case .citations: CitationsView.draw(model, frame, focused: focused, &buffer)
                case .transcript: TranscriptView.draw(model, frame, focused: focused, &buffer)
                case .library: LibraryView.draw(model, frame, focused: focused, &buffer)
                case .jobs: JobsView.draw(model, frame, focused: focused, &buffer)
                }
            }
        }
        drawStatusBar(model, layout, &buffer)
        if let overlay = model.overlay { PopupView.draw(overlay, model, &buffer) }
    }

    func drawTooSmall(buffer: inout CellBuffer, theme: Theme) {
        let lines = ["terminal too small", "\(buffer.width)×\(buffer.height): ytce needs at least \(ExplorerLayout.minimumWidth)×\(ExplorerLayout.minimumHeight)",
                     "enlarge the window, or Ctrl-C to quit"]
        let top = max(0, buffer.height / 2 - 1)
        for (i, line) in lines.enumerated() where top + i < buffer.height {
            buffer.draw(StyledLine(line, style: i == 0 ? theme[.warning] : theme[.dim]),
                        in: Rect(x: 0, y: top + i, width: buffer.width, height: 1), alignment: .center)
        }
    }

    func drawTabBar(_ model: ExplorerModel, _ layout: ExplorerLayout, _ buffer: inout CellBuffer) {
        let theme = model.theme
        buffer.fill(layout.tabBar, style: theme[.statusBar])
        buffer.put(" ytce ", x: 0, y: 0, style: theme[.statusBarAccent])
        if !model.showPicker {
            for (pane, label, range) in layout.tabs {
                buffer.put(label, x: range.lowerBound, y: 0, style: pane == model.focus ? theme[.selection] : theme[.statusBar])
            }
        }
        if let title = model.session?.channelTitle {
            let end = layout.tabs.last?.2.upperBound ?? 0
            let room = layout.width - end - 2
            if room > 4 {
                let line = StyledLine(title, style: theme[.statusBar]).truncated(to: room)
                buffer.draw(line, in: Rect(x: end + 1, y: 0, width: layout.width - end - 2, height: 1), alignment: .right)
            }
        }
    }

    func drawStatusBar(_ model: ExplorerModel, _ layout: ExplorerLayout, _ buffer: inout CellBuffer) {
        let theme = model.theme
        let bar = layout.statusBar
        buffer.fill(bar, style: theme[.statusBar])
        var line = StyledLine()
        if let session = model.session {
            line.append(" \((session.path as NSString).lastPathComponent) ", style: theme[.statusBarAccent])
            line.append(" \(session.backendLabel) ", style: theme[.statusBar])
        } else {
            line.append(" no pack ", style: theme[.statusBarAccent])
        }
        let open = model.jobs.jobs.filter(\.isOpen).count
        let done = model.jobs.jobs.filter { $0.state == .completed }.count
        if model.jobs.loaded { line.append("│ jobs \(open) open \(done) done ", style: theme[.statusBar]) }
        if model.ask.running != nil {
            line.append("│ \(Spinner.frame(model.tickCount)) answering (Esc cancels) ", style: theme[.statusBar])
        }
        if let error = model.status.error {
            line.append("│ ", style: theme[.statusBar])
            line.append(error, style: theme[.error].with(background: theme[.statusBar].background))
        } else if let notice = model.status.notice {
            line.append("│ \(notice)", style: theme[.statusBar])
        }
        // An error may not fit: say where it can be read in full.
        let hint = model.status.error != nil ? " ! messages · ? help " : " ? help "
        let room = bar.width - DisplayWidth.of(hint)
        buffer.draw(line.truncated(to: room), x: 0, y: bar.y, maxWidth: room)
        buffer.put(hint, x: bar.maxX - DisplayWidth.of(hint), y: bar.y, style: theme[.statusBarAccent])
    }
}
