import Foundation
import JSONKit

/// A fake RunPod serverless endpoint speaking the queue API on a loopback `HTTPTestServer`:
/// `POST /v2/<endpoint>/run`, `GET|POST /status/<id>`, `POST /cancel/<id>`, `POST /retry/<id>`, `GET /health`.
///
/// - Every call needs `Authorization: Bearer <apiKey>` (or the bare key, as RunPod also accepts); otherwise 401.
/// - Each job follows a `Script`: stages such as IN_QUEUE for 2 polls, IN_PROGRESS for 0.5 s, then COMPLETED with
///   some output. A stage lasts a number of status polls (polls that got an answer) or a time; the last stage
///   holds. Scripts come from `scriptForPrompt`, else `enqueue`d scripts in order, else `defaultScript`.
/// - `policy.ttl` (the job answers 404 once it is that old) and `policy.executionTimeout` (an IN_PROGRESS job
///   turns TIMED_OUT) are honoured, as RunPod does.
/// - Faults on the next calls of a route or of one job's status: 429 with `Retry-After`, 5xx, slow answers, TCP
///   resets, silence; also random faults and a fixed latency per route, and a rate limit per route (a token
///   bucket answering 429 beyond it, as RunPod does).
/// - Counts requests per route and records when each job's status was asked for.
///
/// Job state is computed lazily when asked for, so thousands of jobs cost nothing between polls. The server
/// spends one thread per connection. Call `stop()` when done.
public final class FakeRunPod: @unchecked Sendable {
    /// What a job shows on `/status`.
    public enum State: Sendable, Equatable {
        case inQueue
        case inProgress
        /// In progress, spelled `RUNNING`.
        case running
        /// `output` is the JSON text of the output (see `completed(text:)` for a plain string).
        case completed(output: String)
        /// `error` is the string RunPod sends, e.g. a message, or a JSON-encoded object (see `failed(type:…)`).
        case failed(error: String)
        case timedOut
        case cancelled
        /// Gone: `/status` answers 404 (past its ttl, or 30 minutes after completion).
        case expired

        /// COMPLETED with a JSON string as output.
        public static func completed(text: String) -> State { .completed(output: FakeRunPod.jsonString(text)) }

        /// FAILED the way the RunPod SDK reports a handler's exception: a JSON-encoded object in the `error`
        /// string, with `error_type` (`<class 'Type'>`), `error_message`, `error_traceback`, `hostname`,
        /// `worker_id`, `runpod_version`.
        public static func failed(type: String, message: String,
                                  traceback: String = "Traceback (most recent call last):\n  File \"handler.py\", line 42, in handler\n    raise error\n") -> State {
            let object = "{\"error_type\": " + jsonString("<class '\(type)'>")
                + ", \"error_message\": " + jsonString(message)
                + ", \"error_traceback\": " + jsonString(traceback + "\(type): \(message)\n")
                + ", \"hostname\": \"fake-worker-1\", \"worker_id\": \"fake-worker-1\", \"runpod_version\": \"1.7.9\"}"
            return .failed(error: object)
        }

        /// The `status` string, nil for `expired`.
        public var apiStatus: String? {
            switch self {
            case .inQueue: "IN_QUEUE"
            case .inProgress: "IN_PROGRESS"
            case .running: "RUNNING"
            case .completed: "COMPLETED"
            case .failed: "FAILED"
            case .timedOut: "TIMED_OUT"
            case .cancelled: "CANCELLED"
            case .expired: nil
            }
        }

        public var isFinished: Bool {
            switch self {
            case .inQueue, .inProgress, .running: false
            case .completed, .failed, .timedOut, .cancelled, .expired: true
            }
        }

        var isRunning: Bool { self == .inProgress || self == .running }
    }

    /// How long a stage lasts.
    public enum Duration: Sendable, Equatable {
        /// This many status polls answered with this stage.
        case polls(Int)
        /// This long after the stage began.
        case seconds(Double)
        case forever
    }

