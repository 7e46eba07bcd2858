import Foundation
import JobKit
import PackKit
import TUI

/// ytce's terminal front end as an Elm-style program: `update` applies a message to the model and names the
/// background work to start; `view` draws the model. Nothing here touches the terminal.
public struct ChannelExplorer: Program, Sendable {
    public typealias Model = ExplorerModel
    public typealias Msg = ExplorerMsg
    typealias Fx = Effect<ExplorerMsg>

    public let context: ExplorerContext

    public init(context: ExplorerContext) { self.context = context }

    public func message(for event: InputEvent) -> ExplorerMsg { .input(event) }

    /// The work to start with: list packs, open the one named on the command line, follow the jobs.
    public func start(_ model: inout ExplorerModel) -> [Effect<ExplorerMsg>] {
        var effects: [Fx] = [ExplorerEffects.loadPreviews(context), ExplorerEffects.ticks(every: 0.25)]
        model.jobsProblem = context.jobsProblem ?? context.jobs?.unavailable
        if let first = context.packPaths.first {
            model.picker.opening = (first, ExplorerEffects.now())
            effects.append(ExplorerEffects.openPack(first, context))
        }
        if let jobs = context.jobs {
            effects.append(ExplorerEffects.refreshJobs(jobs, every: context.jobsRefreshInterval))
            if jobs.runner != nil {
                effects.append(ExplorerEffects.poller(jobs))
                effects.append(ExplorerEffects.health(jobs, every: context.healthInterval))
            }
        }
        return effects
    }

    public func update(_ model: inout ExplorerModel, _ message: ExplorerMsg) -> [Effect<ExplorerMsg>] {
        switch message {
        case .input(.resize(let width, let height)):
            model.width = width
            model.height = height
            return []
        case .input(.key(let key)):
            return handleKey(key, &model)
        case .input(.mouse(let event)):
            return handleMouse(event, &model)
        case .tick:
            model.tickCount += 1
            model.status.expire(now: ExplorerEffects.now())
            return []
        case .previewsLoaded(let entries):
            model.picker.entries = entries
            model.picker.loading = false
            return []
        case .packOpened(let path, let result):
            return packOpened(path, result, &model)
        case .answerDelta(let id, let piece):
            if let i = model.ask.entries.firstIndex(where: { $0.id == id }), model.ask.entries[i].state == .running {
                model.ask.entries[i].text += piece
            }
            return []
        case .answerFinished(let id, let result):
            answerFinished(id, result, &model)
            return []
        case .transcriptLoaded(let result, let focus, let jumpMs):
            transcriptLoaded(result, focus: focus, jumpMs: jumpMs, &model)
            return []
        case .videosLoaded(let result):
            model.library.loading = false
            switch result {
            case .success(let videos): model.library.videos = videos
            case .failure(let error): model.library.error = error.description
            }
            return []
        case .jobsLoaded(let jobs):
            jobsLoaded(jobs, &model)
            return []
        case .healthLoaded(let result):
            switch result {
            case .success(let health): model.jobs.health = health; model.jobs.healthError = nil
            case .failure(let error): model.jobs.healthError = error.description
            }
            return []
        case .jobActionFinished(let text, let failed, let wasSubmission):
            if wasSubmission { model.jobs.submitting = max(0, model.jobs.submitting - 1) }
            if failed { fail(text, &model) } else { notify(text, &model) }
            // Show the change now rather than at the next periodic refresh.
            return context.jobs.map { [ExplorerEffects.reloadJobs($0)] } ?? []
        case .summaryLoaded(let id, let result):
            switch result {
            case .success(let text): model.overlay = .document(title: "Summary of job \(id)", text: text, scroll: 0)
            case .failure(let error): fail(error.description, &model)
            }
            return []
        case .notice(let text):
            notify(text, &model)
            return []
        case .failure(let text):
            fail(text, &model)
            return []
        }
    }

    func notify(_ text: String, _ model: inout ExplorerModel) {
        model.status.post(.notice, text, at: ExplorerEffects.now())
    }

