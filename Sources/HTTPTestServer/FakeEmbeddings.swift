import Foundation
import JSONKit

/// A fake OpenAI-compatible embeddings server on a loopback `HTTPTestServer`: `POST /v1/embeddings` with
/// `{"model": M, "input": [texts] | text}` answers `{"object": "list", "data": [{"object": "embedding", "index": i,
/// "embedding": [...]}], "model": M, "usage": {"prompt_tokens": n, "total_tokens": n}}`, as OpenAI, vLLM, TEI and
/// Ollama's `/v1` do.
///
/// - A bearer key is required when `apiKey` is set (401 otherwise); another model than `model` gets a 404 as
///   OpenAI answers; more than `maxBatch` inputs a 400.
/// - Each answer takes `latency` seconds (a fixed time per batch, whatever its size), counted on the connection's
///   own thread, so several requests in flight overlap as on a real server with spare capacity.
/// - Faults on the next requests (429 with `Retry-After`, a 5xx) and a stall: every request after the first `n`
///   answered ones waits, unanswered, until `releaseStall()` (or for ever), to kill a client mid-build.
/// - Counts requests, records every text it embedded (answered with a 200; counted as the answer is decided, just before
///   it is sent) and the most requests in flight at once.
public final class FakeEmbeddings: @unchecked Sendable {
    public enum Fault: Sendable, Equatable {
        case rateLimited(retryAfter: Int?)
        case serverError(Int)
    }

    public let server: HTTPTestServer
    public let model: String
    public let dimension: Int
    /// `http://127.0.0.1:PORT/v1`, the `base_url` a client is configured with.
    public var baseURL: String { "\(server.baseURL)/v1" }

    private let lock = NSLock()
    private var apiKeyValue: String?
    private var latencyValue = 0.0
    private var maxBatchValue = 2048
    private var vectorValue: @Sendable (String) -> [Float]
    private var reversedValue = false
    private var faults: [Fault] = []
    private var stallAfter: Int?
    private var stallReleased = false
    private var requestTotal = 0
    private var answeredTotal = 0
    private var embeddedTexts: [String] = []
    private var inFlight = 0
    private var inFlightPeak = 0
    private var stopped = false

    /// `vector` gives a text's embedding (default: a deterministic pseudo-random vector of `dimension` numbers
    /// from the text's bytes; any length, the client normalises).
    public init(model: String = "fake-embedder", dimension: Int = 16, vector: (@Sendable (String) -> [Float])? = nil) throws {
        self.model = model
        self.dimension = dimension
        self.vectorValue = vector ?? { text in FakeEmbeddings.pseudoRandomVector(text, dimension: dimension) }
        server = try HTTPTestServer()
        server.fallback { [weak self] request in self?.handle(request) }
    }

    deinit { server.stop() }

    public func stop() {
        locked { stopped = true }
        server.stop()
    }

    // MARK: settings

    /// The key requests must carry as `Authorization: Bearer KEY` (nil: none needed).
    public var apiKey: String? {
        get { locked { apiKeyValue } }
        set { locked { apiKeyValue = newValue } }
    }

    /// Seconds every answer takes.
    public var latency: Double {
        get { locked { latencyValue } }
        set { locked { latencyValue = max(0, newValue) } }
    }

    /// The most inputs one request may carry.
    public var maxBatch: Int {
        get { locked { maxBatchValue } }
        set { locked { maxBatchValue = max(1, newValue) } }
    }

    /// Answers list the embeddings last to first (clients must go by `index`).
    public var answersInReverse: Bool {
        get { locked { reversedValue } }
        set { locked { reversedValue = newValue } }
    }

    /// The next requests meet these faults, one each, in order.
    public func inject(_ fault: Fault, times: Int = 1) {
        locked { faults += Array(repeating: fault, count: max(0, times)) }
    }

    /// Once `answered` requests have been answered, every further request waits without an answer until
    /// `releaseStall()` or `stop()`.
    public func stall(afterAnswering answered: Int) {
        locked {
            stallAfter = answered
            stallReleased = false
        }
    }

    public func releaseStall() { locked { stallReleased = true } }

    // MARK: what happened

