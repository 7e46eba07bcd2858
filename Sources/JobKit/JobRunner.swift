import Foundation
import HTTPKit
import PackKit

/// Sends transcripts to RunPod and follows them until their summaries are safe. Everything it learns goes to
/// the store first, so any process can stop at any moment and another one resumes (`resume` marks submissions
/// a dead process left half-done; `pollDue` picks up every open job).
///
/// Polling: each job is asked about every `pollInterval` seconds, counted from when its poll was due (not from
/// when the answer came), so intervals stay on target however many jobs are open; all polls of an endpoint share
/// a token bucket well under RunPod's rate limit. A network error, a 5xx or a 429 never fails a job: its next poll
/// backs off (doubling, with jitter, up to a minute, or what `Retry-After` says). A job still unfinished at its
/// deadline (the maximum wait) is given up, with what to do next.
///
/// Submitting: `/run` is never sent twice for a job unless RunPod surely does not have it. An answer that says the
/// request was refused (a 429 rate limit, a 503) or a connection that was never made leaves the job
/// `waiting_to_submit`: it is sent again after `Retry-After` (with jitter). Only an answer that never came back
/// leaves it `submission_unknown`, for the user to decide.
///
/// Runners share a store through leases (see `JobStore`): a job is claimed before it is polled, sent or delivered,
/// so however many runners poll one store, each summary is delivered once.
public final class JobRunner: @unchecked Sendable {
    public let store: JobStore
    public let client: RunPodClient
    public let settings: JobSettings
    let sinks: SummarySinks
    /// Who holds this runner's leases in the store: unique per runner.
    public let leaseOwner = "\(getpid())-\(UUID().uuidString.prefix(8))"
    /// How long a claim lasts unless released or renewed (a runner that dies loses its claims at once when the
    /// store can tell its process is gone, else when they expire).
    public var leaseSeconds = 120.0
    private let limiter = RateLimiter()
    private let lock = NSLock()
    // Consecutive transient failures per job (guarded by `lock`); reset by a good answer.
    private var failures: [Int64: Int] = [:]
    /// How many polls run at once.
    public var concurrency = 16
    public var onEvent: @Sendable (JobEvent) -> Void = { _ in }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(store: JobStore, client: RunPodClient, settings: JobSettings,
                s3: @escaping @Sendable () throws(S3Error) -> S3Client = { () throws(S3Error) in try S3Client.fromEnvironment() }) {
        self.store = store
        self.client = client
        self.settings = settings
        self.sinks = SummarySinks(store: store, s3: s3)
    }

    public static func now() -> Double { Date().timeIntervalSince1970 }

    // MARK: submitting

    /// The prompt for a whole transcript or one part of it.
    func prompt(for text: String, part: (index: Int, count: Int)? = nil) -> String {
        var body = text
        if let part {
            body = "(This is part \(part.index + 1) of \(part.count) of a longer transcript; summarise this part.)\n\n" + text
        }
        return settings.promptTemplate.replacingOccurrences(of: "{transcript}", with: body)
    }

    static let combineTemplate = """
        The following are summaries of consecutive parts of one video transcript, in order. Combine them into one \
        comprehensive summary of the whole video, about 4000 words long, without repeating yourself; keep every \
        topic, argument, example and conclusion, in the order they come, with headings for the main parts.

        {parts}
        """

    /// Tokens of transcript one prompt may carry: the context minus the answer and the template.
    var transcriptBudget: Int {
        max(1_000, settings.contextTokens - settings.maxNewTokens - (settings.promptTemplate.utf8.count + 3) / 4 - 100)
    }

