import Foundation

/// The reference's PackConfig (`embedding`, `chunking`, `retrieval`, `llm`) as JSON.
/// Every key is checked: an unknown one is an error that names it, since a typo would otherwise be ignored silently,
/// and every number is range-checked (`ConfigNumber`).
public struct PackConfig: Sendable, Equatable {
    public struct Embedding: Sendable, Equatable {
        public var backend = "hash"
        public var modelName = "hash-384"
        public var dim = 384
        /// `dim` as the config gave it (nil: not given). An endpoint's vector length is learnt from it, and checked
        /// against this when given.
        public var explicitDimension: Int?
        /// For `backend: "openai"`: an OpenAI-compatible `/embeddings` endpoint computes question vectors.
        public var baseURL: String?
        public var model: String?
        public var apiKeyEnv = "OPENAI_API_KEY"
        public var timeoutSeconds = 30.0
        public var verifyTLS = true
        /// For `backend: "openai"` at build time: texts per request, requests in flight, and the vector cache
        /// (nil: `EmbeddingCache.standardPath`).
        public var batchSize = 64
        public var concurrency = 4
        public var cachePath: String?
        /// For `backend: "minilm"`: the model folder (else YTCE_MODEL_DIR, the Hugging Face cache, the pip package).
        public var modelDirectory: String?
    }
    public struct Retrieval: Sendable, Equatable {
        public var topSections = 5
        public var topChunks = 10
        public var useBM25 = true
        public var bm25TopK = 20
    }
    public struct LLM: Sendable, Equatable {
        public var backend = "extractive"
        public var modelPath: String?
        public var provider: String?
        public var model: String?
        public var contextTokens = 4096
        public var maxNewTokens = 512
        public var temperature = 0.2
        public var topP: Double?
        public var extra: [String: JSONValue] = [:]
    }

    public var schemaVersion = 1
    public var embedding = Embedding()
    public var chunking = ChunkingSettings()
    public var retrieval = Retrieval()
    public var llm = LLM()
    /// The `answer` block: how answers are put together (ytce's own; the reference has none).
    public var answer = AnswerSettings()
    /// The `jobs` block (RunPod summarisation), checked by the jobs module.
    public var jobs: [String: JSONValue] = [:]
    /// `ui.theme`: the terminal UI's theme (a name or a JSON file).
    public var uiTheme: String?
    /// `cache.max_bytes`: the size the pack cache is trimmed to (least recently used entries first); nil: the default.
    public var cacheMaxBytes: Int64?

