import Crypto

/// Feature hashing, bit-identical to the reference `HashEmbedder`: every whitespace-separated token of the
/// lower-cased text (Python's `str.lower().split()`) adds ±1 to bucket `LE-uint32(sha256[0..<4]) % dim`,
/// + when `sha256[4]` is even; then the vector is divided by its L2 norm + 1e-12, all in float32.
/// Not semantic: a fast, dependency-free baseline that the reference packs use.
public struct HashEmbedder: Embedder {
    public let dimension: Int
    public var modelID: String { "hash-\(dimension)" }

    public init(dimension: Int = 384) {
        precondition(dimension > 0, "dimension must be positive")
        self.dimension = dimension
    }

    public func makeSession() -> any EmbeddingSession { HashEmbeddingSession(dimension: dimension) }

    /// Signed bucket of one token: `bucket + 1` or `-(bucket + 1)`.
    static func feature(of token: UnsafeRawBufferPointer, dimension: Int) -> Int32 {
        let digest = SHA256.hash(data: token)
        return digest.withUnsafeBytes { d -> Int32 in
            let word = UInt32(d[0]) | UInt32(d[1]) << 8 | UInt32(d[2]) << 16 | UInt32(d[3]) << 24
            let bucket = Int32(word % UInt32(dimension)) + 1
            return d[4] % 2 == 0 ? bucket : -bucket
        }
    }
}

final class HashEmbeddingSession: EmbeddingSession {
    let dimension: Int
    private var cache = TokenFeatureCache()
    private var features: [Int32] = []

    init(dimension: Int) { self.dimension = dimension }

    func embed(_ text: String, into out: inout [Float], at offset: Int) {
        features.removeAll(keepingCapacity: true)
        appendFeatures(of: text, to: &features)
        out.withUnsafeMutableBufferPointer { buffer in
            let row = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + dimension)])
            HashEmbeddingSession.accumulate(features, into: row)
        }
    }

    /// Tokens never span a space and lower-casing is per word (Final_Sigma looks only within a word), so the
    /// features of "a b" are those of "a" then "b": each segment is tokenised and hashed once, and a chunk's
    /// vector sums its segments' features. Same result as embedding the joined text, bit for bit.
    func embedChunks(_ chunks: [MicroChunk], of segments: [TranscriptSegment], dimension: Int) -> [Float] {
        var features: [Int32] = []
        var starts: [Int] = []
        starts.reserveCapacity(segments.count + 1)
        for segment in segments {
            starts.append(features.count)
            appendFeatures(of: segment.text, to: &features)
        }
        starts.append(features.count)
        var out = [Float](repeating: 0, count: chunks.count * dimension)
        out.withUnsafeMutableBufferPointer { buffer in
            for (c, chunk) in chunks.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: buffer[(c * dimension)..<((c + 1) * dimension)])
                for s in chunk.segmentIndices {
                    for f in features[starts[s]..<starts[s + 1]] {
                        if f > 0 { row[Int(f) - 1] += 1 } else { row[Int(-f) - 1] -= 1 }
                    }
                }
                HashEmbeddingSession.normalise(row)
            }
        }
        return out
    }

    /// Token features of `text` appended to `into`: the sparse form of its vector.
    func appendFeatures(of text: String, to into: inout [Int32]) {
        var text = text
        let ascii = text.withUTF8 { bytes in
            PythonText.isASCII(bytes) ? (appendASCIIFeatures(bytes, to: &into), true).1 : false
        }
        guard !ascii else { return }
        for token in PythonText.lowerSplit(text) {
            var token = token
            token.withUTF8 { into.append(feature(UnsafeRawBufferPointer($0))) }
        }
    }

    /// The all-ASCII fast path: lower-case and split the bytes in place, no String per token.
    private func appendASCIIFeatures(_ bytes: UnsafeBufferPointer<UInt8>, to into: inout [Int32]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, bytes.count)) { lowered in
            var start = -1
            for i in 0...bytes.count {
                let b = i < bytes.count ? bytes[i] : 0x20
                if PythonText.isASCIISpace(b) {
                    if start >= 0 {
                        into.append(feature(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: lowered[start..<i]))))
                        start = -1
                    }
                } else {
                    lowered[i] = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
                    if start < 0 { start = i }
                }
            }
        }
    }

    private func feature(_ token: UnsafeRawBufferPointer) -> Int32 {
        cache.feature(of: token) { HashEmbedder.feature(of: $0, dimension: dimension) }
    }

    /// Dense, normalised vector from features, with the reference's float32 arithmetic.
    static func accumulate(_ features: [Int32], into row: UnsafeMutableBufferPointer<Float>) {
        for i in row.indices { row[i] = 0 }
        for f in features {
            if f > 0 { row[Int(f) - 1] += 1 } else { row[Int(-f) - 1] -= 1 }
        }
        normalise(row)
    }

    static func normalise(_ row: UnsafeMutableBufferPointer<Float>) {
        var sum: Float = 0
        for x in row { sum += x * x }  // sums of squared small integers: exact in float32, so order does not matter
        let norm = sum.squareRoot() + Float(1e-12)
        for i in row.indices { row[i] = row[i] / norm }
    }
}
