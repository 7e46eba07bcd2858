import Foundation
import XCTest
@testable import PackKit

/// The `ytce` binary as a script or a user meets it: one-line errors, exit codes, JSON output.
final class CLITests: XCTestCase {
    var dir: URL!
    var ytce: String!

    override func setUpWithError() throws {
        dir = TestSupport.temporaryDirectory(self)
        ytce = try TestSupport.ytceBinary()
    }

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["YTCE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
        return try TestSupport.run(ytce, arguments, environment: environment)
    }

    func assertOneLineError(_ result: (status: Int32, stdout: String, stderr: String), contains text: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(result.status, 0, file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "stderr: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("ytce: "), result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.contains(text), result.stderr, file: file, line: line)
        XCTAssertFalse(result.stderr.contains("Fatal error"), file: file, line: line)
    }

    func testInfoOnTheSamplePack() throws {
        let sample = TestSupport.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack").path
        let text = try run(["pack", "info", "--pack", sample])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("Coffee Lab"))
        let json = try run(["pack", "info", "--pack", sample, "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let value = try JSONValue.parse(Data(json.stdout.utf8))
        XCTAssertEqual(value["counts"]?["videos"]?.intValue, 5)
        XCTAssertEqual(value["manifest"]?["channel_id"]?.stringValue, "coffee-lab")
        XCTAssertEqual(value["extracted"]?.boolValue, false, "the text run above already unpacked it")
    }

    func testBadPacksGiveOneLineErrors() throws {
        assertOneLineError(try run(["pack", "info", "--pack", try TestSupport.referencePack("demo_channel.as-shipped.pack")]),
                           contains: "holds no tables")
        let text = dir.appendingPathComponent("notes.pack")
        try Data("hello".utf8).write(to: text)
        assertOneLineError(try run(["pack", "info", "--pack", text.path]), contains: "not a zip")
        assertOneLineError(try run(["pack", "info", "--pack", dir.appendingPathComponent("missing.pack").path]), contains: "no such file")
    }

    func testBuildPrintsASummaryAndRejectsUnknownConfigKeys() throws {
        let output = dir.appendingPathComponent("demo.pack")
        let built = try run(["pack", "build", "--input", try TestSupport.shared("fixtures/demo_channel").path, "--out", output.path])
        XCTAssertEqual(built.status, 0, built.stderr)
        XCTAssertTrue(built.stdout.hasPrefix("built \(output.path): 2 videos"), built.stdout)
        XCTAssertEqual(built.stderr, "", "no progress bar when stderr is not a terminal")

        let config = dir.appendingPathComponent("config.json")
        try Data(#"{"retrieval": {"top_k": 3}}"#.utf8).write(to: config)
        let bad = try run(["pack", "build", "--input", try TestSupport.shared("fixtures/demo_channel").path,
                           "--out", dir.appendingPathComponent("x.pack").path, "--config", config.path])
        assertOneLineError(bad, contains: "unknown key 'retrieval.top_k'")
    }

    func testMalformedTranscriptNamesFileAndLine() throws {
        let input = dir.appendingPathComponent("input")
        try TestSupport.writeInput(at: input, videos: [("v1", "")], transcripts: ["v1.srt": "1\n00:00:01,000 --> 00:00:xx,000\nhi\n"])
        let result = try run(["pack", "build", "--input", input.path, "--out", dir.appendingPathComponent("o.pack").path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("v1.srt:2:"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.pack").path))
    }

    /// Several processes opening the same pack with an empty cache all succeed and agree.
    func testConcurrentProcessesShareTheCache() throws {
        let pack = try TestSupport.referencePack("py4e.pack")
        var environment = ProcessInfo.processInfo.environment
        environment["YTCE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
        let processes = (0..<4).map { _ -> (Process, Pipe) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ytce)
            process.arguments = ["pack", "info", "--pack", pack, "--json"]
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            return (process, pipe)
        }
        for (process, _) in processes { try process.run() }
        var roots: Set<String> = []
        for (process, pipe) in processes {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            let info = try JSONValue.parse(data)
            XCTAssertEqual(info["counts"]?["chunks"]?.intValue, 1857)
            roots.insert(info["unpacked_at"]?.stringValue ?? "")
        }
        XCTAssertEqual(roots.count, 1, "\(roots)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("cache").path)
        XCTAssertEqual(names.count, 1, "no temporary folders left: \(names)")
    }

    /// Ctrl-C during a build removes its temporary files and leaves the previous pack untouched.
    func testInterruptedBuildLeavesNothingBehind() throws {
        let input = dir.appendingPathComponent("input")
        let cue = (0..<1200).map { i in "\(i + 1)\n\(TestSupport.ts(i * 3000)) --> \(TestSupport.ts(i * 3000 + 2900))\nline \(i) of a long talk about things\n" }.joined(separator: "\n")
        try TestSupport.writeInput(at: input, videos: (0..<150).map { ("v\($0)", "") },
                                   transcripts: Dictionary(uniqueKeysWithValues: (0..<150).map { ("v\($0).srt", cue) }))
        let output = dir.appendingPathComponent("out.pack")
        try Data("old pack".utf8).write(to: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ytce)
        process.arguments = ["pack", "build", "--input", input.path, "--out", output.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the build has started writing, then interrupt it.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, process.isRunning,
              !(try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains(where: { $0.hasPrefix(".out.pack.build-") }) {
            usleep(2000)
        }
        usleep(50_000)
        guard process.isRunning else { throw XCTSkip("the build finished before it could be interrupted") }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("cancelled"), stderr)
        XCTAssertEqual(try Data(contentsOf: output), Data("old pack".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["input", "out.pack"])
    }

    /// A build killed with SIGKILL cannot clean up: the next build in the folder, of any pack, removes what it left.
    func testWorkspaceOfABuildKilledWithSIGKILLIsRemovedByTheNextBuildInTheFolder() throws {
        let input = dir.appendingPathComponent("input")
        let cue = (0..<1200).map { i in "\(i + 1)\n\(TestSupport.ts(i * 3000)) --> \(TestSupport.ts(i * 3000 + 2900))\nline \(i) of a long talk about things\n" }.joined(separator: "\n")
        try TestSupport.writeInput(at: input, videos: (0..<150).map { ("v\($0)", "") },
                                   transcripts: Dictionary(uniqueKeysWithValues: (0..<150).map { ("v\($0).srt", cue) }))
        let packs = dir.appendingPathComponent("packs")
        try FileManager.default.createDirectory(at: packs, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ytce)
        process.arguments = ["pack", "build", "--input", input.path, "--out", packs.appendingPathComponent("big.pack").path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, process.isRunning,
              !(try FileManager.default.contentsOfDirectory(atPath: packs.path)).contains(where: { $0.hasPrefix(".big.pack.build-") }) {
            usleep(2000)
        }
        usleep(50_000)
        guard process.isRunning else { throw XCTSkip("the build finished before it could be killed") }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: packs.path).contains { $0.hasPrefix(".big.pack.build-") },
                      "SIGKILL left the workspace (the case under test)")

        let small = try run(["pack", "build", "--input", try TestSupport.shared("fixtures/demo_channel").path,
                             "--out", packs.appendingPathComponent("small.pack").path])
        XCTAssertEqual(small.status, 0, small.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: packs.path).sorted(), ["small.pack"])
    }
}

/// `ytce eval` on the real question sets, as an analyst runs it: the documented shapes, and the quality the
/// default hash embedder must keep (issue targets: hit@5 ≥ 0.90 and MRR ≥ 0.75 on each set).
final class EvalCLITests: XCTestCase {
    func testEvalReportsTheTargetsAndEachQuestion() throws {
        let ytce = try TestSupport.ytceBinary()
        let cache = TestSupport.temporaryDirectory(self).appendingPathComponent("cache").path
        for set in ["py4e", "hf-course"] {
            let pack = try TestSupport.referencePack("\(set).pack")
            let questions = try TestSupport.shared("fixtures/eval/\(set).questions.json").path
            let json = try TestSupport.run(ytce, ["eval", "--pack", pack, "--questions", questions, "--per-question", "--json", "--cache-dir", cache])
            XCTAssertEqual(json.status, 0, json.stderr)
            let report = try JSONValue.parse(Data(json.stdout.utf8))
            let overall = try XCTUnwrap(report["overall"])
            XCTAssertEqual(overall["questions"]?.intValue, 40)
            XCTAssertGreaterThanOrEqual(overall["hit@5"]?.doubleValue ?? 0, 0.90, "\(set): \(overall)")
            XCTAssertGreaterThanOrEqual(overall["mrr"]?.doubleValue ?? 0, 0.75, "\(set): \(overall)")
            for kind in ["keyword", "paraphrase", "where"] { XCTAssertNotNil(report["by_kind"]?[kind]?["mrr"], kind) }
            guard case .array(let items)? = report["questions"] else { XCTFail("no per-question list: \(json.stdout.prefix(300))"); continue }
            XCTAssertEqual(items.count, 40)
            // The ranks agree with the summary: hit@1 is the share of questions ranked first.
            let first = items.filter { $0["rank"]?.intValue == 1 }.count
            XCTAssertEqual(Double(first) / 40, overall["hit@1"]?.doubleValue ?? -1, accuracy: 1e-9)
            XCTAssertNotNil(items[0]["first"]?["video_id"]?.stringValue)

            let text = try TestSupport.run(ytce, ["eval", "--pack", pack, "--questions", questions, "--per-question", "--cache-dir", cache])
            XCTAssertEqual(text.status, 0, text.stderr)
            XCTAssertTrue(text.stdout.contains("\(set)-001"), text.stdout)
            XCTAssertTrue(text.stdout.contains("kind         n     hit@1  hit@5  hit@10  MRR"), text.stdout)
        }
    }
}
