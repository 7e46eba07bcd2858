import Foundation
import JobKit
import PackKit
import TUI

/// ytce's terminal front end as an Elm-style program that composes panes: `update` routes input and messages to
/// the popup, the app's own keys or the pane that has the keyboard, and carries out what panes ask for; `view`
/// draws the chrome (tab bar, status bar) around the panes' own views. Nothing here touches the terminal or a file.
public struct ChannelExplorer: Program, Sendable {
    public typealias Model = ExplorerModel
    public typealias Msg = ExplorerMsg
    typealias Fx = Effect<ExplorerMsg>

    public let context: ExplorerContext

    public init(context: ExplorerContext) { self.context = context }

    public func message(for event: InputEvent) -> ExplorerMsg { .input(event) }

    /// The work to start with: list packs, open the one named on the command line, follow the jobs, tick.
    public func start(_ model: inout ExplorerModel) -> [Effect<ExplorerMsg>] {
        var effects: [Fx] = [PickerPane.list(context), .every(0.25, id: "ticks") { .tick(now: Date().timeIntervalSince1970) }]
        if let first = context.packPaths.first {
            model.picker.started(opening: first, at: model.now)
            effects.append(AppEffects.openPack(first, orElse: nil, context))
        }
        if let jobs = context.jobs {
            effects.append(JobEffects.refresh(jobs, every: context.jobsRefreshInterval))
            if jobs.runner != nil { effects.append(JobEffects.poller(jobs)) }
        }
        for pane in PaneList.tabs { effects += pane.startEffects(context) }
        return effects
    }

    public func update(_ model: inout ExplorerModel, _ message: ExplorerMsg) -> [Effect<ExplorerMsg>] {
        var effects: [Fx] = []
        switch message {
        case .input(.resize(let width, let height)):
            model.width = width
            model.height = height
        case .input(.key(let key)):
            handleKey(key, &model, &effects)
        case .input(.mouse(let event)):
            handleMouse(event, &model, &effects)
        case .tick(let now):
            model.now = now
            model.tick += 1
        case .pane(let id, let payload):
            withPane(id, &model, &effects) { pane, call in pane.deliver(payload, &call) }
        case .packOpened(let path, let result):
            packOpened(path, result, &model, &effects)
        case .jobsLoaded(let list):
            for job in model.jobs.update(list) {
                if let failed = job.failedDeliveries.first {
                    post(.error, "job \(job.id) (\(job.name)): summary kept but not saved to \(failed.sink): \(failed.error ?? "")", &model, &effects)
                    continue
                }
                post(.notice, job.state == .completed ? "job \(job.id) (\(job.name)) completed: summary saved"
                     : "job \(job.id) (\(job.name)) \(job.state.rawValue.replacingOccurrences(of: "_", with: " ")): \(job.detail)",
                     &model, &effects)
                // Its runner put the summary into the open pack: show it without reopening.
                if job.state == .completed, let pack = job.outputs.packPath, pack == model.session?.path, let video = job.outputs.videoID,
                   let jobs = context.jobs {
                    effects.append(JobEffects.attachedSummary(job.id, pack: pack, videoID: video, jobs))
                }
            }
        case .summaryAttached(let pack, let videoID, let text):
            guard pack == model.session?.path else { break }
            withPane(LibraryPane.self, &model, &effects) { pane, _ in pane.summaryAttached(videoID: videoID, text: text) }
            withPane(TranscriptPane.self, &model, &effects) { pane, _ in pane.summaryAttached(videoID: videoID, text: text) }
        case .jobActionFinished(let text, let failed, let wasSubmission):
            if wasSubmission { model.jobs.submitting = max(0, model.jobs.submitting - 1) }
            post(failed ? .error : .notice, text, &model, &effects)
            // Show the change now rather than at the next periodic refresh.
            if let jobs = context.jobs { effects.append(JobEffects.reload(jobs)) }
        case .themeLoaded(.success(let theme), _):
            model.theme = theme
            model.themeVersion += 1
            post(.notice, "theme \(theme.name)", &model, &effects)
        case .themeLoaded(.failure(let error), let keeping):
            // The theme in use is a good one: keep it (at start-up a bad theme falls back to default).
            post(.error, "\(error) (keeping \(keeping))", &model, &effects)
        case .backendChanged(let label, let note):
            model.backendLabel = label
            post(.notice, note, &model, &effects)
        case .compared(let title, let text):
            perform(.popup(.text(TextPopup(title: title, text: text, theme: model.theme))), &model, &effects)
        case .statusExpired(let serial):
            model.status.expire(serial: serial)
        case .notice(let text):
            post(.notice, text, &model, &effects)
        case .failure(let text):
            post(.error, text, &model, &effects)
        }
        relayout(&model, &effects)
        return effects
    }

