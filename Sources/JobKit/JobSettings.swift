import PackKit

/// How summarisation jobs are sent to RunPod and tracked (the config's `jobs` block and the environment).
public struct JobSettings: Sendable, Equatable {
    /// `https://api.runpod.ai/v2/ENDPOINT_ID` (from `RUNPOD_ENDPOINT_URL` or config).
    public var endpointURL = ""
    /// The environment variable holding the RunPod API key.
    public var apiKeyEnv = "RUNPOD_API_KEY"
    public var maxNewTokens = 16_000
    public var temperature = 0.7
    public var topP = 0.9
    /// RunPod `policy.executionTimeout`, milliseconds (nil: the endpoint's default).
    public var executionTimeoutMs: Int?
    /// RunPod `policy.ttl`, milliseconds (nil: the endpoint's default).
    public var ttlMs: Int?
    /// Seconds between polls of one job.
    public var pollInterval = 5.0
    /// How long a job may stay unfinished before ytce stops waiting for it (the original's 5 minutes).
    public var maxWait = 300.0
    /// Tokens the model reads at once; longer transcripts are summarised in parts, then combined.
    public var contextTokens = 120_000
    /// `{transcript}` is replaced by the transcript text.
    public var promptTemplate = JobSettings.defaultPrompt
    /// What 1,000 input tokens cost on the endpoint, for the estimate before a whole channel is sent (nil: unknown).
    public var pricePer1kTokens: Double?
    /// Jobs the endpoint runs at once (its workers), for the time estimate of a whole channel.
    public var concurrency = 4

    public init() {}

    public static let defaultPrompt = """
        Write a comprehensive summary of the following video transcript, about 4000 words long. Cover every topic \
        in the order it is discussed, keep the speaker's key arguments, examples, numbers and conclusions, and use \
        headings for the main parts.

        Transcript:
        {transcript}
        """
}

extension JobSettings {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Seconds between polls: at least a tenth of a second, at most an hour.
    public static let pollIntervalRange = 0.1...3_600.0
    /// How long ytce waits for a job: a second to 30 days.
    public static let maxWaitRange = 1.0...2_592_000.0
    /// RunPod's `executionTimeout` and `ttl`, in seconds: a second to a week.
    public static let runPodDurationRange = 1.0...604_800.0

    static let keys = ["endpoint_url", "api_key_env", "max_new_tokens", "temperature", "top_p", "execution_timeout_s", "ttl_s",
                       "poll_interval_s", "max_wait_s", "context_tokens", "prompt_template", "price_per_1k_tokens", "concurrency"]

    /// `jobs.price_per_1k_tokens`: from 0 (free) to 1,000 per 1,000 tokens.
    public static let priceRange = 0.0...1_000.0
    /// `jobs.concurrency`: one to a thousand workers.
    public static let concurrencyRange = 1...1_000

    /// Settings from a config's `jobs` block (`file` names it in errors), then `RUNPOD_ENDPOINT_URL` when the
    /// block names no endpoint.
    public static func resolve(_ block: [String: JSONValue], file: String, environment: [String: String]) throws(Problem) -> JobSettings {
        func fail(_ message: String) -> Problem { Problem(description: "\(file): \(message)") }
        var settings = JobSettings()
        for key in block.keys.sorted() where !keys.contains(key) {
            throw fail("unknown key 'jobs.\(key)' (valid: \(keys.joined(separator: ", ")))")
        }
        func number(_ key: String, _ range: ClosedRange<Double>) throws(Problem) -> Double? {
            guard let value = block[key] else { return nil }
            do { return try ConfigNumber.number(value, field: "jobs.\(key)", in: range) } catch { throw fail(error.message) }
        }
        func integer(_ key: String, _ range: ClosedRange<Int>) throws(Problem) -> Int? {
            guard let value = block[key] else { return nil }
            do { return try ConfigNumber.integer(value, field: "jobs.\(key)", in: range) } catch { throw fail(error.message) }
        }
        func text(_ key: String) throws(Problem) -> String? {
            guard let value = block[key] else { return nil }
            guard let s = value.stringValue, !s.isEmpty else { throw fail("'jobs.\(key)' must be a non-empty string, found \(value.shortDescription)") }
            return s
        }
        settings.endpointURL = try text("endpoint_url") ?? environment["RUNPOD_ENDPOINT_URL"] ?? ""
        if let v = try text("api_key_env") { settings.apiKeyEnv = v }
        if let v = try integer("max_new_tokens", 1...1_000_000) { settings.maxNewTokens = v }
        if let v = try number("temperature", 0...2) { settings.temperature = v }
        if let v = try number("top_p", 0...1) { settings.topP = v }
        if let v = try number("execution_timeout_s", Self.runPodDurationRange) { settings.executionTimeoutMs = Int((v * 1000).rounded()) }
        if let v = try number("ttl_s", Self.runPodDurationRange) { settings.ttlMs = Int((v * 1000).rounded()) }
        if let v = try number("poll_interval_s", Self.pollIntervalRange) { settings.pollInterval = v }
        if let v = try number("max_wait_s", Self.maxWaitRange) { settings.maxWait = v }
        if let v = try integer("context_tokens", 1_000...10_000_000) { settings.contextTokens = v }
        if let v = try number("price_per_1k_tokens", Self.priceRange) { settings.pricePer1kTokens = v }
        if let v = try integer("concurrency", Self.concurrencyRange) { settings.concurrency = v }
        if let v = try text("prompt_template") {
            guard v.contains("{transcript}") else { throw fail("'jobs.prompt_template' must contain {transcript}, where the transcript goes") }
            settings.promptTemplate = v
        }
        guard settings.maxNewTokens < settings.contextTokens else {
            throw fail("'jobs.max_new_tokens' (\(settings.maxNewTokens)) must be less than 'jobs.context_tokens' (\(settings.contextTokens))")
        }
        return settings
    }
}