    /// Requests that reached `/v1/embeddings`, whatever the answer.
    public var requestCount: Int { locked { requestTotal } }
    /// Requests answered with embeddings.
    public var answeredCount: Int { locked { answeredTotal } }
    /// Every text embedded (answered), in order; a text sent twice appears twice.
    public var texts: [String] { locked { embeddedTexts } }
    /// The most requests that were being answered at the same moment.
    public var peakInFlight: Int { locked { inFlightPeak } }

    // MARK: serving

    private func handle(_ request: RecordedRequest) -> TestResponse? {
        guard request.path == "/v1/embeddings" else { return nil }
        guard request.method.uppercased() == "POST" else { return Self.error(405, "method not allowed") }
        let (key, fault, latency) = locked { () -> (String?, Fault?, Double) in
            requestTotal += 1
            inFlight += 1
            inFlightPeak = max(inFlightPeak, inFlight)
            return (apiKeyValue, faults.isEmpty ? nil : faults.removeFirst(), latencyValue)
        }
        defer { locked { inFlight -= 1 } }
        if let key, request.header("Authorization") != "Bearer \(key)" {
            return Self.error(401, "Incorrect API key provided", type: "invalid_request_error")
        }
        guard let json = try? JSONValue.parse(Data(request.body)), case .object(let body) = json else {
            return Self.error(400, "the body must be a JSON object")
        }
        guard body["model"]?.stringValue == model else {
            return Self.error(404, "The model `\(body["model"]?.stringValue ?? "")` does not exist", type: "invalid_request_error")
        }
        var inputs: [String] = []
        switch body["input"] {
        case .string(let text)?: inputs = [text]
        case .array(let items)?:
            for item in items {
                guard let text = item.stringValue else { return Self.error(400, "'input' must be a string or an array of strings") }
                inputs.append(text)
            }
        default: return Self.error(400, "'input' is required")
        }
        guard !inputs.isEmpty else { return Self.error(400, "'input' must not be empty") }
        guard inputs.count <= maxBatch else { return Self.error(400, "too many inputs: \(inputs.count) (at most \(maxBatch))") }
        if latency > 0 { pause(latency) }
        switch fault {
        case .rateLimited(let seconds)?:
            return TestResponse.json(#"{"error":{"message":"Rate limit reached","type":"requests"}}"#, status: 429,
                                     headers: seconds.map { [("Retry-After", String($0))] } ?? [])
        case .serverError(let status)?:
            return Self.error(status, "the server had an error while processing your request")
        case nil:
            break
        }
        // Past the stall point nothing is answered until released. Passing the gate and counting the answer happen
        // under one lock: with several requests in flight, two must not both see room for the last answer.
        while true {
            let gate = locked { () -> Bool? in
                if stopped { return nil }
                if let limit = stallAfter, answeredTotal >= limit, !stallReleased { return false }
                answeredTotal += 1
                embeddedTexts += inputs
                return true
            }
            guard let open = gate else { return TestResponse(steps: [.close], sendsHead: false) }
            if open { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        let vector = locked { vectorValue }
        var rows: [String] = []
        var tokens = 0
        for (index, text) in inputs.enumerated() {
            // A Float's shortest form reads back as the same Float (through a Double, as clients parse JSON numbers).
            let numbers = vector(text).map { $0.isFinite ? $0.description : "0" }.joined(separator: ",")
            rows.append(#"{"object":"embedding","index":\#(index),"embedding":[\#(numbers)]}"#)
            tokens += text.split(separator: " ").count
        }
        if locked({ reversedValue }) { rows.reverse() }
        let text = #"{"object":"list","data":[\#(rows.joined(separator: ","))],"model":\#(JSONValue.serialize(.string(model))),"#
            + #""usage":{"prompt_tokens":\#(tokens),"total_tokens":\#(tokens)}}"#
        return .json(text)
    }

    private static func error(_ status: Int, _ message: String, type: String = "invalid_request_error") -> TestResponse {
        .json(#"{"error":{"message":\#(JSONValue.serialize(.string(message))),"type":"\#(type)"}}"#, status: status)
    }

    private func pause(_ seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && !locked({ stopped }) {
            Thread.sleep(forTimeInterval: min(0.005, max(0, deadline.timeIntervalSinceNow)))
        }
    }

    /// Numbers in -1...1 from the text's bytes (FNV-1a, then SplitMix64 steps): the same text, the same vector.
    public static func pseudoRandomVector(_ text: String, dimension: Int) -> [Float] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return (0..<dimension).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(Double(z >> 11) / Double(1 << 53) * 2 - 1)
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