    func fail(_ text: String, _ model: inout ExplorerModel) {
        model.status.post(.error, text, at: ExplorerEffects.now())
    }

    // MARK: packs

    func openPack(_ path: String, _ model: inout ExplorerModel) -> [Fx] {
        model.picker.opening = (path, ExplorerEffects.now())
        return [ExplorerEffects.openPack(path, context)]
    }

    func packOpened(_ path: String, _ result: Result<PackSession, ExplorerError>, _ model: inout ExplorerModel) -> [Fx] {
        model.picker.opening = nil
        switch result {
        case .failure(let error):
            fail(error.description, &model)
            if let i = model.picker.entries.firstIndex(where: { $0.path == path }) { model.picker.entries[i].error = error.description }
            else { model.picker.entries.insert(PickerEntry(path: path, preview: nil, error: error.description, origin: "typed"), at: 0) }
            model.showPicker = true
            return []
        case .success(let session):
            model.session = session
            model.showPicker = false
            model.focus = .ask
            // The old pack's answer and transcript load must not land in the new pack's panes; answer ids go on
            // counting so that a late message of an old answer matches nothing.
            let nextID = model.ask.nextID
            model.ask = AskState()
            model.ask.nextID = nextID
            model.citations = CitationState()
            model.transcript = TranscriptState()
            model.library = LibraryState(loading: true)
            let historyPath = context.paths.questionHistory(channelID: session.manifest.channelID)
            model.ask.history = QuestionHistory.load(from: historyPath, legacyPath: context.paths.legacy(historyPath))
            model.ask.historyPath = historyPath
            notify("opened \(session.channelTitle): \(session.counts.videos) videos, \(session.counts.chunks) chunks"
                   + (session.notes.isEmpty ? "" : " · " + session.notes.joined(separator: "; ")), &model)
            return [.cancel(id: "answer"), .cancel(id: "transcript"), ExplorerEffects.loadVideos(session)]
        }
    }

    // MARK: questions

    func submitQuestion(_ model: inout ExplorerModel) -> [Fx] {
        let question = model.ask.input.value.trimmingCharacters(in: .whitespaces)
        guard !question.isEmpty else { return [] }
        guard let session = model.session else { fail("open a pack first (Ctrl-O)", &model); return [] }
        var effects: [Fx] = []
        if let running = model.ask.running, let i = model.ask.entries.firstIndex(where: { $0.id == running.id }) {
            model.ask.entries[i].state = .cancelled
            effects.append(.cancel(id: "answer"))
        }
        let id = model.ask.nextID
        model.ask.nextID += 1
        model.ask.entries.append(AskEntry(id: id, question: question, startedAt: ExplorerEffects.now()))
        model.ask.input = TextField()
        model.ask.scrollFromBottom = 0
        model.ask.history.add(question)
        model.citations = CitationState()
        if let path = model.ask.historyPath { effects.append(ExplorerEffects.saveHistory(model.ask.history, to: path)) }
        effects.append(ExplorerEffects.ask(question, id: id, session: session))
        return effects
    }

    func cancelAnswer(_ model: inout ExplorerModel) -> [Fx] {
        guard let running = model.ask.running, let i = model.ask.entries.firstIndex(where: { $0.id == running.id }) else { return [] }
        model.ask.entries[i].state = .cancelled
        notify("answer cancelled", &model)
        return [.cancel(id: "answer")]
    }

    func answerFinished(_ id: Int, _ result: Result<AskOutcome, ExplorerError>, _ model: inout ExplorerModel) {
        guard let i = model.ask.entries.firstIndex(where: { $0.id == id }), model.ask.entries[i].state == .running else { return }
        switch result {
        case .success(let outcome):
            model.ask.entries[i].text = outcome.text
            model.ask.entries[i].outcome = outcome
            model.ask.entries[i].highlightTerms = CitationsView.highlightTerms(outcome.question)
            model.ask.entries[i].state = .done
            if i == model.ask.entries.count - 1 { model.ask.scrollFromBottom = AskView.scrollToNewestQuestion(model) }
            if !outcome.invented.isEmpty {
                fail("\(outcome.invented.count) citation(s) point at no evidence (marked \(LLMAnswerer.inventedMark))", &model)
            }
        case .failure(let error):
            model.ask.entries[i].state = .failed(error.description)
            fail(error.description, &model)
        }
    }