    // MARK: View

    public func view(_ model: ExplorerModel, into buffer: inout CellBuffer) {
        let theme = model.theme
        buffer.fill(buffer.area, style: theme[.text])
        let layout = ExplorerLayout(width: buffer.width, height: buffer.height, focus: model.focus, panes: model.panes.ids)
        if layout.isTooSmall {
            Chrome.tooSmall(&buffer, theme: theme)
            return
        }
        Chrome.tabBar(model, layout, &buffer)
        if model.showPicker {
            model.picker.view(paneContext(PickerPane.id, model, frame: layout.main), into: &buffer)
        } else {
            for (id, frame) in layout.frames {
                model.panes[id]?.view(paneContext(id, model, frame: frame), into: &buffer)
            }
        }
        Chrome.statusBar(model, layout, &buffer)
        if let popup = model.popup {
            popup.view(PopupContext(theme: theme, screen: buffer.area), into: &buffer)
        }
    }

    // MARK: The status line

    func post(_ kind: StatusMessage.Kind, _ text: String, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        let serial = model.status.post(kind, text, at: model.now)
        effects.append(.after(StatusState.seconds(kind), id: "status-expiry") { .statusExpired(serial: serial) })
    }

    // MARK: Calling panes

    /// What a pane reads for a call: the shared state, its frame and whether it has the keyboard.
    func paneContext(_ id: PaneID, _ model: ExplorerModel, frame: Rect? = nil) -> PaneContext {
        let frame = frame ?? (id == PickerPane.id ? model.layout.main : model.layout.frame(of: id))
        return PaneContext(theme: model.theme, session: model.session, services: context, jobs: model.jobs, now: model.now,
                           tick: model.tick, focused: id == model.keyboardOwner, frame: frame, popupOpen: model.popup != nil)
    }

    /// Calls the pane `id` (or the picker) in place, then runs the effects and carries out the requests it made.
    func withPane(_ id: PaneID, _ model: inout ExplorerModel, _ effects: inout [Fx], key: Key? = nil, argument: String = "",
                  _ body: (inout any Pane, inout PaneCall) -> Void) {
        var call = PaneCall(context: paneContext(id, model), key: key, argument: argument)
        if id == PickerPane.id {
            var pane: any Pane = model.picker
            body(&pane, &call)
            if let picker = pane as? PickerPane { model.picker = picker }
        } else if model.panes.with(id, { body(&$0, &call) }) == nil {
            return
        }
        finish(call, &model, &effects)
    }

    /// Calls a pane by its type (the app's wiring between panes).
    func withPane<P: Pane>(_ type: P.Type, _ model: inout ExplorerModel, _ effects: inout [Fx], _ body: (inout P, inout PaneCall) -> Void) {
        var call = PaneCall(context: paneContext(P.id, model))
        if P.id == PickerPane.id, var pane = model.picker as? P {
            body(&pane, &call)
            if let back = pane as? PickerPane { model.picker = back }
        } else {
            body(&model.panes[P.self], &call)
        }
        finish(call, &model, &effects)
    }