    public struct Stage: Sendable, Equatable {
        public var state: State
        public var duration: Duration
        public init(_ state: State, _ duration: Duration) {
            self.state = state
            self.duration = duration
        }
        public static func polls(_ count: Int, _ state: State) -> Stage { Stage(state, .polls(count)) }
        public static func seconds(_ seconds: Double, _ state: State) -> Stage { Stage(state, .seconds(seconds)) }
        public static func forever(_ state: State) -> Stage { Stage(state, .forever) }
    }

    /// A job's life, stage by stage; the last stage holds whatever its duration says.
    public struct Script: Sendable, Equatable {
        public var stages: [Stage]
        public init(_ stages: [Stage]) { self.stages = stages.isEmpty ? [.forever(.inQueue)] : stages }

        /// IN_QUEUE for `queuedPolls` polls, IN_PROGRESS for `runningPolls`, then COMPLETED with `output` (JSON text).
        public static func completing(output: String, queuedPolls: Int = 1, runningPolls: Int = 1) -> Script {
            Script([.polls(queuedPolls, .inQueue), .polls(runningPolls, .inProgress), .forever(.completed(output: output))])
        }
        /// Same, with a JSON string as the output.
        public static func completing(text: String, queuedPolls: Int = 1, runningPolls: Int = 1) -> Script {
            completing(output: jsonString(text), queuedPolls: queuedPolls, runningPolls: runningPolls)
        }
        /// IN_QUEUE for `queuedFor` seconds, IN_PROGRESS for `runningFor`, then COMPLETED, however often polled.
        public static func completing(output: String, queuedFor: Double, runningFor: Double) -> Script {
            Script([.seconds(queuedFor, .inQueue), .seconds(runningFor, .inProgress), .forever(.completed(output: output))])
        }
        public static func completing(text: String, queuedFor: Double, runningFor: Double) -> Script {
            completing(output: jsonString(text), queuedFor: queuedFor, runningFor: runningFor)
        }
        /// IN_QUEUE, IN_PROGRESS, then FAILED with `error` (the string RunPod sends).
        public static func failing(error: String, queuedPolls: Int = 1, runningPolls: Int = 1) -> Script {
            Script([.polls(queuedPolls, .inQueue), .polls(runningPolls, .inProgress), .forever(.failed(error: error))])
        }
        /// IN_QUEUE, IN_PROGRESS, then the given final state (TIMED_OUT, CANCELLED, expired…).
        public static func ending(in state: State, queuedPolls: Int = 1, runningPolls: Int = 1) -> Script {
            Script([.polls(queuedPolls, .inQueue), .polls(runningPolls, .inProgress), .forever(state)])
        }
        /// The same state for ever (e.g. a job stuck IN_QUEUE).
        public static func staying(_ state: State) -> Script { Script([.forever(state)]) }
        /// Unknown from the first poll on (404).
        public static let expired = Script([.forever(.expired)])
    }

    public enum Route: String, Sendable, CaseIterable {
        case run, status, cancel, retry, health
    }

    /// Something to go wrong with a call instead of (or before) its normal answer.
    public enum Fault: Sendable, Equatable {
        /// 429 with `Retry-After: seconds` (none when nil).
        case rateLimited(retryAfter: Int?)
        /// This status (500, 502, 503…) with a small JSON error body.
        case serverError(Int)
        /// The normal answer, after this many seconds (before the status line).
        case slow(Double)
        /// The connection is reset (TCP RST) without an answer.
        case reset
        /// The connection is closed cleanly without an answer.
        case hangUp
        /// No answer at all until the client gives up.
        case silent
    }

    public let server: HTTPTestServer
    public let endpointID: String
    public let apiKey: String
    /// `http://127.0.0.1:PORT/v2/<endpointID>`, what a client is configured with.
    public var endpointURL: String { "\(server.baseURL)/v2/\(endpointID)" }

