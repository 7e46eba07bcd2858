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
    public var sparseQueries: Bool { true }

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
        var none: BucketRows?
        return embedChunks(chunks, of: segments, dimension: dimension, buckets: &none)
    }

    /// The chunks' vectors, and appended to `buckets` (when given) the same rows as whole counts for the bucket
    /// index: the counts are at hand before each row is divided by its length, so the index need not recover them
    /// from the floats.
    func embedChunks(_ chunks: [MicroChunk], of segments: [TranscriptSegment], dimension: Int,
                     buckets: inout BucketRows?) -> [Float] {
        var features: [Int32] = []
        var starts: [Int] = []
        starts.reserveCapacity(segments.count + 1)
        for segment in segments {
            starts.append(features.count)
            appendFeatures(of: segment.text, to: &features)
        }
        starts.append(features.count)
        return Self.embedChunks(chunks, features: features, starts: starts, dimension: dimension, buckets: &buckets)
    }

    /// The chunks' vectors from their segments' features (segment s's are `features[starts[s] ..< starts[s + 1]]`).
    static func embedChunks(_ chunks: [MicroChunk], features: [Int32], starts: [Int], dimension: Int,
                            buckets: inout BucketRows?) -> [Float] {
        var out = [Float](repeating: 0, count: chunks.count * dimension)
        out.withUnsafeMutableBufferPointer { buffer in
            for (c, chunk) in chunks.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: buffer[(c * dimension)..<((c + 1) * dimension)])
                for s in chunk.segmentIndices {
                    for f in features[starts[s]..<starts[s + 1]] {
                        if f > 0 { row[Int(f) - 1] += 1 } else { row[Int(-f) - 1] -= 1 }
                    }
                }
                let whole = buckets?.appendRow(wholeCounts: UnsafeBufferPointer(row))
                normalise(row)
                if whole == false { buckets?.appendRow(UnsafeBufferPointer(row)) }
            }
        }
        return out
    }

    /// Token features of `text` appended to `into`: the sparse form of its vector.
    func appendFeatures(of text: String, to into: inout [Int32]) {
        var text = text
        let ascii = text.withUTF8 { bytes in
            // One exclusive access to `cache` per text, not one per token.
            Self.appendASCIIFeatures(bytes, cache: &cache, to: &into, dimension: dimension)
        }
        guard !ascii else { return }
        for token in PythonText.lowerSplit(text) {
            var token = token
            token.withUTF8 { into.append(feature(UnsafeRawBufferPointer($0))) }
        }
    }

    /// The all-ASCII fast path; returns false, having appended nothing, when `bytes` is not all ASCII.
    private static func appendASCIIFeatures(_ bytes: UnsafeBufferPointer<UInt8>, cache: inout TokenFeatureCache,
                                            to into: inout [Int32], dimension: Int) -> Bool {
        // Features go through a small buffer: one bulk append per 64 tokens rather than an append (with its
        // uniqueness and capacity checks) per token.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { out in
            var produced = 0
            let ascii = forEachASCIIToken(bytes, cache: &cache, compute: { HashEmbedder.feature(of: $0, dimension: dimension) }) { feature in
                out[produced] = feature
                produced &+= 1
                if produced == out.count {
                    into.append(contentsOf: UnsafeBufferPointer(out))
                    produced = 0
                }
            }
            into.append(contentsOf: UnsafeBufferPointer(rebasing: out[0..<produced]))
            return ascii
        }
    }

    /// Calls `body` with the value `cache` holds for each token of an all-ASCII text (Python's `str.lower().split()`),
    /// `compute` giving it for a token not seen before; returns false, having called nothing, when `bytes` is not all
    /// ASCII.
    ///
    /// The text is first lower-cased into a stack copy followed by 16 zero bytes (one simple loop, which the
    /// compiler vectorises, that also checks for non-ASCII). Every token can then be read as two unaligned
    /// words, already in `TokenFeatureCache.ShortKey` form, with no bounds juggling and no branch per byte.
    @inline(__always)
    static func forEachASCIIToken(_ bytes: UnsafeBufferPointer<UInt8>, cache: inout TokenFeatureCache,
                                  compute: (UnsafeRawBufferPointer) -> Int32, _ body: (Int32) -> Void) -> Bool {
        let n = bytes.count
        return ASCIILowercased.withCopy(of: bytes) { q in
            var i = 0
            while i < n && isSpace(q[i]) { i &+= 1 }
            while i < n {
                // The 16 bytes from the token's start (in the copy: i + 16 ≤ n + 16).
                var w0 = load(q + i), w1 = load(q + i + 8)
                // The first byte ≤ 0x20 (white space, another control byte or the zero padding) ends the
                // token, unless it is a control byte that Python does not split on. Arithmetic rather than
                // branches: whether a token is shorter than 8 bytes is a coin toss for the branch predictor.
                let c0 = controlBytes(w0), c1 = controlBytes(w1)
                let tz0 = c0.trailingZeroBitCount, tz1 = c1.trailingZeroBitCount
                let end = (tz0 &+ (tz1 & (0 &- (tz0 >> 6)))) >> 3  // tz0 == 64 (none in w0): 8 + tz1 / 8
                let length: Int
                if end < 16 && (i &+ end == n || isSpace(q[i &+ end])) {
                    length = end
                    // Zero the bytes from the first candidate on: (lowest set bit >> 7) - 1 keeps the bytes
                    // below it, and is all ones when there is none; w1 is kept only if w0 had none.
                    let keep0 = ((c0 & (0 &- c0)) >> 7) &- 1
                    w0 &= keep0
                    w1 &= (((c1 & (0 &- c1)) >> 7) &- 1) & UInt64(bitPattern: Int64(bitPattern: keep0) >> 63)
                    body(cache.feature(of: TokenFeatureCache.ShortKey(word0: w0, word1: w1, length: length), compute: compute))
                } else {
                    // Longer than 16 bytes, or holding a control byte: go on from the first candidate, a
                    // word at a time (q + j + 8 ≤ q + n + 16 for j < n).
                    var j = i &+ end
                    while j < n {
                        let c = controlBytes(load(q + j))
                        if c == 0 { j &+= 8; continue }
                        j &+= c.trailingZeroBitCount >> 3
                        if j >= n || isSpace(q[j]) { break }
                        j &+= 1
                    }
                    length = min(j, n) &- i
                    body(cache.feature(of: UnsafeRawBufferPointer(start: q + i, count: length), compute: compute))
                }
                i &+= length &+ 1  // past the white space (or the end) that ended the token
                while i < n && isSpace(q[i]) { i &+= 1 }
            }
            return true
        } ?? false  // nil: not ASCII
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// High bit set in each byte ≤ 0x20. Only for bytes < 0x80: then b + 0x5F reaches 0x80 exactly when
    /// b ≥ 0x21, and no carry crosses into the next byte.
    @inline(__always)
    private static func controlBytes(_ w: UInt64) -> UInt64 {
        ~(w &+ 0x5F5F_5F5F_5F5F_5F5F) & 0x8080_8080_8080_8080
    }

    /// `PythonText.isASCIISpace` as one compare and a bit test: bits 9-13, 28-31 and 32 of the mask.
    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool {
        b <= 0x20 && (0x1_F000_3E00 as UInt64) >> b & 1 != 0
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
        let norm = BucketRows.norm(sum)
        for i in row.indices { row[i] = row[i] / norm }
    }
}
