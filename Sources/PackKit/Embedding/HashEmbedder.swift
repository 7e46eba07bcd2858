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

    /// The all-ASCII fast path: lower-case and split the bytes without a String per token.
    private func appendASCIIFeatures(_ bytes: UnsafeBufferPointer<UInt8>, to into: inout [Int32]) {
        let dimension = dimension
        // One exclusive access to `cache` per text, not one per token.
        Self.appendASCIIFeatures(bytes, cache: &cache, to: &into) { HashEmbedder.feature(of: $0, dimension: dimension) }
    }

    /// Bytes are all < 0x80 (the caller checked), which the word-at-a-time lower-casing relies on.
    @inline(__always)
    private static func appendASCIIFeatures(_ bytes: UnsafeBufferPointer<UInt8>, cache: inout TokenFeatureCache,
                                            to into: inout [Int32], compute: (UnsafeRawBufferPointer) -> Int32) {
        guard let p = bytes.baseAddress else { return }
        let n = bytes.count
        var i = 0
        while true {
            while i < n && isSpace(p[i]) { i += 1 }
            if i == n { return }
            let start = i
            while i < n && !isSpace(p[i]) { i += 1 }
            let length = i - start
            if length <= TokenFeatureCache.maxInlineLength {
                var w0: UInt64 = 0, w1: UInt64 = 0
                if start + 16 <= n {
                    // Two unaligned loads (still inside the text), then drop the bytes past the token.
                    let raw = UnsafeRawPointer(p + start)
                    w0 = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
                    w1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    // Swift's `<<` gives 0 for shifts ≥ 64, so these masks are all-ones / zero at the edges.
                    w0 &= ~(UInt64.max << UInt64(8 * length))
                    w1 = length > 8 ? w1 & ~(UInt64.max << UInt64(8 * (length - 8))) : 0
                } else {
                    for k in 0..<length {
                        let b = UInt64(p[start + k])
                        if k < 8 { w0 |= b << (8 * k) } else { w1 |= b << (8 * (k - 8)) }
                    }
                }
                let key = TokenFeatureCache.ShortKey(word0: lowerASCII(w0), word1: lowerASCII(w1), length: length)
                into.append(cache.feature(of: key, compute: compute))
            } else {
                into.append(longASCIIFeature(UnsafeBufferPointer(start: p + start, count: length), cache: &cache, compute: compute))
            }
        }
    }

    /// `PythonText.isASCIISpace` as one compare and a bit test: bits 9-13, 28-31 and 32 of the mask.
    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool {
        b <= 0x20 && (0x1_F000_3E00 as UInt64) >> b & 1 != 0
    }

    /// ASCII lower-casing of 8 bytes at once: a byte (all < 0x80) is upper-case when b + 0x3F sets bit 7
    /// (b ≥ 0x41) and b + 0x25 does not (b < 0x5B); no carry crosses bytes since b + 0x3F < 0x100.
    @inline(__always)
    private static func lowerASCII(_ w: UInt64) -> UInt64 {
        let upper = (w &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(w &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080
        return w | upper >> 2
    }

    /// Tokens longer than 16 bytes: lower-cased into a scratch buffer, then the cache's arena path.
    @inline(never)
    private static func longASCIIFeature(_ token: UnsafeBufferPointer<UInt8>, cache: inout TokenFeatureCache,
                                         compute: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: token.count) { lowered in
            for (k, b) in token.enumerated() { lowered[k] = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
            return cache.feature(of: UnsafeRawBufferPointer(lowered), compute: compute)
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