    private let lock = NSLock()
    private var jobs: [String: Job] = [:]
    private var order: [String] = []
    private var pollTimes: [String: [ContinuousClock.Instant]] = [:]
    private var counts: [Route: Int] = [:]
    private var unauthorized = 0
    private var retriedTotal = 0
    private var scriptQueue: [Script] = []
    private var defaultScriptValue = Script.completing(text: "fake summary")
    private var promptScripts: (@Sendable (String) -> Script?)?
    private var retryScripts: [String: Script] = [:]
    private var routeFaults: [Route: [Fault]] = [:]
    private var jobFaults: [String: [Fault]] = [:]
    private var randomFaults: [Route: (fault: Fault, probability: Double)] = [:]
    private var latencies: [Route: Double] = [:]
    private var limits: [Route: RateLimit] = [:]
    private var refused: [Route: Int] = [:]
    private var workerCount = 3
    private var nextJobNumber = 0
    private var stopped = false

    /// The largest `/run` body accepted (RunPod's limit is 10 MB); larger ones get 413.
    public var maxRunBodyBytes: Int {
        get { locked { maxRunBody } }
        set { locked { maxRunBody = newValue } }
    }
    private var maxRunBody = 10 * 1024 * 1024

    /// A token bucket.
    private struct RateLimit {
        let rate: Double
        let burst: Double
        var tokens: Double
        var updated: ContinuousClock.Instant
        let retryAfter: Int?