    private func finish(_ call: PaneCall, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        effects += call.effects
        for request in call.requests { perform(request, &model, &effects) }
    }

    /// Tells every pane (and the picker).
    func broadcast(_ event: AppEvent, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        for id in [PickerPane.id] + model.panes.ids {
            withPane(id, &model, &effects) { pane, call in pane.receive(event, &call) }
        }
    }

    /// Gives the panes on screen their frames again when the size, the focus, the picker or the theme changed, so
    /// they redo their measured layout (wrapped rows) there and not on every frame.
    func relayout(_ model: inout ExplorerModel, _ effects: inout [Fx]) {
        let key = [model.width, model.height, model.showPicker ? 1 : 0, model.panes.ids.firstIndex(of: model.focus) ?? -1, model.themeVersion]
        guard key != model.laidOut else { return }
        model.laidOut = key
        let on = model.showPicker ? [PickerPane.id] : model.layout.frames.map(\.0)
        for id in on { withPane(id, &model, &effects) { pane, call in pane.receive(.layout, &call) } }
        if var popup = model.popup {
            popup.layout(popupContext(model))
            model.popup = popup
        }
    }

    func focus(_ id: PaneID, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        guard model.panes.contains(id) else { return }
        model.focus = id
        relayout(&model, &effects)
        withPane(id, &model, &effects) { pane, call in pane.receive(.focused, &call) }
    }

    // MARK: Keys

    func handleKey(_ key: Key, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        // An error on show has been seen once the user acts; the messages popup keeps it.
        model.status.dismissError()
        if var popup = model.popup {
            var call = PopupCall(context: popupContext(model), key: key)
            popup.handleKey(key, &call)
            model.popup = popup
            for request in call.requests { perform(request, &model, &effects) }
            return
        }
        let typing = model.typing
        if runGlobal(GlobalBindings.everywhere, key, &model, &effects) { return }
        if !typing.editing || typing.empty, runGlobal(GlobalBindings.onEmptyLine, key, &model, &effects) { return }
        if !typing.editing, runGlobal(GlobalBindings.outsideText, key, &model, &effects) { return }
        withPane(model.keyboardOwner, &model, &effects, key: key) { pane, call in
            if !pane.handleKey(key, &call), pane.isEditingText { pane.edit(key, &call) }
        }
    }

    private func runGlobal(_ bindings: [GlobalBindings.AppBinding], _ key: Key, _ model: inout ExplorerModel, _ effects: inout [Fx]) -> Bool {
        guard let binding = bindings.binding(for: key, in: model) else { return false }
        var call = AppCall(key: key, argument: "")
        binding.action(&model, &call)
        for request in call.requests { perform(request, &model, &effects) }
        return true
    }