    // MARK: transcript

    /// Opens the transcript viewer on a video, at the given segments (highlighted) or time.
    func openTranscript(_ videoID: String, focus: [Int64], jumpMs: Int?, _ model: inout ExplorerModel) -> [Fx] {
        guard let session = model.session else { return [] }
        model.focus = .transcript
        if let shown = model.transcript.transcript, shown.videoID == videoID {
            transcriptLoaded(.success(shown), focus: focus, jumpMs: jumpMs, &model)
            return []
        }
        model.transcript.loading = true
        model.transcript.error = nil
        return [ExplorerEffects.loadTranscript(videoID, session: session, focus: focus, jumpMs: jumpMs)]
    }

    func transcriptLoaded(_ result: Result<VideoTranscript, ExplorerError>, focus: [Int64], jumpMs: Int?, _ model: inout ExplorerModel) {
        model.transcript.loading = false
        switch result {
        case .failure(let error):
            model.transcript.error = error.description
            fail(error.description, &model)
        case .success(let transcript):
            if model.transcript.transcript?.videoID != transcript.videoID {
                model.transcript = TranscriptState(transcript: transcript)
            }
            model.transcript.highlighted = Set(focus)
            let rows = TranscriptRows(transcript)
            var target: Int?
            if let first = focus.first { target = rows.row(ofSegment: first) }
            if target == nil, let jumpMs { target = rows.row(atMs: jumpMs) }
            if let target {
                model.transcript.cursor = target
                model.transcript.top = max(0, target - 3)
            }
        }
    }

    // MARK: jobs

    func jobsLoaded(_ jobs: [Job], _ model: inout ExplorerModel) {
        if model.jobs.loaded {
            for job in jobs {
                let before = model.jobs.lastStates[job.id]
                guard let before, before != job.state, job.state.isFinal else { continue }
                if let failed = job.failedDeliveries.first {
                    model.status.error = "job \(job.id) (\(job.name)): summary kept but not saved to \(failed.sink): \(failed.error ?? "")"
                    continue
                }
                notify(job.state == .completed ? "job \(job.id) (\(job.name)) completed: summary saved"
                                              : "job \(job.id) (\(job.name)) \(job.state.rawValue.replacingOccurrences(of: "_", with: " ")): \(job.detail)", &model)
            }
        }
        model.jobs.jobs = jobs
        model.jobs.lastStates = Dictionary(jobs.map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
        model.jobs.loaded = true
        model.jobs.selection = min(model.jobs.selection, max(0, jobs.count - 1))
    }

    func submitVideo(_ videoID: String, _ model: inout ExplorerModel) -> [Fx] {
        guard let jobs = context.jobs, let session = model.session else { fail(context.jobsProblem ?? "no pack open", &model); return [] }
        guard jobs.runner != nil else { fail(jobs.unavailable ?? "RunPod is not configured", &model); return [] }
        model.jobs.submitting += 1
        notify("submitting \(videoID) for summarization…", &model)
        return [ExplorerEffects.submitVideo(videoID, session: session, jobs)]
    }

    func submitFile(_ path: String, _ model: inout ExplorerModel) -> [Fx] {
        guard let jobs = context.jobs else { fail(context.jobsProblem ?? "the job store is not available", &model); return [] }
        guard jobs.runner != nil else { fail(jobs.unavailable ?? "RunPod is not configured", &model); return [] }
        model.jobs.submitting += 1
        notify("submitting \(path)…", &model)
        return [ExplorerEffects.submitFile(path, jobs)]
    }
}