        mutating func take(at now: ContinuousClock.Instant) -> Bool {
            let elapsed = now - updated
            tokens = min(burst, tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            updated = now
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }

    private struct Job {
        let id: String
        let number: Int
        var stages: [Stage]
        var index = 0
        var stageStartedAt: ContinuousClock.Instant
        var pollsInStage = 0
        var submittedAt: ContinuousClock.Instant
        var startedAt: ContinuousClock.Instant?
        var finishedAt: ContinuousClock.Instant?
        var body: String
        var prompt: String?
        var executionTimeoutMs: Double?
        var ttlMs: Double?
        var retries = 0
        var cancels = 0

        var state: State { stages[index].state }
    }

    public init(endpointID: String = "fake-endpoint", apiKey: String = "rpa_FAKE0123456789abcdefghijklmnopqrstuvwxyz") throws {
        self.endpointID = endpointID
        self.apiKey = apiKey
        server = try HTTPTestServer()
        server.fallback { [weak self] request in self?.handle(request) }
    }

    deinit { server.stop() }

    /// Stops the server (answers in progress end, slow ones at once).
    public func stop() {
        locked { stopped = true }
        server.stop()
    }

    // MARK: scripting

    /// The script of jobs nothing else scripts (initially: one poll queued, one in progress, then
    /// COMPLETED with the text "fake summary").
    public var defaultScript: Script {
        get { locked { defaultScriptValue } }
        set { locked { defaultScriptValue = newValue } }
    }

    /// The next `/run` calls get these scripts, in order (after them, `defaultScript`).
    public func enqueue(_ scripts: Script...) { enqueue(scripts) }
    public func enqueue(_ scripts: [Script]) { locked { scriptQueue += scripts } }

    /// Chooses a script from the submitted prompt (nil: fall back to the queue, then the default). Runs under
    /// the fake's lock: keep it quick and do not call the fake from it.
    public func scriptForPrompt(_ provider: (@Sendable (String) -> Script?)?) { locked { promptScripts = provider } }

    /// A job that exists without a `/run` (e.g. submitted before a restart). Returns its id.
    @discardableResult
    public func addJob(id: String? = nil, script: Script, prompt: String? = nil) -> String {
        locked { createJob(id: id, script: script, body: "", prompt: prompt, policy: (nil, nil), now: .now) }
    }

    /// Replaces what remains of a job's script: the new one starts now (e.g. make a stuck job complete).
    public func setScript(_ script: Script, for id: String) {
        locked {
            guard var job = jobs[id] else { return }
            job.stages = script.stages
            job.index = 0
            job.pollsInStage = 0
            job.stageStartedAt = .now
            enter(&job, at: .now)
            jobs[id] = job
        }
    }

    /// The script a job follows after `POST /retry` (default: `defaultScript`).
    public func onRetry(of id: String, use script: Script) { locked { retryScripts[id] = script } }

    /// The next `times` calls of `route` (any job) meet `fault` instead of their answer (`slow`: before it).
    public func inject(_ fault: Fault, times: Int = 1, on route: Route) {
        locked { routeFaults[route, default: []] += Array(repeating: fault, count: max(0, times)) }
    }

    /// The next `times` status polls of job `id` meet `fault` (before any route-wide faults).
    public func injectOnStatus(of id: String, _ fault: Fault, times: Int = 1) {
        locked { jobFaults[id, default: []] += Array(repeating: fault, count: max(0, times)) }
    }

    /// Every call of `route` meets `fault` with this probability (0 or nil turns it off).
    public func injectRandomly(_ fault: Fault?, probability: Double, on route: Route) {
        locked { randomFaults[route] = fault.flatMap { probability > 0 ? ($0, min(1, probability)) : nil } }
    }

    /// RunPod's rate limit on `route`: at most `perSecond` calls a second in bursts of at most `burst`; a call
    /// beyond it gets 429 with `Retry-After: retryAfter` (none when nil) and does nothing (a `/run` creates no job).
    /// Nil `perSecond` lifts the limit.
    public func rateLimit(_ route: Route, perSecond: Double?, burst: Int = 1, retryAfter: Int? = 1) {
        locked {
            limits[route] = perSecond.map { RateLimit(rate: $0, burst: Double(max(1, burst)), tokens: Double(max(1, burst)),
                                                      updated: .now, retryAfter: retryAfter) }
        }
    }

    /// Calls of `route` the rate limit refused.
    public func rateLimitedCount(_ route: Route) -> Int { locked { refused[route] ?? 0 } }

    /// Every answer on `route` (all routes when nil) waits this long first.
    public func setLatency(_ seconds: Double, on route: Route? = nil) {
        locked {
            for each in route.map({ [$0] }) ?? Route.allCases { latencies[each] = max(0, seconds) }
        }
    }

    /// Workers `/health` reports (running ones are the jobs in progress, the rest idle).
    public var workers: Int {
        get { locked { workerCount } }
        set { locked { workerCount = max(0, newValue) } }
    }

    // MARK: what happened

    /// Every job created, in order of creation.
    public var jobIDs: [String] { locked { order } }

    /// Requests that reached `route`, whatever the answer (401s and faults included).
    public func requestCount(_ route: Route) -> Int { locked { counts[route] ?? 0 } }

    /// Requests refused for their key.
    public var unauthorizedCount: Int { locked { unauthorized } }

    /// When each status request for job `id` arrived (known job or not, faults included), in order.
    public func statusPolls(of id: String) -> [ContinuousClock.Instant] { locked { pollTimes[id] ?? [] } }

    /// The job's state now (nil when unknown); `expired` past its ttl.
    public func state(of id: String) -> State? {
        locked {
            guard var job = jobs[id] else { return nil }
            let state = current(&job, now: .now)
            jobs[id] = job
            return state
        }
    }

    /// The `/run` body the job was submitted with ("" for `addJob`).
    public func runBody(of id: String) -> String? { locked { jobs[id]?.body } }
    /// `input.prompt` of the job's `/run` body.
    public func prompt(of id: String) -> String? { locked { jobs[id]?.prompt } }
    /// How often `/retry` requeued the job.
    public func retries(of id: String) -> Int { locked { jobs[id]?.retries ?? 0 } }
    /// How often `/cancel` was called for the job.
    public func cancels(of id: String) -> Int { locked { jobs[id]?.cancels ?? 0 } }

    // MARK: serving

    private func handle(_ request: RecordedRequest) -> TestResponse? {
        let path = request.path
        guard path.hasPrefix("/v2/") else { return nil }
        let (route, jobID) = Self.route(of: request, prefix: "/v2/\(endpointID)/")
        let now = ContinuousClock.now
        let isAuthorized = authorized(request)
        let (fault, latency) = locked { () -> (Fault?, Double) in
            if !isAuthorized { unauthorized += 1 }
            guard let route else { return (nil, 0) }
            counts[route, default: 0] += 1
            if route == .status, let jobID { pollTimes[jobID, default: []].append(now) }
            guard isAuthorized else { return (nil, 0) }
            if var limit = limits[route] {
                let allowed = limit.take(at: now)
                limits[route] = limit
                if !allowed {
                    refused[route, default: 0] += 1
                    return (.rateLimited(retryAfter: limit.retryAfter), 0)
                }
            }
            return (takeFault(route: route, jobID: jobID), latencies[route] ?? 0)
        }
        guard isAuthorized else { return Self.json("{\"error\":\"Unauthorized\"}", status: 401) }
        guard let route else {
            return Self.json("{\"error\":\"no such endpoint or route: \(request.method) \(Self.escape(path))\"}", status: 404)
        }
        if latency > 0 { pause(latency) }
        switch fault {
        case .rateLimited(let seconds)?:
            return Self.json("{\"error\":\"rate limit exceeded, slow down\"}", status: 429,
                             headers: seconds.map { [("Retry-After", String($0))] } ?? [])
        case .serverError(let status)?:
            return Self.json("{\"error\":\"internal error, please try again\"}", status: status)
        case .slow(let seconds)?:
            pause(seconds)
        case .reset?:
            server.resetWhenClosing(connection: request.connection)
            return TestResponse(steps: [.close], sendsHead: false)
        case .hangUp?:
            return TestResponse(steps: [.close], sendsHead: false)
        case .silent?:
            return .silent
        case nil:
            break
        }
        if locked({ stopped }) { return TestResponse(steps: [.close], sendsHead: false) }
        switch route {
        case .run: return run(request)
        case .status: return status(jobID!)
        case .cancel: return cancel(jobID!)
        case .retry: return retry(jobID!)
        case .health: return health()
        }
    }

    /// The route and job id of a request under `prefix` (`/v2/<endpoint>/`); nil route when none matches.
    private static func route(of request: RecordedRequest, prefix: String) -> (Route?, String?) {
        guard request.path.hasPrefix(prefix) else { return (nil, nil) }
        let parts = request.path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        switch (request.method.uppercased(), parts.count, parts.first ?? "") {
        case ("POST", 1, "run"): return (.run, nil)
        case ("GET", 1, "health"): return (.health, nil)
        case ("GET", 2, "status"), ("POST", 2, "status"), ("POST", 2, "cancel"), ("POST", 2, "retry"):
            let id = String(parts[1]).removingPercentEncoding ?? String(parts[1])
            guard !id.isEmpty else { return (nil, nil) }
            return (Route(rawValue: String(parts[0])), id)
        default: return (nil, nil)
        }
    }

    private func authorized(_ request: RecordedRequest) -> Bool {
        guard let value = request.header("Authorization")?.trimmingCharacters(in: .whitespaces) else { return false }
        return value == "Bearer \(apiKey)" || value == apiKey
    }

    private func takeFault(route: Route, jobID: String?) -> Fault? {
        if route == .status, let jobID, var queue = jobFaults[jobID], !queue.isEmpty {
            let fault = queue.removeFirst()
            jobFaults[jobID] = queue
            return fault
        }
        if var queue = routeFaults[route], !queue.isEmpty {
            let fault = queue.removeFirst()
            routeFaults[route] = queue
            return fault
        }
        if let random = randomFaults[route], Double.random(in: 0..<1) < random.probability { return random.fault }
        return nil
    }

    private func run(_ request: RecordedRequest) -> TestResponse {
        guard request.body.count <= maxRunBodyBytes else {
            return Self.json("{\"error\":\"request body too large: the limit for /run is \(maxRunBodyBytes) bytes\"}", status: 413)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            return Self.json("{\"error\":\"invalid JSON body\"}", status: 400)
        }
        guard let input = object["input"] as? [String: Any] else {
            return Self.json("{\"error\":\"the body needs an input object\"}", status: 400)
        }
        let prompt = input["prompt"] as? String
        let policy = object["policy"] as? [String: Any]
        let timeout = (policy?["executionTimeout"] as? NSNumber)?.doubleValue
        let ttl = (policy?["ttl"] as? NSNumber)?.doubleValue
        let id = locked { () -> String in
            let script = prompt.flatMap { promptScripts?($0) }
                ?? (scriptQueue.isEmpty ? defaultScriptValue : scriptQueue.removeFirst())
            return createJob(id: nil, script: script, body: request.text, prompt: prompt, policy: (timeout, ttl), now: .now)
        }
        return Self.json("{\"id\":\(Self.jsonString(id)),\"status\":\"IN_QUEUE\"}")
    }

    private func status(_ id: String) -> TestResponse {
        locked {
            guard var job = jobs[id] else { return Self.notFound }
            let state = current(&job, now: .now)
            if state != .expired { job.pollsInStage += 1 }
            jobs[id] = job
            return state == .expired ? Self.notFound : Self.json(statusJSON(job, state))
        }
    }

    private func cancel(_ id: String) -> TestResponse {
        locked {
            guard var job = jobs[id] else { return Self.notFound }
            let now = ContinuousClock.now
            var state = current(&job, now: now)
            guard state != .expired else { return Self.notFound }
            job.cancels += 1
            if !state.isFinished {
                job.stages = [.forever(.cancelled)]
                job.index = 0
                job.pollsInStage = 0
                job.stageStartedAt = now
                job.finishedAt = now
                state = .cancelled
            }
            jobs[id] = job
            return Self.json("{\"id\":\(Self.jsonString(id)),\"status\":\"\(state.apiStatus!)\"}")
        }
    }

    private func retry(_ id: String) -> TestResponse {
        locked {
            guard var job = jobs[id] else { return Self.notFound }
            let now = ContinuousClock.now
            let state = current(&job, now: now)
            guard state != .expired else { return Self.notFound }
            switch state {
            case .failed, .timedOut:
                job.stages = (retryScripts[id] ?? defaultScriptValue).stages
                job.index = 0
                job.pollsInStage = 0
                job.stageStartedAt = now
                job.startedAt = nil
                job.finishedAt = nil
                job.submittedAt = now
                job.retries += 1
                retriedTotal += 1
                enter(&job, at: now)
                jobs[id] = job
                return Self.json("{\"id\":\(Self.jsonString(id)),\"status\":\"IN_QUEUE\"}")
            default:
                jobs[id] = job
                return Self.json("{\"error\":\"job \(Self.escape(id)) is \(state.apiStatus!): only FAILED or TIMED_OUT "
                                 + "jobs can be retried\"}", status: 400)
            }
        }
    }

    private func health() -> TestResponse {
        locked {
            var inQueue = 0, inProgress = 0, completed = 0, failed = 0
            let now = ContinuousClock.now
            for id in order {
                guard var job = jobs[id] else { continue }
                switch current(&job, now: now) {
                case .inQueue: inQueue += 1
                case .inProgress, .running: inProgress += 1
                case .completed: completed += 1
                case .failed, .timedOut: failed += 1
                case .cancelled, .expired: break
                }
                jobs[id] = job
            }
            let running = min(inProgress, workerCount)
            let idle = max(0, workerCount - running)
            return Self.json("{\"jobs\":{\"completed\":\(completed),\"failed\":\(failed),\"inProgress\":\(inProgress),"
                             + "\"inQueue\":\(inQueue),\"retried\":\(retriedTotal)},\"workers\":{\"idle\":\(idle),"
                             + "\"initializing\":0,\"ready\":\(idle),\"running\":\(running),\"throttled\":0,\"unhealthy\":0}}")
        }
    }

    // MARK: job state (under the lock)

    private func createJob(id: String?, script: Script, body: String, prompt: String?,
                           policy: (timeoutMs: Double?, ttlMs: Double?), now: ContinuousClock.Instant) -> String {
        nextJobNumber += 1
        let id = id ?? Self.makeID(nextJobNumber)
        var job = Job(id: id, number: nextJobNumber, stages: script.stages, stageStartedAt: now, submittedAt: now,
                      body: body, prompt: prompt, executionTimeoutMs: policy.timeoutMs, ttlMs: policy.ttlMs)
        enter(&job, at: now)
        if jobs[id] == nil { order.append(id) }
        jobs[id] = job
        return id
    }

    /// Moves the job through the stages whose time or polls are used up, applies ttl and execution
    /// timeout, and returns its state now.
    private func current(_ job: inout Job, now: ContinuousClock.Instant) -> State {
        if let ttl = job.ttlMs, now - job.submittedAt > .milliseconds(Int64(ttl)) { return .expired }
        while job.index < job.stages.count - 1 {
            let ends: ContinuousClock.Instant
            switch job.stages[job.index].duration {
            case .forever:
                return finish(&job, now: now)
            case .polls(let count):
                guard job.pollsInStage >= count else { return finish(&job, now: now) }
                ends = now
            case .seconds(let seconds):
                let end = job.stageStartedAt + .milliseconds(Int64((seconds * 1000).rounded()))
                guard now >= end else { return finish(&job, now: now) }
                ends = end
            }
            // An execution timeout that struck within the stage wins over what comes next.
            if let limit = timeoutEnd(job), limit <= ends {
                timeOut(&job, at: limit)
                return .timedOut
            }
            job.index += 1
            job.pollsInStage = 0
            job.stageStartedAt = ends
            enter(&job, at: ends)
        }
        return finish(&job, now: now)
    }

    private func finish(_ job: inout Job, now: ContinuousClock.Instant) -> State {
        if let limit = timeoutEnd(job), limit <= now {
            timeOut(&job, at: limit)
        }
        return job.state
    }

    private func timeoutEnd(_ job: Job) -> ContinuousClock.Instant? {
        guard let timeout = job.executionTimeoutMs, let started = job.startedAt, job.state.isRunning else { return nil }
        return started + .milliseconds(Int64(timeout))
    }

    private func timeOut(_ job: inout Job, at instant: ContinuousClock.Instant) {
        job.stages = [.forever(.timedOut)]
        job.index = 0
        job.pollsInStage = 0
        job.stageStartedAt = instant
        job.finishedAt = instant
    }

    /// Notes when a job started and finished as it enters its current stage.
    private func enter(_ job: inout Job, at instant: ContinuousClock.Instant) {
        let state = job.state
        if (state.isRunning || state.isFinished) && job.startedAt == nil { job.startedAt = instant }
        if state.isFinished && job.finishedAt == nil { job.finishedAt = instant }
        if !state.isFinished { job.finishedAt = nil }
    }

    private func statusJSON(_ job: Job, _ state: State) -> String {
        var fields = ["\"id\":" + Self.jsonString(job.id), "\"status\":\"\(state.apiStatus ?? "")\""]
        if let started = job.startedAt {
            fields.append("\"delayTime\":\(Self.milliseconds(started - job.submittedAt))")
            if state != .cancelled { fields.append("\"workerId\":\"fake-worker-\(job.number % max(1, workerCount) + 1)\"") }
        }
        if let started = job.startedAt, let finished = job.finishedAt, state != .cancelled {
            fields.append("\"executionTime\":\(Self.milliseconds(finished - started))")
        }
        switch state {
        case .completed(let output): fields.append("\"output\":" + output)
        case .failed(let error): fields.append("\"error\":" + Self.jsonString(error))
        default: break
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    // MARK: helpers

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Sleeps, ending early when the fake stops.
    private func pause(_ seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && !locked({ stopped }) {
            Thread.sleep(forTimeInterval: min(0.01, max(0, deadline.timeIntervalSinceNow)))
        }
    }

    private static let notFound = json("{\"error\":\"request does not exist\"}", status: 404)

    private static func json(_ text: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> TestResponse {
        .json(text, status: status, headers: headers)
    }

    /// RunPod-like ids: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx-u1`, the first group counting up.
    private static func makeID(_ number: Int) -> String {
        let uuid = UUID().uuidString.lowercased()
        return String(format: "%08x", number) + uuid.dropFirst(8) + "-u1"
    }

    private static func milliseconds(_ duration: Swift.Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// `text` as a JSON string literal.
    public static func jsonString(_ text: String) -> String { JSONValue.serialize(.string(text)) }

    /// `text` escaped for use inside a JSON string literal (without the quotes).
    private static func escape(_ text: String) -> String { String(jsonString(text).dropFirst().dropLast()) }
}