    public init() {}

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let file: String
        public let message: String
        public var description: String { "\(file): \(message)" }
    }

    public static func load(from url: URL) throws(Problem) -> PackConfig {
        let data: Data
        do { data = try InputFile.read(url.path, limit: 16 << 20) } catch {
            throw Problem(file: url.path, message: "cannot read: \(error.reason)")
        }
        return try parse(data, file: url.path)
    }

    public static func parse(_ data: Data, file: String) throws(Problem) -> PackConfig {
        let root: JSONValue
        do { root = try JSONValue.parse(data.dropUTF8BOM()) } catch {
            throw Problem(file: file, message: "invalid JSON: \(error.reason)")
        }
        var reader = Reader(file: file)
        return try reader.config(root)
    }

    /// Walks the JSON, checking keys and types; `path` names the field in errors ("chunking.micro_chunk_sec").
    private struct Reader {
        let file: String

        func fail(_ message: String) -> Problem { Problem(file: file, message: message) }

        func object(_ value: JSONValue, _ path: String, allowed: [String]) throws(Problem) -> [String: JSONValue] {
            guard case .object(let o) = value else { throw fail("'\(path)' must be an object, found \(value.typeName)") }
            for key in o.keys.sorted() where !allowed.contains(key) {
                let prefix = path == "config" ? "" : path + "."
                throw fail("unknown key '\(prefix)\(key)' (valid: \(allowed.joined(separator: ", ")))")
            }
            return o
        }

        /// A whole number in `range` (see `ConfigNumber`).
        func int(_ o: [String: JSONValue], _ key: String, _ path: String, in range: ClosedRange<Int>, into target: inout Int) throws(Problem) {
            guard let v = o[key] else { return }
            do { target = try ConfigNumber.integer(v, field: "\(path).\(key)", in: range) } catch { throw fail(error.message) }
        }

        /// A number in `range` (see `ConfigNumber`); nil when absent or null.
        func double(_ o: [String: JSONValue], _ key: String, _ path: String, in range: ClosedRange<Double>) throws(Problem) -> Double? {
            guard let v = o[key], v != .null else { return nil }
            do { return try ConfigNumber.number(v, field: "\(path).\(key)", in: range) } catch { throw fail(error.message) }
        }

        func string(_ o: [String: JSONValue], _ key: String, _ path: String) throws(Problem) -> String? {
            guard let v = o[key], v != .null else { return nil }
            guard let s = v.stringValue else { throw fail("'\(path).\(key)' must be a string, found \(v.shortDescription)") }
            return s
        }

        mutating func config(_ root: JSONValue) throws(Problem) -> PackConfig {
            var config = PackConfig()
            let top = try object(root, "config", allowed: ["schema_version", "embedding", "chunking", "retrieval", "llm", "answer", "jobs", "ui", "cache"])
            if let c = top["cache"] {
                let o = try object(c, "cache", allowed: ["max_bytes"])
                var bytes = -1
                // Up to 1 PiB: a cap, not a need; 0 keeps nothing between runs.
                try int(o, "max_bytes", "cache", in: 0...(1 << 50), into: &bytes)
                if bytes >= 0 { config.cacheMaxBytes = Int64(bytes) }
            }
            if let u = top["ui"] {
                let o = try object(u, "ui", allowed: ["theme"])
                if let t = o["theme"] {
                    guard case .string(let name) = t else { throw fail("'ui.theme' must be a string, found \(t.typeName)") }
                    config.uiTheme = name
                }
            }
            if let j = top["jobs"] {
                guard case .object(let jobs) = j else { throw fail("'jobs' must be an object, found \(j.typeName)") }
                config.jobs = jobs
            }
            try int(top, "schema_version", "config", in: 1...1000, into: &config.schemaVersion)
            if let e = top["embedding"] {
                let o = try object(e, "embedding", allowed: ["backend", "model_name", "dim", "base_url", "model", "api_key_env",
                                                             "timeout_s", "verify_tls", "model_dir", "batch_size",
                                                             "concurrency", "cache_path"])
                if let backend = try string(o, "backend", "embedding") {
                    guard ["hash", "sentence_transformer", "minilm", "openai"].contains(backend) else {
                        throw fail("'embedding.backend' is '\(backend)' (valid: hash, sentence_transformer, minilm, openai)")
                    }
                    config.embedding.backend = backend
                }
                config.embedding.baseURL = try string(o, "base_url", "embedding")
                config.embedding.model = try string(o, "model", "embedding")
                if let variable = try string(o, "api_key_env", "embedding") { config.embedding.apiKeyEnv = variable }
                if let seconds = try double(o, "timeout_s", "embedding", in: 0.1...86_400) { config.embedding.timeoutSeconds = seconds }
                if let v = o["verify_tls"] {
                    guard let b = v.boolValue else { throw fail("'embedding.verify_tls' must be true or false, found \(v.shortDescription)") }
                    config.embedding.verifyTLS = b
                }
                if config.embedding.backend == "openai" {
                    guard let url = config.embedding.baseURL, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                        throw fail("'embedding.base_url' (an http:// or https:// URL) is required for the openai embedding backend")
                    }
                    guard let model = config.embedding.model, !model.isEmpty else {
                        throw fail("'embedding.model' is required for the openai embedding backend (e.g. \"all-MiniLM-L6-v2\")")
                    }
                }
                config.embedding.modelDirectory = try string(o, "model_dir", "embedding")
                try int(o, "dim", "embedding", in: 1...65_536, into: &config.embedding.dim)
                if o["dim"] != nil { config.embedding.explicitDimension = config.embedding.dim }
                try int(o, "batch_size", "embedding", in: 1...2_048, into: &config.embedding.batchSize)
                try int(o, "concurrency", "embedding", in: 1...256, into: &config.embedding.concurrency)
                config.embedding.cachePath = try string(o, "cache_path", "embedding")
                config.embedding.modelName = try string(o, "model_name", "embedding")
                    ?? (config.embedding.backend == "hash" ? "hash-\(config.embedding.dim)"
                        : config.embedding.backend == "minilm" ? MiniLMEmbedder.canonicalModelID
                        : config.embedding.backend == "openai" ? config.embedding.model ?? config.embedding.modelName : config.embedding.modelName)
            }
            if let c = top["chunking"] {
                let o = try object(c, "chunking", allowed: ["micro_chunk_sec", "micro_overlap_sec", "target_section_sec", "max_section_sec"])
                try int(o, "micro_chunk_sec", "chunking", in: 1...3_600, into: &config.chunking.microChunkSec)
                try int(o, "micro_overlap_sec", "chunking", in: 0...3_599, into: &config.chunking.microOverlapSec)
                try int(o, "target_section_sec", "chunking", in: 1...86_400, into: &config.chunking.targetSectionSec)
                try int(o, "max_section_sec", "chunking", in: 1...86_400, into: &config.chunking.maxSectionSec)
                guard config.chunking.microOverlapSec < config.chunking.microChunkSec else {
                    throw fail("'chunking.micro_overlap_sec' (\(config.chunking.microOverlapSec)) must be less than 'chunking.micro_chunk_sec' (\(config.chunking.microChunkSec))")
                }
                guard config.chunking.targetSectionSec <= config.chunking.maxSectionSec else {
                    throw fail("'chunking.target_section_sec' must not exceed 'chunking.max_section_sec'")
                }
            }
            if let r = top["retrieval"] {
                let o = try object(r, "retrieval", allowed: ["top_sections", "top_chunks", "use_bm25", "bm25_top_k"])
                try int(o, "top_sections", "retrieval", in: 1...1_000, into: &config.retrieval.topSections)
                try int(o, "top_chunks", "retrieval", in: 1...1_000, into: &config.retrieval.topChunks)
                try int(o, "bm25_top_k", "retrieval", in: 1...10_000, into: &config.retrieval.bm25TopK)
                if let v = o["use_bm25"] {
                    guard let b = v.boolValue else { throw fail("'retrieval.use_bm25' must be true or false, found \(v.shortDescription)") }
                    config.retrieval.useBM25 = b
                }
            }
            if let a = top["answer"] {
                let o = try object(a, "answer", allowed: ["moments", "max_sentences", "max_words", "evidence_tokens", "evidence_span_sec"])
                try int(o, "moments", "answer", in: 1...100, into: &config.answer.moments)
                try int(o, "max_sentences", "answer", in: 1...50, into: &config.answer.maxSentences)
                try int(o, "max_words", "answer", in: 5...2_000, into: &config.answer.maxWords)
                try int(o, "evidence_tokens", "answer", in: 50...1_000_000, into: &config.answer.evidenceTokens)
                var spanSeconds = config.answer.evidenceSpanMs / 1000
                try int(o, "evidence_span_sec", "answer", in: 5...3_600, into: &spanSeconds)
                config.answer.evidenceSpanMs = spanSeconds * 1000
            }
            if let l = top["llm"] {
                let o = try object(l, "llm", allowed: ["backend", "model_path", "provider", "model", "context_tokens",
                                                       "max_new_tokens", "temperature", "top_p", "extra"])
                if let backend = try string(o, "backend", "llm") { config.llm.backend = backend }
                config.llm.modelPath = try string(o, "model_path", "llm")
                config.llm.provider = try string(o, "provider", "llm")
                config.llm.model = try string(o, "model", "llm")
                try int(o, "context_tokens", "llm", in: 1...10_000_000, into: &config.llm.contextTokens)
                try int(o, "max_new_tokens", "llm", in: 1...1_000_000, into: &config.llm.maxNewTokens)
                if let t = try double(o, "temperature", "llm", in: 0...2) { config.llm.temperature = t }
                config.llm.topP = try double(o, "top_p", "llm", in: 0...1)
                if let e = o["extra"] {
                    guard case .object(let extra) = e else { throw fail("'llm.extra' must be an object, found \(e.typeName)") }
                    config.llm.extra = extra
                }
            }
            return config
        }
    }
}
