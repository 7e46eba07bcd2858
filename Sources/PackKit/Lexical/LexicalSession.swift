/// The lexical analyzer at speed: words become term ids local to the session, and every distinct raw word is
/// lower-cased, checked against the stop words and stemmed once (a byte-keyed cache, as for the hash
/// embedder), so indexing a channel costs little more than reading it. Gives the same terms as
/// `LexicalAnalyzer`; one session per thread.
final class LexicalSession {
    let analyzer: LexicalAnalyzer
    private var cache = TokenFeatureCache()
    private let vocabulary: LexicalVocabulary
    private var reported = 0
    static let stop: Int32 = -1

    init(analyzer: LexicalAnalyzer = LexicalAnalyzer()) {
        self.analyzer = analyzer
        self.vocabulary = LexicalVocabulary(analyzer: analyzer)
    }

    /// Local id → term, in order of first appearance.
    var terms: [String] { vocabulary.terms }

    /// Appends the term ids of `text` (stop words left out).
    func appendTermIDs(of text: String, to out: inout [Int32]) {
        var text = text
        let ascii = text.withUTF8 { bytes in
            // One exclusive access to `cache` per text, not one per word.
            Self.appendASCII(bytes, cache: &cache, vocabulary: vocabulary, to: &out)
        }
        if !ascii {
            analyzer.forEachTerm(in: text) { out.append(vocabulary.id(for: $0)) }
        }
    }

