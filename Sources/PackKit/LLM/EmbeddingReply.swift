import Foundation

/// An OpenAI-compatible `/embeddings` reply, read apart from the HTTP call (a pure function, for tests and fuzzing):
/// `{"data": [{"index": i, "embedding": [numbers]}, …], "usage": {"prompt_tokens": n}}`. Rows are put in the order
/// of `index` (servers may list them in any order; without indexes, in the order given). Every vector is made unit
/// length, as pack vectors are.
public struct EmbeddingReply: Sendable, Equatable {
    /// One vector per input, in input order.
    public var vectors: [[Float]]
    /// `usage.prompt_tokens` when the server reports it.
    public var promptTokens: Int?

    /// The largest vector accepted (the pack format's limit on columns).
    static let maxDimension = NpyHeader.maxColumns

    /// Reads a reply to a request of `count` inputs; the error says what is wrong, naming the field.
    public static func parse(_ bytes: [UInt8], count: Int, backend: String = "embeddings") throws(LLMError) -> EmbeddingReply {
        func bad(_ message: String) -> LLMError { LLMError(.badResponse, backend: backend, message) }
        let json = try parseJSONBody(bytes, backend: backend, what: "the /embeddings reply")
        guard let data = json["data"]?.arrayValue else { throw bad("the /embeddings reply has no 'data' array") }
        guard data.count == count else { throw bad("the /embeddings reply has \(data.count) embeddings for \(count) inputs") }
        var rows = [[Float]?](repeating: nil, count: count)
        var dimension: Int?
        for (position, item) in data.enumerated() {
            let index: Int
            if let given = item["index"] {
                guard let n = given.intValue, n >= 0, n < count else {
                    throw bad("data[\(position)].index is \(given.shortDescription), not an input position (0 to \(count - 1))")
                }
                index = n
            } else {
                index = position
            }
            guard rows[index] == nil else { throw bad("data[\(position)].index \(index) appears twice") }
            guard let values = item["embedding"]?.arrayValue, !values.isEmpty else {
                throw bad("data[\(position)].embedding is missing or empty (an array of numbers is expected)")
            }
            guard values.count <= maxDimension else { throw bad("data[\(position)].embedding has \(values.count) numbers, more than \(maxDimension)") }
            if let dimension, dimension != values.count {
                throw bad("data[\(position)].embedding has \(values.count) numbers where the others have \(dimension)")
            }
            dimension = values.count
            var vector = [Float](repeating: 0, count: values.count)
            var norm: Double = 0
            for (k, value) in values.enumerated() {
                guard let number = value.doubleValue, number.isFinite, abs(number) <= Double(Float.greatestFiniteMagnitude) else {
                    throw bad("data[\(position)].embedding[\(k)] is \(value.shortDescription), not a finite number")
                }
                vector[k] = Float(number)
                norm += number * number
            }
            if norm > 0 {
                let scale = Float(1 / norm.squareRoot())
                for k in vector.indices { vector[k] *= scale }
            }
            rows[index] = vector
        }
        let tokens = json["usage"]?["prompt_tokens"]?.intValue
        return EmbeddingReply(vectors: rows.map { $0 ?? [] }, promptTokens: tokens.flatMap { $0 >= 0 ? $0 : nil })
    }
}
