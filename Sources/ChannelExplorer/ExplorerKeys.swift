import Foundation
import JobKit
import PackKit
import TUI

/// Keyboard and mouse: overlays first, then the keys that work everywhere, then the focused pane's own.
extension ChannelExplorer {
    func handleKey(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        // An error on show has been seen once the user acts; the messages popup keeps it.
        model.status.dismissError()
        if model.overlay != nil { return overlayKey(key, &model) }
        if key == .control("c") || key == .control("q") { return requestQuit(&model) }
        if key == .function(1) { model.overlay = .help; return [] }
        if model.showPicker { return pickerKey(key, &model) }
        let typing = model.focus == .ask && model.ask.editing
        switch key {
        case .tab: model.focus = model.focus.next; return focusChanged(&model)
        case .backTab: model.focus = model.focus.previous; return focusChanged(&model)
        case .alt(let c) where ("1"..."5").contains(c):
            model.focus = Int(String(c)).flatMap { Pane(rawValue: $0 - 1) } ?? .ask
            return focusChanged(&model)
        case .control("o"): return showPicker(&model)
        case .control("n"): return jumpCitation(+1, &model)
        case .control("p") where !typing: return jumpCitation(-1, &model)
        default: break
        }
        if !typing || model.ask.input.value.isEmpty {
            switch key {
            case .character("?"): model.overlay = .help; return []
            case .character(":"):
                model.overlay = .palette(TextField())
                return []
            default: break
            }
        }
        if !typing {
            switch key {
            case .character("q"): return requestQuit(&model)
            case .character("!"): model.overlay = .messages(scroll: 0); return []
            case .character("n") where model.focus != .transcript || model.transcript.search.isEmpty: return jumpCitation(+1, &model)
            case .character("N") where model.focus != .transcript || model.transcript.search.isEmpty: return jumpCitation(-1, &model)
            default: break
            }
        }
        switch model.focus {
        case .ask: return askKey(key, &model)
        case .citations: return citationsKey(key, &model)
        case .transcript: return transcriptKey(key, &model)
        case .library: return libraryKey(key, &model)
        case .jobs: return jobsKey(key, &model)
        }
    }

    func focusChanged(_ model: inout ExplorerModel) -> [Fx] {
        if model.focus == .ask { model.ask.editing = true }
        if model.focus == .library, model.library.videos.isEmpty, !model.library.loading, let session = model.session {
            model.library.loading = true
            return [ExplorerEffects.loadVideos(session)]
        }
        return []
    }

    func showPicker(_ model: inout ExplorerModel) -> [Fx] {
        model.showPicker = true
        model.picker.loading = true
        model.picker.filter = TextField()
        model.picker.selection = 0
        return [ExplorerEffects.loadPreviews(context)]
    }

    /// Quits at once unless a job submission is being sent (then asks: quitting could leave it unknown).
    func requestQuit(_ model: inout ExplorerModel) -> [Fx] {
        if model.jobs.submitting > 0 { model.overlay = .confirmQuit; return [] }
        model.quitting = true
        return [.quit]
    }

    /// Moves to the next/previous citation of the current answer and shows it in the transcript viewer.
    func jumpCitation(_ step: Int, _ model: inout ExplorerModel) -> [Fx] {
        guard let sources = model.currentAnswer?.outcome?.sources, !sources.isEmpty else {
            fail("no citations yet: ask a question first", &model)
            return []
        }
        let onCitation = model.focus == .transcript && model.transcript.highlighted == Set(sources[model.citations.selection % sources.count].segmentIDs)
        let next = onCitation ? (model.citations.selection + step + sources.count) % sources.count : min(model.citations.selection, sources.count - 1)
        model.citations.selection = next
        let source = sources[next]
        notify("citation [\(next + 1)/\(sources.count)] \(source.citation)", &model)
        return openTranscript(source.citation.videoID, focus: source.segmentIDs, jumpMs: source.citation.startMs, &model)
    }

    // MARK: overlays

    func overlayKey(_ key: Key, _ model: inout ExplorerModel) -> [Fx] {
        guard let overlay = model.overlay else { return [] }
        switch overlay {
        case .help:
            model.overlay = nil
            return []
        case .confirmQuit:
            if key == .character("y") || key == .character("Y") { model.quitting = true; return [.quit] }
            model.overlay = nil
            return []
        case .document(let title, let text, let scroll):
            let (rows, visible) = PopupView.documentRows(text, screenWidth: model.width, screenHeight: model.height, theme: model.theme)
            guard let next = Self.scrolled(scroll, by: key, rows: rows.count, visible: visible) else { model.overlay = nil; return [] }
            model.overlay = .document(title: title, text: text, scroll: next)
            return []
        case .messages(let scroll):
            let (rows, visible) = PopupView.messageRows(model, screenWidth: model.width, screenHeight: model.height)
            guard let next = Self.scrolled(scroll, by: key, rows: rows.count, visible: visible) else { model.overlay = nil; return [] }
            model.overlay = .messages(scroll: next)
            return []
        case .palette(var field):
            switch key {
            case .escape: model.overlay = nil; return []
            case .enter:
                model.overlay = nil
                return runCommand(field.value, &model)
            case .tab:
                if let completion = PaletteCommands.complete(field.value) { field = TextField(completion) }
                model.overlay = .palette(field)
                return []
            default:
                _ = field.handle(key)
                model.overlay = .palette(field)
                return []
            }
        case .prompt(let title, var field, let action):
            switch key {
            case .escape: model.overlay = nil; return []
            case .enter:
                model.overlay = nil
                return promptAnswered(action, field.value, &model)
            default:
                _ = field.handle(key)
                model.overlay = .prompt(title: title, field: field, action: action)
                return []
            }
        }
    }

