/// The `llm` block of a config, checked and resolved: which backend answers, where it lives and how it is asked.
public struct LLMSettings: Sendable, Equatable {
    public enum Backend: String, Sendable, CaseIterable {
        /// Offline: quotes the transcript (the default; the reference's `mock` means the same here).
        case extractive
        /// The llmhub-node HTTP server the reference uses.
        case llmhub
        /// Any OpenAI-compatible chat-completions server.
        case openai
    }

    public var backend: Backend = .extractive
    public var provider: String?
    public var model = ""
    public var baseURL = ""
    public var temperature = 0.2
    public var topP: Double?
    public var maxNewTokens = 512
    public var contextTokens = 4096
    public var timeoutSeconds = 120.0
    public var verifyTLS = true
    /// The environment variable that holds the API key (its value is read when a request is made).
    public var apiKeyEnv = ""

    public init() {}

    public static let extraKeys = ["base_url", "timeout_s", "verify_tls", "api_key_env"]

    /// The default API key variable of each backend.
    public static func defaultKeyVariable(_ backend: Backend) -> String {
        switch backend {
        case .extractive: ""
        case .llmhub: "LLMHUB_API_KEY"
        case .openai: "OPENAI_API_KEY"
        }
    }

    /// Checks `llm` (from the config file `file`) and fills in the defaults.
    public static func resolve(_ llm: PackConfig.LLM, file: String) throws(PackConfig.Problem) -> LLMSettings {
        func fail(_ message: String) -> PackConfig.Problem { PackConfig.Problem(file: file, message: message) }
        var settings = LLMSettings()
        let name = llm.backend == "mock" ? "extractive" : llm.backend
        guard let backend = Backend(rawValue: name) else {
            throw fail("'llm.backend' is '\(llm.backend)' (valid: \(Backend.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        settings.backend = backend
        settings.temperature = llm.temperature
        settings.topP = llm.topP
        settings.maxNewTokens = llm.maxNewTokens
        settings.contextTokens = llm.contextTokens
        for key in llm.extra.keys.sorted() where !extraKeys.contains(key) {
            throw fail("unknown key 'llm.extra.\(key)' (valid: \(extraKeys.joined(separator: ", ")))")
        }
        if let value = llm.extra["base_url"] {
            guard let url = value.stringValue else { throw fail("'llm.extra.base_url' must be a string, found \(value.shortDescription)") }
            settings.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        if let value = llm.extra["timeout_s"] {
            do { settings.timeoutSeconds = try ConfigNumber.number(value, field: "llm.extra.timeout_s", in: 0.1...86_400) } catch { throw fail(error.message) }
        }
        if let value = llm.extra["verify_tls"] {
            guard let verify = value.boolValue else { throw fail("'llm.extra.verify_tls' must be true or false, found \(value.shortDescription)") }
            settings.verifyTLS = verify
        }
        settings.apiKeyEnv = defaultKeyVariable(backend)
        if let value = llm.extra["api_key_env"] {
            guard let variable = value.stringValue, !variable.isEmpty else { throw fail("'llm.extra.api_key_env' must be a variable name, found \(value.shortDescription)") }
            settings.apiKeyEnv = variable
        }
        settings.provider = llm.provider
        settings.model = llm.model ?? ""
        guard backend != .extractive else { return settings }
        if settings.model.isEmpty { throw fail("'llm.model' is required for the \(backend.rawValue) backend (e.g. \(backend == .llmhub ? "\"gpt-4o-mini\" with \"provider\": \"openai\"" : "\"gpt-4o-mini\" or the model name your server serves"))") }
        if settings.baseURL.isEmpty { throw fail("'llm.extra.base_url' is required for the \(backend.rawValue) backend (e.g. \(backend == .llmhub ? "\"http://localhost:8787\"" : "\"https://api.openai.com/v1\""))") }
        guard settings.baseURL.hasPrefix("http://") || settings.baseURL.hasPrefix("https://") else {
            throw fail("'llm.extra.base_url' must start with http:// or https://, found \"\(settings.baseURL)\"")
        }
        if backend == .llmhub && (settings.provider ?? "").isEmpty {
            throw fail("'llm.provider' is required for the llmhub backend (e.g. \"openai\", \"anthropic\")")
        }
        guard settings.maxNewTokens < settings.contextTokens else {
            throw fail("'llm.max_new_tokens' (\(settings.maxNewTokens)) must be less than 'llm.context_tokens' (\(settings.contextTokens))")
        }
        return settings
    }
}
