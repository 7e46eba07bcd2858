import Foundation
import XCTest
@testable import PackKit

final class HashEmbedderTests: XCTestCase {
    /// Every vector of the reference fixture, bit for bit (Unicode lower-casing and splitting included).
    func testMatchesReferenceVectorsBitForBit() throws {
        let data = try Data(contentsOf: try TestSupport.shared("fixtures/hash-embedder-vectors.json"))
        guard case .array(let vectors)? = try JSONValue.parse(data)["vectors"] else { return XCTFail("fixture shape") }
        XCTAssertGreaterThan(vectors.count, 5)
        let session = HashEmbedder(dimension: 384).makeSession()
        for item in vectors {
            let text = try XCTUnwrap(item["text"]?.stringValue)
            let dim = try XCTUnwrap(item["dim"]?.intValue)
            XCTAssertEqual(dim, 384)
            var expected = [Float](repeating: 0, count: dim)
            if case .object(let nonzero)? = item["nonzero"] {
                for (key, value) in nonzero { expected[Int(key)!] = Float(value.doubleValue!) }
            }
            var got = [Float](repeating: 9, count: dim)
            session.embed(text, into: &got, at: 0)
            XCTAssertEqual(got.map(\.bitPattern), expected.map(\.bitPattern), "vector of \(text.debugDescription)")
        }
    }

    func testPythonLowerAndSplitRules() {
        XCTAssertEqual(PythonText.lowerSplit("ΟΔΟΣ ΟΔΟΣ."), ["οδος", "οδος."])
        XCTAssertEqual(PythonText.lowerSplit("a\u{00A0}b\u{2003}c\u{1C}d\u{200B}e"), ["a", "b", "c", "d\u{200B}e"])
        XCTAssertEqual(PythonText.lowerSplit("İstanbul"), ["i\u{0307}stanbul"])
    }

    func testCacheGivesSameFeaturesAsDirectHashing() {
        let session = HashEmbeddingSession(dimension: 384)
        var first: [Int32] = [], second: [Int32] = []
        session.appendFeatures(of: "Hello hello WORLD world", to: &first)
        session.appendFeatures(of: "Hello hello WORLD world", to: &second)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first[0], first[1])
        XCTAssertEqual(first[2], first[3])
        let direct = "hello".utf8.withContiguousStorageIfAvailable { HashEmbedder.feature(of: UnsafeRawBufferPointer($0), dimension: 384) }
        XCTAssertEqual(first[0], direct)
    }

    func testEmptyTextIsZeroVector() {
        let v = HashEmbedder().makeSession().embed([""], dimension: 384)
        XCTAssertEqual(v, [Float](repeating: 0, count: 384))
    }

    func testRegistryRejectsMismatchedDimension() {
        XCTAssertThrowsError(try EmbedderRegistry.embedder(modelID: "hash-384", dimension: 256)) { error in
            XCTAssertTrue("\(error)".contains("384"), "\(error)")
        }
        XCTAssertThrowsError(try EmbedderRegistry.embedder(modelID: "nomic-embed", dimension: 768))
        XCTAssertEqual(try EmbedderRegistry.embedder(modelID: "hash-256", dimension: 256).dimension, 256)
    }
}