    /// A scrollable popup's offset after `key`; nil when the key closes it.
    static func scrolled(_ scroll: Int, by key: Key, rows: Int, visible: Int) -> Int? {
        let last = max(0, rows - visible)
        var next = scroll
        switch key {
        case .escape, .character("q"), .enter: return nil
        case .down, .character("j"): next += 1
        case .up, .character("k"): next -= 1
        case .pageDown, .character(" "): next += visible
        case .pageUp: next -= visible
        case .character("g"), .home: next = 0
        case .character("G"), .end: next = last
        default: break
        }
        return min(max(0, next), last)
    }

    func promptAnswered(_ action: PromptAction, _ text: String, _ model: inout ExplorerModel) -> [Fx] {
        let value = text.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return [] }
        switch action {
        case .submitFile: return submitFile(value, &model)
        case .openPack: return openPack(value, &model)
        case .searchTranscript:
            searchTranscript(value, &model)
            return []
        }
    }

    // MARK: mouse

    func handleMouse(_ event: MouseEvent, _ model: inout ExplorerModel) -> [Fx] {
        if event.button == .left { model.status.dismissError() }
        guard model.overlay == nil else {
            if event.button == .left { model.overlay = nil }
            return []
        }
        let layout = ExplorerLayout(width: model.width, height: model.height, focus: model.focus)
        if model.showPicker {
            switch event.button {
            case .wheelUp: model.picker.selection = max(0, model.picker.selection - 1)
            case .wheelDown: model.picker.selection = min(max(0, model.picker.visible.count - 1), model.picker.selection + 1)
            case .left:
                let row = event.y - layout.pickerList.y
                let index = PickerView.firstVisible(model, list: layout.pickerList) + row / 2
                if row >= 0, index < model.picker.visible.count { model.picker.selection = index }
            default: break
            }
            return []
        }
        if event.y == 0, event.button == .left, let pane = layout.tab(atX: event.x) {
            model.focus = pane
            return focusChanged(&model)
        }
        let pane = layout.pane(atX: event.x, y: event.y) ?? model.focus
        switch event.button {
        case .left:
            if pane != model.focus { model.focus = pane; return focusChanged(&model) }
            return clickInPane(event, layout, &model)
        case .wheelUp, .wheelDown:
            let step = event.button == .wheelUp ? -3 : 3
            return scroll(pane, by: step, &model)
        default:
            return []
        }
    }

    func scroll(_ pane: Pane, by step: Int, _ model: inout ExplorerModel) -> [Fx] {
        switch pane {
        case .ask: model.ask.scrollFromBottom = min(max(0, model.ask.scrollFromBottom - step), AskView.maxScroll(model))
        case .citations:
            let n = model.currentAnswer?.outcome?.sources.count ?? 0
            model.citations.selection = max(0, min(n - 1, model.citations.selection + step.signum()))
        case .transcript:
            let count = model.transcript.transcript.map { TranscriptRows($0).count } ?? 0
            model.transcript.top = max(0, min(count - 1, model.transcript.top + step))
            model.transcript.cursor = max(model.transcript.top, model.transcript.cursor)
        case .library: model.library.selection = max(0, min(model.library.videos.count - 1, model.library.selection + step.signum()))
        case .jobs: model.jobs.selection = max(0, min(model.jobs.jobs.count - 1, model.jobs.selection + step.signum()))
        }
        return []
    }

    func clickInPane(_ event: MouseEvent, _ layout: ExplorerLayout, _ model: inout ExplorerModel) -> [Fx] {
        let body = layout.body(for: model.focus)
        let row = event.y - body.y
        switch model.focus {
        case .citations:
            let n = model.currentAnswer?.outcome?.sources.count ?? 0
            let index = CitationsView.firstVisible(model, body) + row / CitationsView.rowsPerItem
            if row >= 0, index < n { model.citations.selection = index }
        case .library:
            let index = LibraryView.firstVisible(model, body) + row
            if row >= 0, index < model.library.videos.count { model.library.selection = index }
        case .jobs:
            let index = JobsView.firstVisible(model, body) + row - JobsView.headerRows
            if row >= JobsView.headerRows, index < model.jobs.jobs.count { model.jobs.selection = index }
        case .ask:
            if event.y >= layout.inputRow { model.ask.editing = true }
        case .transcript:
            break
        }
        return []
    }
}
