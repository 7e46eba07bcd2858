import Foundation
import JSONKit

/// A fake OpenAI-compatible chat model on a loopback `HTTPTestServer` that answers as a model that follows ytce's
/// prompt does: `POST /chat/completions` gets an answer made of `words` pieces ("word0 ", "word1 ", …), one every
/// `interval` seconds when `"stream": true` (server-sent events ending in `data: [DONE]`), whole otherwise; every
/// `citeEvery` words a sentence ends with a citation copied from an evidence line of the prompt
/// (`[video_id @ mm:ss-mm:ss] text`, the evidence it was given), so the answer's first citation comes early and
/// every citation it writes is supported. A prompt without evidence gets the answer without citations.
public final class FakeChatModel: @unchecked Sendable {
    public let server: HTTPTestServer
    /// `http://127.0.0.1:PORT`, the `base_url` a client is configured with.
    public var baseURL: String { server.baseURL }
    public let words: Int
    public let interval: Double
    public let citeEvery: Int

    private let lock = NSLock()
    private var citedSpans: [String] = []

    public init(words: Int, interval: Double, citeEvery: Int = 8) throws {
        self.words = max(1, words)
        self.interval = max(0, interval)
        self.citeEvery = max(1, citeEvery)
        server = try HTTPTestServer()
        server.route("POST", "/chat/completions") { [weak self] request in
            self?.answer(request) ?? .json(#"{"error":{"message":"stopped"}}"#, status: 503)
        }
    }

    deinit { server.stop() }

    public func stop() { server.stop() }

    /// Requests received so far.
    public var requestCount: Int { server.requests(to: "/chat/completions").count }

    /// Every citation written so far, in order.
    public var citations: [String] { lock.withLock { citedSpans } }

    /// The citations of the evidence lines of a prompt's messages: the bracket that opens an evidence line, when it
    /// reads `[id @ span]`.
    public static func evidenceCitations(in messages: [String]) -> [String] {
        messages.flatMap { $0.split(separator: "\n") }.compactMap { line -> String? in
            guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return nil }
            let bracket = line[...close]
            guard bracket.contains(" @ "), !bracket.dropFirst().contains("[") else { return nil }
            return String(bracket)
        }
    }

    /// The answer's pieces for a prompt with these evidence citations.
    public func pieces(evidence: [String]) -> [String] {
        (0..<words).map { i in
            guard !evidence.isEmpty, i % citeEvery == citeEvery - 1 else { return "word\(i) " }
            return "word\(i) \(evidence[(i / citeEvery) % evidence.count]). "
        }
    }

    private func answer(_ request: RecordedRequest) -> TestResponse {
        guard let json = try? JSONValue.parse(Data(request.body)), case .object(let body) = json,
              case .array(let messages)? = body["messages"] else {
            return .json(#"{"error":{"message":"the body is not a chat completion request","type":"invalid_request_error"}}"#, status: 400)
        }
        let texts = messages.compactMap { message -> String? in
            guard case .object(let fields) = message, case .string(let content)? = fields["content"] else { return nil }
            return content
        }
        let pieces = pieces(evidence: Self.evidenceCitations(in: texts))
        let cited = pieces.compactMap { piece in
            piece.firstIndex(of: "[").flatMap { open in piece[open...].firstIndex(of: "]").map { String(piece[open...$0]) } }
        }
        lock.withLock { citedSpans += cited }
        if case .bool(true)? = body["stream"] {
            let events = pieces.map { piece in
                (delay: interval, text: "data: " + JSONValue.serialize(.object(["choices": .array([.object(["index": .number(0),
                    "delta": .object(["content": .string(piece)])])])])) + "\n\n")
            }
            return .eventStream(events + [(0, "data: [DONE]\n\n")])
        }
        let message: JSONValue = .object(["role": .string("assistant"), "content": .string(pieces.joined())])
        return .json(JSONValue.serialize(.object(["choices": .array([.object(["index": .number(0), "message": message,
                                                                               "finish_reason": .string("stop")])])])))
    }
}