    /// Runs a palette line: one of the app's commands, else one of the focused pane's. A time alone jumps there in
    /// the transcript viewer.
    func runCommand(_ line: String, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        var text = line.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return }
        if parseTimestamp(text) != nil {
            guard model.focus == TranscriptPane.id, !model.showPicker else {
                post(.error, "\(text): a time jumps in the transcript viewer; open a transcript first", &model, &effects)
                return
            }
            text = "jump " + text
        }
        let parts = text.split(separator: " ", maxSplits: 1)
        let name = String(parts[0]).lowercased()
        let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        if let binding = GlobalBindings.all.binding(command: name), binding.isActive(model) {
            var call = AppCall(key: nil, argument: argument)
            binding.action(&model, &call)
            for request in call.requests { perform(request, &model, &effects) }
            return
        }
        var ran = false
        if !model.showPicker {
            withPane(model.focus, &model, &effects, argument: argument) { pane, call in ran = pane.runCommand(name, &call) }
            // The conversation's commands (:scope, :new, :export) work from every pane: `:scope transcript` is typed
            // where the transcript is.
            if !ran, model.focus != AskPane.id {
                withPane(AskPane.id, &model, &effects, argument: argument) { pane, call in ran = pane.runCommand(name, &call) }
            }
        }
        if !ran {
            let names = KeyReference.commands(for: model).compactMap(\.command)
            post(.error, "unknown command '\(name)': try " + names.joined(separator: ", "), &model, &effects)
        }
    }

    // MARK: Mouse

    func handleMouse(_ event: MouseEvent, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        if event.button == .left { model.status.dismissError() }
        guard model.popup == nil else {
            if event.button == .left { model.popup = nil }
            return
        }
        let layout = model.layout
        if event.y == 0, event.button == .left, !model.showPicker,
           let tab = layout.tabs(titles: PaneList.tabs.map { $0.title }).first(where: { $0.2.contains(event.x) }) {
            focus(tab.0, &model, &effects)
            return
        }
        let target = model.showPicker ? PickerPane.id : layout.pane(atX: event.x, y: event.y) ?? model.focus
        switch event.button {
        case .left:
            if target != model.keyboardOwner { focus(target, &model, &effects); return }
            withPane(target, &model, &effects) { pane, call in pane.click(x: event.x, y: event.y, &call) }
        case .wheelUp, .wheelDown:
            let rows = event.button == .wheelUp ? -3 : 3
            withPane(target, &model, &effects) { pane, call in pane.scroll(by: rows, &call) }
        default:
            break
        }
    }

    // MARK: Requests

    func perform(_ request: AppRequest, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        switch request {
        case .notify(let text): post(.notice, text, &model, &effects)
        case .fail(let text): post(.error, text, &model, &effects)
        case .focus(let id): focus(id, &model, &effects)
        case .cycleFocus(let step):
            let ids = model.panes.ids
            guard let i = ids.firstIndex(of: model.focus), !ids.isEmpty else { return }
            focus(ids[((i + step) % ids.count + ids.count) % ids.count], &model, &effects)
        case .openTranscript(let videoID, let segments, let jumpMs):
            guard model.session != nil else { return }
            focus(TranscriptPane.id, &model, &effects)
            withPane(TranscriptPane.self, &model, &effects) { pane, call in pane.open(videoID, segments: segments, jumpMs: jumpMs, &call) }
        case .searchTranscript(let query):
            focus(TranscriptPane.id, &model, &effects)
            withPane(TranscriptPane.self, &model, &effects) { pane, call in pane.search(query, &call) }
        case .compare(let pack, let question):
            guard let session = model.session else { post(.error, "open a pack first", &model, &effects); return }
            guard let question = question ?? model.panes[AskPane.self].entries.last?.question else {
                post(.error, "compare PACK [QUESTION]: ask a question first, or give one after the pack", &model, &effects)
                return
            }
            post(.notice, "asking \(session.channelTitle) and \(pack): \(question)…", &model, &effects)
            effects.append(AppEffects.compare(question, session: session, pack: pack, context))
        case .copy(let text):
            effects.append(.writeTerminal(Clipboard.copy(text)))
            post(.notice, "copied \(text.count) characters", &model, &effects)
        case .pin(let pin):
            withPane(BriefPane.self, &model, &effects) { pane, call in pane.pin(pin, &call) }
        case .conversationStarted:
            guard let session = model.session else { return }
            withPane(BriefPane.self, &model, &effects) { pane, call in pane.load(session.conversation, &call) }
        case .scopeQuestions(let scope):
            focus(AskPane.id, &model, &effects)
            withPane(AskPane.self, &model, &effects) { pane, call in pane.limit(to: scope, &call) }
        case .scopeToTranscript:
            guard let video = model.panes[TranscriptPane.self].transcript?.videoID else {
                post(.error, "scope transcript: no transcript is open (Enter on a citation or a video opens one)", &model, &effects)
                return
            }
            perform(.scopeQuestions(AskScope(videoIDs: [video])), &model, &effects)
        case .answerFinished(let entry):
            broadcast(.answerFinished(entry), &model, &effects)
        case .browseCitations(let entry):
            withPane(CitationsPane.self, &model, &effects) { pane, _ in pane.show(entry) }
        case .submitVideo(let video):
            submitVideo(video, &model, &effects)
        case .submitFile(let path):
            submitFile(path, &model, &effects)
        case .popup(var popup):
            popup.layout(popupContext(model))
            model.popup = popup
        case .closePopup:
            model.popup = nil
        case .help:
            let owner = model.showPicker ? PickerPane.title : model.panes[model.focus].map { type(of: $0).title } ?? ""
            let width = 80
            let lines = KeyReference.lines(KeyReference.help(for: model), theme: model.theme, width: min(model.width - 4, width) - 2)
            perform(.popup(.text(TextPopup(title: "Keys · \(owner)", lines: lines, width: width))), &model, &effects)
        case .palette:
            let placeholder = model.focus == TranscriptPane.id && !model.showPicker ? "a command, or a time like 12:30" : "a command"
            perform(.popup(.palette(PalettePopup(commands: KeyReference.commands(for: model), placeholder: placeholder))), &model, &effects)
        case .messages:
            perform(.popup(.text(TextPopup(title: "Messages · newest first", lines: messageLines(model)))), &model, &effects)
        case .showPicker:
            model.showPicker = true
            withPane(PickerPane.self, &model, &effects) { pane, call in pane.reopen(&call) }
        case .hidePicker:
            if model.session != nil { model.showPicker = false }
        case .openPack(let path, let orElse):
            model.picker.started(opening: path, at: model.now)
            effects.append(AppEffects.openPack(path, orElse: orElse, context))
        case .runCommand(let line):
            runCommand(line, &model, &effects)
        case .stepMatch(let forward):
            var stepped = false
            if !model.showPicker { withPane(model.focus, &model, &effects) { pane, call in stepped = pane.step(match: forward, &call) } }
            // A transcript opened from a search hit goes on through the search's hits.
            if !stepped, !model.showPicker, model.focus == TranscriptPane.id,
               model.panes[SearchPane.self].isShown(model.panes[TranscriptPane.self].highlighted) {
                let shown = model.panes[TranscriptPane.self].highlighted
                withPane(SearchPane.self, &model, &effects) { pane, call in pane.walk(forward ? 1 : -1, transcriptShows: shown, &call) }
                stepped = true
            }
            if !stepped { perform(.stepCitation(forward ? 1 : -1), &model, &effects) }
        case .stepCitation(let step):
            let shown = model.focus == TranscriptPane.id ? model.panes[TranscriptPane.self].highlighted : nil
            guard let (index, source) = model.panes[CitationsPane.self].walk(step, transcriptShows: shown) else {
                post(.error, "no citations yet: ask a question first", &model, &effects)
                return
            }
            post(.notice, "citation [\(index + 1)/\(model.panes[CitationsPane.self].sources.count)] \(source.citation)", &model, &effects)
            perform(.openTranscript(videoID: source.citation.videoID, segments: source.segmentIDs, jumpMs: source.citation.startMs), &model, &effects)
        case .setTheme(let name):
            effects.append(name.map { AppEffects.loadTheme($0, keeping: model.theme.name, context.paths) } ?? AppEffects.listThemes(context.paths))
        case .setBackend(let argument):
            setBackend(argument, &model, &effects)
        case .quit:
            // Quitting while a submission is being sent could leave it unknown: ask first.
            if model.jobs.submitting > 0 { perform(.popup(.quit(QuitPopup())), &model, &effects) } else { effects.append(.quit) }
        case .quitNow:
            effects.append(.quit)
        }
    }

    func popupContext(_ model: ExplorerModel) -> PopupContext {
        PopupContext(theme: model.theme, screen: Rect(x: 0, y: 0, width: model.width, height: model.height))
    }

    /// The messages popup's lines: the recent notices and errors, newest first, in full.
    func messageLines(_ model: ExplorerModel) -> [StyledLine] {
        let theme = model.theme, base = theme[.overlay]
        guard !model.status.log.isEmpty else { return [StyledLine("No messages yet.", style: theme[.dim].over(base))] }
        let clock = DateFormatter()
        clock.dateFormat = "HH:mm:ss"
        return model.status.log.reversed().map { message in
            var line = StyledLine(clock.string(from: Date(timeIntervalSince1970: message.at)) + "  ", style: theme[.dim].over(base))
            line.append(message.kind == .error ? "error: " + message.text : message.text,
                        style: (message.kind == .error ? theme[.error] : theme[.text]).over(base))
            return line
        }
    }

    // MARK: Packs, jobs, the answerer

    func packOpened(_ path: String, _ result: Result<PackSession, ExplorerError>, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        switch result {
        case .failure(let error):
            model.picker.failed(path, error.description)
            model.showPicker = true
            post(.error, error.description, &model, &effects)
        case .success(let session):
            model.picker.opened()
            model.session = session
            model.backendLabel = session.backendLabel
            model.showPicker = false
            model.focus = PaneList.tabs[0].id
            broadcast(.packOpened(session), &model, &effects)
            model.laidOut = nil
            // How questions are matched shows in the status bar, and why (a missing model) under each answer.
            let notes = session.notes.filter { $0 != session.retrieval.reason }
            post(.notice, "opened \(session.channelTitle): \(session.counts.videos) videos, \(session.counts.chunks) chunks"
                 + (notes.isEmpty ? "" : " · " + notes.joined(separator: "; ")), &model, &effects)
        }
    }

    func submitVideo(_ video: String?, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        let shown = model.panes[TranscriptPane.self].transcript?.videoID
        guard let videoID = video ?? shown, !videoID.isEmpty else {
            post(.error, "summarize VIDEO: name a video, or open its transcript first", &model, &effects)
            return
        }
        guard let jobs = context.jobs, let session = model.session else {
            post(.error, context.jobsProblem ?? "no pack open", &model, &effects)
            return
        }
        guard jobs.runner != nil else { post(.error, jobs.unavailable ?? "RunPod is not configured", &model, &effects); return }
        model.jobs.submitting += 1
        post(.notice, "submitting \(videoID) for summarization…", &model, &effects)
        effects.append(JobEffects.submit(video: videoID, session: session, jobs))
    }

    func submitFile(_ path: String?, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        guard let path else {
            perform(.popup(.prompt(PromptPopup(title: "Transcript file to summarise (txt, srt, vtt, sbv, json)", command: "submit"))),
                    &model, &effects)
            return
        }
        guard let jobs = context.jobs else { post(.error, context.jobsProblem ?? "the job store is not available", &model, &effects); return }
        guard jobs.runner != nil else { post(.error, jobs.unavailable ?? "RunPod is not configured", &model, &effects); return }
        model.jobs.submitting += 1
        post(.notice, "submitting \(path)…", &model, &effects)
        effects.append(JobEffects.submit(file: path, jobs))
    }

    func setBackend(_ argument: String, _ model: inout ExplorerModel, _ effects: inout [Fx]) {
        guard let session = model.session else { post(.error, "open a pack first", &model, &effects); return }
        switch argument.lowercased() {
        case "":
            post(.notice, "answers: \(model.backendLabel)"
                 + (session.hasModel ? " (configured: \(session.modelLabel))" : " (no llm block in the config)"), &model, &effects)
        case "offline", "extractive": effects.append(AppEffects.useModel(false, session))
        case "model", "llm", "on": effects.append(AppEffects.useModel(true, session))
        default: post(.error, "backend \(argument): use 'offline' or 'model'", &model, &effects)
        }
    }
}
