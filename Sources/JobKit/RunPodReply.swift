import PackKit

/// What RunPod's JSON answers say, read apart from the HTTP calls that fetch them (pure, so that tests and the fuzz
/// suite drive it directly). A problem is the reason the answer is unusable; the client adds the call to it.
enum RunPodReply {
    struct Problem: Error {
        let reason: String
    }

    /// The `status` of a `/status`, `/cancel` or `/retry` answer.
    static func status(_ json: JSONValue) throws(Problem) -> RunPodStatus {
        guard let text = json["status"]?.stringValue else {
            throw Problem(reason: "no status in the answer (\(excerpt(json)))")
        }
        guard let status = RunPodStatus(apiValue: text) else {
            throw Problem(reason: "unknown status \(JSONValue.string(text).shortDescription)")
        }
        return status
    }

    /// A `/status/{id}` answer; `id` is the job asked about (used when the answer names none).
    static func jobState(_ json: JSONValue, id: String) throws(Problem) -> RunPodJobState {
        let status = try status(json)
        var state = RunPodJobState(id: json["id"]?.stringValue ?? id, status: status)
        if status == .completed { state.output = RunPodOutput.text(from: json["output"]) }
        state.error = RunPodOutput.errorMessage(from: json["error"])
        if status == .failed && state.error == nil { state.error = "the job failed without an error message" }
        state.executionTimeMs = json["executionTime"]?.doubleValue.flatMap(milliseconds)
        state.delayTimeMs = json["delayTime"]?.doubleValue.flatMap(milliseconds)
        return state
    }

    /// A `/health` answer: job and worker counts (absent ones are 0; one that is not a count is a problem).
    static func health(_ json: JSONValue) throws(Problem) -> RunPodHealth {
        guard case .object = json else { throw Problem(reason: "expected a JSON object") }
        func count(_ group: String, _ key: String) throws(Problem) -> Int {
            guard let value = json[group]?[key], value != .null else { return 0 }
            // 1e400 parses as infinity and 1e300 does not fit in an Int: both would trap in Int(_:).
            guard let n = value.intValue, n >= 0 else {
                throw Problem(reason: "'\(group).\(key)' is not a count: \(value.shortDescription)")
            }
            return n
        }
        var health = RunPodHealth()
        health.jobs.completed = try count("jobs", "completed")
        health.jobs.failed = try count("jobs", "failed")
        health.jobs.inProgress = try count("jobs", "inProgress")
        health.jobs.inQueue = try count("jobs", "inQueue")
        health.jobs.retried = try count("jobs", "retried")
        health.workers.idle = try count("workers", "idle")
        health.workers.running = try count("workers", "running")
        health.workers.initializing = try count("workers", "initializing")
        health.workers.ready = try count("workers", "ready")
        health.workers.throttled = try count("workers", "throttled")
        health.workers.unhealthy = try count("workers", "unhealthy")
        return health
    }

    private static func milliseconds(_ value: Double) -> Int? {
        value.isFinite && value >= 0 && value < 9e15 ? Int(value.rounded()) : nil
    }

    /// The start of an answer, for messages.
    static func excerpt(_ json: JSONValue) -> String {
        let text = JSONValue.serialize(json)
        return text.count > 120 ? String(text.prefix(119)) + "…" : text
    }
}