    /// Records and sends a summarisation job for `transcript`. One longer than the model's context becomes a
    /// parent job whose parts are summarised separately, then combined by one more job.
    @discardableResult
    public func submit(_ transcript: TranscriptText, source: String, outputs: JobOutputs) async throws(Problem) -> Job {
        let parts = transcript.parts(maxTokens: transcriptBudget)
        do {
            if parts.count == 1 {
                let job = try store.create(source: source, name: transcript.name, role: .single, endpoint: client.endpointURL,
                                           prompt: prompt(for: transcript.text), outputs: outputs, maxWait: settings.maxWait)
                return await send(job, patient: true)
            }
            let parent = try store.create(source: source, name: transcript.name, role: .parent, endpoint: client.endpointURL,
                                          prompt: "", outputs: outputs, maxWait: settings.maxWait, state: .waitingForParts)
            try store.setState(parent.id, .waitingForParts, detail: "summarising \(parts.count) parts, then combining them")
            onEvent(.submitted(try store.job(parent.id)))
            for (i, text) in parts.enumerated() {
                let part = try store.create(source: source, name: "\(transcript.name).part\(i + 1)", role: .part, parentID: parent.id,
                                            partIndex: i, endpoint: client.endpointURL,
                                            prompt: prompt(for: text, part: (i, parts.count)), outputs: JobOutputs(), maxWait: settings.maxWait)
                _ = await send(part, patient: true)
            }
            return try store.job(parent.id)
        } catch {
            throw Problem(description: error.description)
        }
    }