    /// The ASCII fast path: words are runs of letters and digits in a lower-cased copy padded with 16 zero
    /// bytes, so a word of up to 16 bytes is read as two 8-byte loads and masked, and looked up by those two
    /// words; ids go out through a small buffer, one bulk append per 64 words. False if the text is not ASCII.
    private static func appendASCII(_ bytes: UnsafeBufferPointer<UInt8>, cache: inout TokenFeatureCache,
                                    vocabulary: LexicalVocabulary, to out: inout [Int32]) -> Bool {
        let n = bytes.count
        return ASCIILowercased.withCopy(of: bytes) { q in
            @inline(__always) func isWord(_ c: UInt8) -> Bool { c &- 0x61 < 26 || c &- 0x30 < 10 }
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { buffer in
                var produced = 0
                var i = 0
                while true {
                    while i < n && !isWord(q[i]) { i &+= 1 }
                    guard i < n else { break }
                    let start = i
                    while isWord(q[i]) { i &+= 1 }  // stops at the zero padding at the latest
                    let length = i &- start
                    let id: Int32
                    if length <= TokenFeatureCache.maxInlineLength {
                        var w0 = UnsafeRawPointer(q + start).loadUnaligned(as: UInt64.self)
                        var w1 = UnsafeRawPointer(q + start + 8).loadUnaligned(as: UInt64.self)
                        if length < 8 {
                            w0 &= (1 &<< UInt64(8 &* length)) &- 1
                            w1 = 0
                        } else if length < 16 {
                            w1 &= (1 &<< UInt64(8 &* (length &- 8))) &- 1
                        }
                        id = cache.feature(of: TokenFeatureCache.ShortKey(word0: UInt64(littleEndian: w0), word1: UInt64(littleEndian: w1), length: length)) {
                            vocabulary.id(forRawASCII: $0)
                        }
                    } else {
                        id = cache.feature(of: UnsafeRawBufferPointer(start: q + start, count: length)) { vocabulary.id(forRawASCII: $0) }
                    }
                    guard id != stop else { continue }
                    buffer[produced] = id
                    produced &+= 1
                    if produced == 64 {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<64]))
                        produced = 0
                    }
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<produced]))
            }
            return true
        } ?? false  // nil: not ASCII
    }

    /// Each whitespace token seen by `appendFeaturesAndTermIDs`, numbered in order: its hash feature and its term ids.
    struct TokenTable {
        var features: [Int32] = []
        /// Token t's term ids are `termIDs[termStarts[t] ..< termStarts[t + 1]]`.
        var termStarts: [Int32] = [0]
        var termIDs: [Int32] = []
        var dimension = 0
    }
    private var tokenTable = TokenTable()
    /// Token → its number in `tokenTable`.
    private var tokens = TokenFeatureCache()
    /// Stand-ins swapped in while a text is read (swapping the fields into locals spares an exclusivity check
    /// per token); never written to.
    private static let vacantTable = TokenTable()
    private static let vacantTokens = TokenFeatureCache(capacity: 1)

    /// Appends the hash features (`HashEmbedder` of `dimension` buckets) and the term ids of an all-ASCII `text`,
    /// reading it once: each whitespace token is looked up once for both. A token's terms are its runs of letters
    /// and digits (no word crosses white space), so they are the text's terms in order. False, nothing appended,
    /// when the text is not all ASCII.
    func appendFeaturesAndTermIDs(of text: String, dimension: Int, features: inout [Int32], termIDs: inout [Int32]) -> Bool {
        var table = Self.vacantTable, cache = Self.vacantTokens
        swap(&table, &tokenTable); swap(&cache, &tokens)
        defer { swap(&table, &tokenTable); swap(&cache, &tokens) }
        if table.dimension != dimension {
            table = TokenTable(dimension: dimension)
            cache = TokenFeatureCache()
        }
        var text = text
        // Features and ids go out through small buffers: a bulk append per 64 rather than an append per token.
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 128) { buffer in
            let featureOut = UnsafeMutableBufferPointer(rebasing: buffer[0..<64])
            let idOut = UnsafeMutableBufferPointer(rebasing: buffer[64..<128])
            var featureCount = 0, idCount = 0
            let ascii = text.withUTF8 { bytes in
                HashEmbeddingSession.forEachASCIIToken(bytes, cache: &cache, compute: { learn($0, into: &table) }) { t in
                    let t = Int(t)
                    featureOut[featureCount] = table.features[t]
                    featureCount &+= 1
                    if featureCount == featureOut.count {
                        features.append(contentsOf: featureOut)
                        featureCount = 0
                    }
                    let from = Int(table.termStarts[t]), to = Int(table.termStarts[t + 1])
                    if idCount + (to - from) > idOut.count {
                        termIDs.append(contentsOf: UnsafeBufferPointer(rebasing: idOut[0..<idCount]))
                        idCount = 0
                        // A token of more words than the buffer holds (a long hyphenated run) goes out directly.
                        if to - from > idOut.count { termIDs.append(contentsOf: table.termIDs[from..<to]); return }
                    }
                    for k in from..<to {
                        idOut[idCount] = table.termIDs[k]
                        idCount &+= 1
                    }
                }
            }
            features.append(contentsOf: UnsafeBufferPointer(rebasing: featureOut[0..<featureCount]))
            termIDs.append(contentsOf: UnsafeBufferPointer(rebasing: idOut[0..<idCount]))
            return ascii
        }
    }

    /// Lists a token not seen before (lower-cased ASCII) and gives its number.
    private func learn(_ token: UnsafeRawBufferPointer, into table: inout TokenTable) -> Int32 {
        let t = Int32(table.features.count)
        table.features.append(HashEmbedder.feature(of: token, dimension: table.dimension))
        _ = Self.appendASCII(token.assumingMemoryBound(to: UInt8.self), cache: &cache, vocabulary: vocabulary, to: &table.termIDs)
        table.termStarts.append(Int32(table.termIDs.count))
        return t
    }

    /// Terms first seen since the previous call, with the local id of the first of them.
    func drainNewTerms() -> (firstID: Int, terms: [String]) {
        defer { reported = vocabulary.terms.count }
        return (reported, Array(vocabulary.terms[reported...]))
    }
}

/// A worker's terms and their local ids; consulted only for words the cache has not seen.
final class LexicalVocabulary {
    let analyzer: LexicalAnalyzer
    private var ids: [String: Int32] = [:]
    private(set) var terms: [String] = []

    init(analyzer: LexicalAnalyzer) { self.analyzer = analyzer }

    func id(forRawASCII raw: UnsafeRawBufferPointer) -> Int32 {
        let word = String(decoding: raw, as: UTF8.self)
        if analyzer.stopWords.contains(word) { return LexicalSession.stop }
        return id(for: String(decoding: PorterStemmer.stem(Array(raw)), as: UTF8.self))
    }

    func id(for term: String) -> Int32 {
        if let known = ids[term] { return known }
        let id = Int32(terms.count)
        ids[term] = id
        terms.append(term)
        return id
    }
}
