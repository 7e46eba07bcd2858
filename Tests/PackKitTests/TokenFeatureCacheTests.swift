import XCTest
@testable import PackKit

final class TokenFeatureCacheTests: XCTestCase {
    private static func uncached(_ bytes: [UInt8], dimension: Int = 384) -> Int32 {
        bytes.withUnsafeBytes { HashEmbedder.feature(of: $0, dimension: dimension) }
    }

    /// Keys of every interesting length (inline up to 16 bytes, arena beyond), near-duplicates, and enough of
    /// them to grow a tiny table many times: each maps to its uncached feature, and is computed once.
    func testDistinctKeysAcrossResizesMatchUncachedFeatures() {
        var keys: [[UInt8]] = []
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 24, 40] {
            let base = (0..<length).map { UInt8(0x61 + $0 % 26) }
            keys.append(base)
            if length > 0 {
                // Same bytes but the last, and the same bytes but the first.
                for last in [UInt8(0x30), 0x31, 0x00, 0xFF] { keys.append(base.dropLast() + [last]) }
                keys.append([0x5A] + base.dropFirst())
            }
            keys.append(base + [0x00])  // a trailing NUL must not look like the zero padding
        }
        var rng = SystemRandomNumberGenerator()
        for n in 0..<5000 {
            let length = n % 45
            keys.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        var unique: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for key in keys where seen.insert(key).inserted { unique.append(key) }

        var cache = TokenFeatureCache(capacity: 8)
        var computed = 0
        for round in 0..<2 {
            for key in unique {
                let got = key.withUnsafeBytes { bytes in
                    cache.feature(of: bytes) { computed += 1; return HashEmbedder.feature(of: $0, dimension: 384) }
                }
                XCTAssertEqual(got, Self.uncached(key), "key \(key) in round \(round)")
            }
            XCTAssertEqual(computed, unique.count, "each distinct key computed once")
        }
        XCTAssertEqual(cache.count, unique.count)
    }

    /// The compute closure sees exactly the key's bytes, for inline and arena keys.
    func testComputeReceivesTheKeyBytes() {
        var cache = TokenFeatureCache(capacity: 8)
        for length in [0, 1, 8, 15, 16, 17, 40] {
            let key = (0..<length).map { UInt8(0x41 + $0) }
            var received: [UInt8] = []
            _ = key.withUnsafeBytes { bytes in cache.feature(of: bytes) { received = Array($0); return 1 } }
            XCTAssertEqual(received, key)
        }
    }

    /// The packed form the ASCII fast path builds hits the same entries as raw bytes do.
    func testShortKeyAndBytesAgree() {
        var cache = TokenFeatureCache(capacity: 8)
        let words = ["a", "hello", "abcdefgh", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop"]
        for word in words {
            let bytes = Array(word.utf8)
            let viaBytes = bytes.withUnsafeBytes { cache.feature(of: $0) { HashEmbedder.feature(of: $0, dimension: 384) } }
            let viaKey = bytes.withUnsafeBytes {
                cache.feature(of: TokenFeatureCache.ShortKey($0)) { _ in XCTFail("\(word) should be cached"); return 0 }
            }
            XCTAssertEqual(viaBytes, viaKey)
            XCTAssertEqual(viaKey, Self.uncached(bytes))
        }
    }

    /// The session's features equal Python's `lower().split()` hashed without the cache, over texts that
    /// exercise the word-at-a-time tokenizer: every ASCII separator, control bytes inside tokens, tokens of
    /// 15/16/17 and more bytes at the start, middle and end, and random mixes.
    func testSessionFeaturesMatchUncachedReference() {
        var texts = [
            "", " ", "a", "A", "  Hello   WORLD  ", "hello\tworld\nfoo\u{0B}bar\u{0C}baz\rqux",
            "x\u{1C}y\u{1D}z\u{1E}w\u{1F}v", "ctrl\u{01}inside \u{00}nul a\u{00}", "\u{02}",
            "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            "the abcdefghijklmnop abcdefghijklmnopq abcdefghijklmno end",
            "punctuation, too! (yes) [really] {ok} @#$%^&*_+-=~`|\\:;\"'<>?/",
            "Straße über ΟΔΟΣ hello HELLO",  // non-ASCII: the general path shares the cache
        ]
        let alphabet = Array("abcXYZ019-'.,!?\t\n \u{0B}\u{0C}\r\u{1C}\u{1F}\u{01}\u{00}".unicodeScalars)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let length = Int.random(in: 0...90, using: &rng)
            var text = String.UnicodeScalarView()
            for _ in 0..<length {
                // Long runs of letters now and then, so that tokens of every length turn up.
                let scalar = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
                text.append(contentsOf: Bool.random(using: &rng) ? [scalar] : Array(repeating: scalar, count: 9))
            }
            texts.append(String(text))
        }
        let session = HashEmbeddingSession(dimension: 384)
        for round in 0..<2 {
            for text in texts {
                var got: [Int32] = []
                session.appendFeatures(of: text, to: &got)
                let expected = PythonText.lowerSplit(text).map { Self.uncached(Array($0.utf8)) }
                XCTAssertEqual(got, expected, "round \(round): \(text.debugDescription)")
            }
        }
    }

    /// More than one buffer's worth (64) of tokens in a text, appended after existing features.
    func testLongTextAppendsAfterExistingFeatures() {
        let words = (0..<150).map { "Word\($0)" }
        let session = HashEmbeddingSession(dimension: 256)
        var got: [Int32] = [7, 8]
        session.appendFeatures(of: words.joined(separator: " "), to: &got)
        let expected = [7, 8] + words.map { word in
            Array(word.lowercased().utf8).withUnsafeBytes { HashEmbedder.feature(of: $0, dimension: 256) }
        }
        XCTAssertEqual(got, expected)
    }
}