    /// Sends a recorded job's `/run` and records the answer. RunPod refusing it (or no connection) leaves it
    /// `waiting_to_submit` until `Retry-After` has passed; a `patient` sender (a submission the user is waiting
    /// for) then sends it again itself, else a poller does when it is due. An answer that never came back leaves
    /// the job `submission_unknown` (never silently sent twice); a request refused for good (a bad body, the key)
    /// leaves it `failed`.
    func send(_ job: Job, patient: Bool) async -> Job {
        var attempt = 0
        sending: while true {
            attempt += 1
            let prompt = (try? store.prompt(job.id)) ?? ""
            do {
                let (id, status) = try await client.submit(prompt: prompt, settings: settings)
                let now = Self.now()
                try store.submitted(job.id, runpodID: id, state: Self.state(status), nextPollAt: now + settings.pollInterval,
                                    endpoint: client.endpointURL, now: now)
            } catch let error as RunPodError where error.wasRefused && error.isTransient {
                let now = Self.now()
                let delay = Self.resubmissionDelay(after: error, attempt: attempt)
                let deadline = (try? store.job(job.id).deadline) ?? job.deadline
                guard now + delay <= deadline else {
                    try? store.setState(job.id, .failed, detail: "never submitted: RunPod refused it until the maximum wait (\(error.message)); `ytce jobs retry \(job.id)` sends it again")
                    break sending
                }
                // A patient sender keeps the job for itself while it waits; otherwise any runner may send it when due.
                try? store.waitToSubmit(job.id, detail: "RunPod did not take it (\(error.message)); sending again in \(RunPodClient.seconds(delay.rounded(.up)))",
                                        sendAt: now + delay, owner: leaseOwner, leaseUntil: now + delay + (patient ? leaseSeconds : 0))
                emitChanged(job.id)
                guard patient else { break sending }
                do { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) } catch { break sending }  // a poller sends it later
                // Nil when it changed meanwhile (cancelled by the user, or sent by another runner after our lease).
                guard (try? store.beginResubmission(job.id, owner: leaseOwner)) == true else { break sending }
                continue sending
            } catch let error as RunPodError where error.wasRefused {
                try? store.setState(job.id, .failed, detail: error.message)
            } catch let error as RunPodError {
                try? store.setState(job.id, .submissionUnknown, detail: "\(error.message); RunPod may or may not have the job: retry it to send it again (it may then run twice), or cancel it")
            } catch {
                try? store.setState(job.id, .failed, detail: "\(error)")
            }
            break sending
        }
        let updated = (try? store.job(job.id)) ?? job
        onEvent(.submitted(updated))
        return updated
    }

    /// How long to wait before sending a refused `/run` again: what `Retry-After` asks (else 1, 2, 4… s up to a
    /// minute), plus up to a fifth more at random, so that refused senders do not all come back at once.
    static func resubmissionDelay(after error: RunPodError, attempt: Int) -> Double {
        let backoff = min(60, pow(2, Double(min(max(attempt, 1), 8) - 1)))
        let base = min(max(error.retryAfter ?? backoff, 0), 86_400)
        return base + Double.random(in: 0...max(0.1, base * 0.2))
    }

    static func state(_ status: RunPodStatus) -> JobState {
        switch status {
        case .inQueue: .queued
        case .inProgress: .inProgress
        case .completed: .inProgress  // the output comes with the next poll
        case .failed: .failed
        case .cancelled: .cancelled
        case .timedOut: .timedOut
        }
    }

    // MARK: polling

    /// Picks up what a stopped process left: submissions it was sending become `submission_unknown`, summaries
    /// saved but never written to an output are delivered, and map-reduce parents whose parts all finished move on.
    public func resume() async throws(Problem) {
        do {
            try store.markOrphanedSubmissions()
            await deliverAbandoned()
            for parent in try store.waitingParents() { await advance(parent: parent.id) }
        } catch {
            throw Problem(description: error.description)
        }
    }

    /// Set when a summary was left for its pack: `pollDue` then attaches the round's summaries together.
    /// (Guarded by `abandonedCheck`.)
    private var packAttachmentsWaiting = false

    private let abandonedCheck = NSLock()
    // When `pollDue` last looked for summaries left undelivered (guarded by `abandonedCheck`).
    private var lastAbandonedCheck = 0.0

    /// Delivers summaries that a runner saved but did not write to every output (it stopped, or its lease ran out):
    /// each output not tried yet. Outputs that failed are left for `deliver(_:)`.
    func deliverAbandoned() async {
        abandonedCheck.withLock { lastAbandonedCheck = Self.now() }
        guard let jobs = try? store.claimUndelivered(owner: leaseOwner, leaseSeconds: leaseSeconds) else { return }
        for job in jobs {
            if let summary = try? store.summary(job.id) {
                let tried = Set(((try? store.deliveries(job.id)) ?? []).map(\.sink))
                await deliver(job, summary: summary, sinks: SummarySinks.sinks(of: job).subtracting(tried))
            }
            try? store.release(job.id, owner: leaseOwner)
        }
        await attachPendingToPacks()
    }

    /// Attaches the summaries this runner left for their packs since it last did.
    private func attachIfWaiting() async {
        if abandonedCheck.withLock({ () -> Bool in defer { packAttachmentsWaiting = false }; return packAttachmentsWaiting }) {
            await attachPendingToPacks()
        }
    }

    /// Polls every job that is due and not claimed by another runner (at most `concurrency` at once), and sends
    /// those waiting to be submitted again; returns how many it handled.
    @discardableResult
    public func pollDue(now: Double = JobRunner.now()) async -> Int {
        if abandonedCheck.withLock({ Self.now() - lastAbandonedCheck >= 5 }) { await deliverAbandoned() }
        guard let due = try? store.claimDue(owner: leaseOwner, dueBy: now, leaseSeconds: leaseSeconds), !due.isEmpty else {
            await attachIfWaiting()
            return 0
        }
        for job in due where job.state == .waitingToSubmit {
            if (try? store.beginResubmission(job.id, owner: leaseOwner)) == true { _ = await send(job, patient: false) }
        }
        let polls = due.filter { $0.state != .waitingToSubmit }
        guard !polls.isEmpty else {
            await attachIfWaiting()
            return due.count
        }
        // The round runs on the RunPod client's transfer thread: each answer then resumes its poll there, without
        // the thread hops that were most of the poller's CPU at a hundred polls a second. Delivering a summary
        // (files, packs, S3) leaves that thread (see `poll`).
        let routine = await withTaskExecutorPreference(client.http.executor) { await self.pollRound(polls) }
        // Store writes can wait on another process's lock: never on the transfer thread.
        try? store.polled(routine, owner: leaseOwner)
        await attachIfWaiting()
        return due.count
    }

    private func pollRound(_ due: [Job]) async -> [JobStore.RoutinePoll] {
        // Polls that only move a job's next poll are written together, in one transaction per round.
        var routine: [JobStore.RoutinePoll] = []
        await withTaskGroup(of: JobStore.RoutinePoll?.self) { group in
            var running = 0
            for job in due {
                if running == concurrency {
                    if let done = await group.next(), let done { routine.append(done) }
                    running -= 1
                }
                group.addTask { await self.poll(job) }
                running += 1
            }
            for await done in group { if let done { routine.append(done) } }
        }
        return routine
    }

    /// Runs store writes, events and deliveries off the transfer thread: they may block (another process holding
    /// the database lock, a paused stderr reader, file and S3 writes), and that thread serves every transfer.
    private func offTransferThread(_ body: @Sendable () async -> Void) async {
        await withTaskExecutorPreference(globalConcurrentExecutor) { await body() }
    }

    /// Seconds until the next job is due that a runner could claim (nil when none is open).
    public func secondsUntilNextPoll(now: Double = JobRunner.now()) -> Double? {
        guard let next = try? store.nextPollTime() else { return nil }
        return max(0, next - now)
    }

    /// Polling loops start rounds at least this many seconds apart: each round has a fixed cost (queries, a
    /// transaction, thread hops) that jobs due a little apart then share, instead of one round per job.
    public static let roundSpacing = 0.1
    /// A round also takes the jobs due within this many seconds, so that with `roundSpacing` a poll goes at most
    /// about this early or late. Neither moves its job's schedule (the next poll is counted from the due time).
    public static let roundLookahead = 0.05

    /// How long a polling loop sleeps before its next round, given the seconds until the next poll is due
    /// (nil: none) and the longest it may sleep (to see a stop request).
    public static func pause(untilNextPoll wait: Double?, atMost limit: Double) -> Double {
        guard let wait else { return limit }
        return max(roundSpacing, min(wait - roundLookahead, limit))
    }

    /// Polls until no job is open or `shouldStop` says so.
    public func run(shouldStop: @Sendable () -> Bool = { false }) async {
        while !shouldStop(), !Task.isCancelled {
            await pollDue(now: Self.now() + Self.roundLookahead)
            guard let wait = secondsUntilNextPoll() else { return }
            // Sleep in short steps so a stop request is seen quickly.
            try? await Task.sleep(nanoseconds: UInt64(Self.pause(untilNextPoll: wait, atMost: 0.25) * 1e9))
        }
    }

    /// When the next poll of a job is due after a good answer: on its schedule (its due time plus the interval),
    /// unless polling fell behind, with ±2% jitter so jobs submitted together drift apart.
    /// `throttledAt`: when a poll the rate limiter held back finally went. Its schedule then restarts from there,
    /// so jobs bunched beyond the limit (a batch submitted at once) spread out after one round instead of meeting
    /// the limiter every round.
    /// A poll that went out more than 10% of the interval late for another reason (its round started late, waiting on
    /// throttled polls) restarts from then too: keeping its schedule would shorten its next interval as much.
    func nextPoll(after job: Job, now: Double, throttledAt: Double? = nil) -> Double {
        let due = job.nextPollAt ?? now
        let restart = throttledAt ?? (now - due > settings.pollInterval * 0.1 ? now : nil)
        let scheduled = max(due, restart ?? due) + settings.pollInterval
        let base = scheduled > now ? scheduled : now + settings.pollInterval
        return base + settings.pollInterval * Double.random(in: -0.02...0.02)
    }

    /// Asks RunPod about one job and records the answer, except a routine one (still queued or running, as
    /// before), which it returns for `pollDue` to write with the others of its round.
    func poll(_ job: Job) async -> JobStore.RoutinePoll? {
        guard let runpodID = job.runpodID else { return nil }
        let now = Self.now()
        if now >= job.deadline {
            let waited = Int((now - (job.submittedAt ?? job.createdAt)).rounded())
            await offTransferThread {
                try? self.store.setState(job.id, .gaveUp, detail: "still \(job.state == .queued ? "queued" : "running") after \(waited) s, the maximum wait; it may still finish on RunPod: `ytce jobs retry \(job.id)` waits again")
                self.failParent(of: job, detail: "part \((job.partIndex ?? 0) + 1) was given up")
                self.emitChanged(job.id)
                try? self.store.release(job.id, owner: self.leaseOwner)
            }
            return nil
        }
        let throttledAt = await limiter.acquire() > 0 ? Self.now() : nil
        let answer: RunPodJobState
        do {
            answer = try await client(for: job).status(id: runpodID)
        } catch {
            await offTransferThread {
                self.record(error, of: job, now: now)
                try? self.store.release(job.id, owner: self.leaseOwner)
            }
            return nil
        }
        lock.withLock { failures[job.id] = nil }
        if answer.status == .inQueue || answer.status == .inProgress {
            let state: JobState = answer.status == .inQueue ? .queued : .inProgress
            let next = nextPoll(after: job, now: now, throttledAt: throttledAt)
            // The common case: nothing changed but the next poll time, written with the round.
            if state == job.state && job.detail.isEmpty { return JobStore.RoutinePoll(id: job.id, nextPollAt: next) }
        }
        await offTransferThread {
            await self.record(answer, of: job, now: now, throttledAt: throttledAt)
            try? self.store.release(job.id, owner: self.leaseOwner)
        }
        return nil
    }

    /// Records an answer that changes something: a new state, a summary (then delivered), a failure.
    private func record(_ answer: RunPodJobState, of job: Job, now: Double, throttledAt: Double?) async {
        do {
            switch answer.status {
            case .inQueue, .inProgress:
                let state: JobState = answer.status == .inQueue ? .queued : .inProgress
                try store.polled(job.id, state: state, detail: "", nextPollAt: nextPoll(after: job, now: now, throttledAt: throttledAt))
                emitChanged(job.id)
            case .completed:
                // False when another runner completed it first: that one delivers it.
                guard try store.complete(job.id, summary: answer.output ?? "", owner: leaseOwner, leaseSeconds: leaseSeconds) else { return }
                await finished(try store.job(job.id), summary: answer.output ?? "")
            case .failed, .cancelled, .timedOut:
                let detail = answer.error ?? (answer.status == .timedOut ? "the job ran past its execution timeout" : "")
                try store.polled(job.id, state: Self.state(answer.status), detail: detail, nextPollAt: nil)
                failParent(of: job, detail: "part \((job.partIndex ?? 0) + 1) \(answer.status.rawValue.lowercased()): \(detail)")
                emitChanged(job.id)
            }
        } catch {
            try? store.polled(job.id, state: job.state, detail: "\(error)", nextPollAt: now + settings.pollInterval)
        }
    }

    /// Records a failed poll: lost (404) ends the job; anything else backs off and asks again, never fatal.
    private func record(_ error: any Error, of job: Job, now: Double) {
        if let error = error as? RunPodError, error.kind == .lost {
            try? store.polled(job.id, state: .lost, detail: error.message, nextPollAt: nil)
            failParent(of: job, detail: "part \((job.partIndex ?? 0) + 1) was lost")
            emitChanged(job.id)
        } else if let error = error as? RunPodError {
            let count = lock.withLock { () -> Int in failures[job.id, default: 0] += 1; return failures[job.id] ?? 1 }
            var delay = min(60, settings.pollInterval * pow(2, Double(count - 1))) * Double.random(in: 0.8...1.2)
            if let retryAfter = error.retryAfter { delay = max(delay, retryAfter) }
            try? store.polled(job.id, state: job.state, detail: "last poll failed (\(error.message)); asking again in \(Int(delay.rounded())) s",
                              nextPollAt: now + delay)
            emitChanged(job.id)
        } else {
            try? store.polled(job.id, state: job.state, detail: "\(error)", nextPollAt: now + settings.pollInterval)
        }
    }

    private func emitChanged(_ id: Int64) {
        if let job = try? store.job(id) { onEvent(.changed(job)) }
    }

    private func failParent(of job: Job, detail: String) {
        guard job.role == .part || job.role == .combine, let parentID = job.parentID else { return }
        try? store.setState(parentID, .failed, detail: detail)
        emitChanged(parentID)
    }

    /// A job's summary is saved: deliver it, and move its map-reduce parent on.
    func finished(_ job: Job, summary: String) async {
        onEvent(.completed(job))
        switch job.role {
        case .single, .parent:
            await deliver(job, summary: summary, sinks: SummarySinks.sinks(of: job))
        case .part:
            if let parentID = job.parentID { await advance(parent: parentID) }
        case .combine:
            guard let parentID = job.parentID else { return }
            await complete(parent: parentID, summary: summary)
        }
    }

    /// Completes a map-reduce parent with the combined summary and delivers it (once, whoever gets there first).
    private func complete(parent parentID: Int64, summary: String) async {
        guard (try? store.complete(parentID, summary: summary, owner: leaseOwner, leaseSeconds: leaseSeconds)) == true,
              let parent = try? store.job(parentID) else { return }
        await finished(parent, summary: summary)
        try? store.release(parentID, owner: leaseOwner)
    }

    /// Writes the summary to `sinks` of the job's outputs, renewing the job's lease before each; stops when the
    /// lease was lost (another runner then delivers what is left).
    private func deliver(_ job: Job, summary: String, sinks wanted: Set<String>) async {
        // The pack output is written in batches (`attachPendingToPacks`), after the round that completed the job.
        if wanted.contains("pack") { abandonedCheck.withLock { packAttachmentsWaiting = true } }
        for sink in SummarySinks.order where wanted.contains(sink) && sink != "pack" {
            guard (try? store.renew(job.id, owner: leaseOwner, leaseSeconds: leaseSeconds)) == true else { return }
            guard let result = await sinks.deliver(job, summary: summary, to: sink) else { continue }
            onEvent(.delivered((try? store.job(job.id)) ?? job, sink: result.sink, location: result.location, error: result.error))
        }
    }

    /// Once every part of a map-reduce parent is summarised, sends the job that combines them (once); once that
    /// one is done too, completes the parent.
    func advance(parent parentID: Int64) async {
        guard let parts = try? store.parts(of: parentID) else { return }
        if let combine = parts.first(where: { $0.role == .combine }) {
            if combine.state == .completed, let summary = try? store.summary(combine.id) {
                await complete(parent: parentID, summary: summary)
            }
            return
        }
        let pieces = parts.filter { $0.role == .part }
        guard pieces.allSatisfy({ $0.state == .completed }), let parent = try? store.job(parentID), parent.state == .waitingForParts else { return }
        let texts = pieces.map { (try? store.summary($0.id)) ?? "" }
        let body = texts.enumerated().map { "Part \($0.offset + 1):\n\($0.element)" }.joined(separator: "\n\n")
        // Nil when another poll (or process) created it first.
        guard let combine = try? store.create(source: parent.source, name: "\(parent.name).combined", role: .combine,
                                              parentID: parentID, partIndex: pieces.count, endpoint: client.endpointURL,
                                              prompt: Self.combineTemplate.replacingOccurrences(of: "{parts}", with: body),
                                              outputs: JobOutputs(), maxWait: settings.maxWait, unlessParentHas: .combine) else { return }
        try? store.setState(parentID, .waitingForParts, detail: "all \(pieces.count) parts summarised; combining them")
        _ = await send(combine, patient: false)
    }

    // MARK: user actions

    /// Writes a completed job's summary again to every output it has not reached (after a failed delivery);
    /// returns what happened at each (nothing when all were reached). The summary itself never leaves the store.
    @discardableResult
    public func deliver(_ id: Int64) async throws(Problem) -> [JobDelivery] {
        do {
            guard let job = try store.claim(id, owner: leaseOwner, leaseSeconds: leaseSeconds) else {
                throw Problem(description: "job \(id) is being handled by another ytce process right now; try again in a moment")
            }
            defer { try? store.release(id, owner: leaseOwner) }
            guard job.state == .completed, job.role == .single || job.role == .parent, let summary = try store.summary(id) else {
                throw Problem(description: "job \(id) is \(job.state.rawValue)\(job.role == .single || job.role == .parent ? "" : " (a part of job \(job.parentID ?? 0))"): it has no summary to deliver")
            }
            let reached = Set(try store.deliveries(id).filter(\.succeeded).map(\.sink))
            let wanted = SummarySinks.sinks(of: job).subtracting(reached)
            await deliver(job, summary: summary, sinks: wanted.subtracting(["pack"]))
            if wanted.contains("pack"), let pack = job.outputs.packPath { _ = await attach([(job, summary)], to: pack) }
            return try store.deliveries(id).filter { !reached.contains($0.sink) }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "\(error)")
        }
    }

    /// Cancels a job on RunPod (and its parts) and records it.
    public func cancel(_ id: Int64) async throws(Problem) {
        do {
            let targets = try cancelTargets(id)
            let job = try store.job(id)
            for target in targets {
                if let runpodID = target.runpodID, target.isOpen { _ = try? await client(for: target).cancel(id: runpodID) }
                try store.setState(target.id, .cancelled, detail: "cancelled by the user")
            }
            if job.role == .parent { try store.setState(id, .cancelled, detail: "cancelled by the user") }
        } catch {
            throw Problem(description: error.description)
        }
    }

    /// Where to ask about a job RunPod has: the endpoint it was sent to, which the store records (the configured
    /// endpoint may have changed since; RunPod's job ids mean nothing at another endpoint). New submissions go to the
    /// configured one.
    func client(for job: Job) -> RunPodClient {
        job.endpoint.isEmpty || job.endpoint == client.endpointURL ? client : client.at(endpoint: job.endpoint)
    }

    /// What cancelling job `id` touches: the job, or a parent's open parts.
    func cancelTargets(_ id: Int64) throws(JobStore.Problem) -> [Job] {
        let job = try store.job(id)
        return job.role == .parent ? try store.parts(of: id).filter { $0.isOpen } : [job]
    }

    /// Whether cancelling job `id` asks RunPod to stop something: false when nothing of it was ever sent (waiting
    /// to be submitted, or lost before it), which is cancelled here alone, with no endpoint or key.
    public func cancelReachesRunPod(_ id: Int64) throws(Problem) -> Bool {
        do { return try cancelTargets(id).contains { $0.isOpen && $0.runpodID != nil } } catch { throw Problem(description: error.description) }
    }

    /// Tries again: RunPod's `/retry` for a FAILED or TIMED_OUT job, a fresh `/run` for an unknown or lost
    /// submission, and another wait for one given up.
    public func retry(_ id: Int64) async throws(Problem) -> Job {
        do {
            let job = try store.job(id)
            let now = Self.now()
            try store.setDeadline(id, now + settings.maxWait)
            switch job.state {
            case .failed, .timedOut:
                if let runpodID = job.runpodID {
                    let status = try await client(for: job).retry(id: runpodID)
                    try store.setState(id, Self.state(status), detail: "retried on RunPod", nextPollAt: now + settings.pollInterval)
                } else {
                    try store.beginSubmission(id)
                    return await send(try store.job(id), patient: true)
                }
            case .gaveUp:
                try store.setState(id, .inProgress, detail: "waiting again", nextPollAt: now)
            case .submissionUnknown, .lost, .cancelled:
                try store.beginSubmission(id)
                return await send(try store.job(id), patient: true)
            case .waitingToSubmit:
                throw Problem(description: "job \(id) is waiting to be submitted again (\(job.detail)): it is sent by itself")
            default:
                throw Problem(description: "job \(id) is \(job.state.rawValue): only failed, timed out, lost, cancelled, given-up or unknown submissions can be retried")
            }
            return try store.job(id)
        } catch let problem as Problem {
            throw problem
        } catch let error as RunPodError {
            throw Problem(description: error.message)
        } catch {
            throw Problem(description: "\(error)")
        }
    }
}
