import Foundation
import TestHarness
import XCTest
@testable import PackKit

/// Paths and helpers shared by the tests.
enum TestSupport {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// `../shared` next to the repo: real channels and reference packs. Tests that need it skip without it.
    static func shared(_ path: String = "") throws -> URL {
        let root = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("fixtures").path) else {
            throw XCTSkip("../shared not found next to the repo (\(root.path)); these tests need its fixtures")
        }
        return path.isEmpty ? root : root.appendingPathComponent(path)
    }

    static func referencePack(_ name: String) throws -> String {
        try shared("fixtures/reference-packs/\(name)").path
    }

    /// A fresh temporary folder, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase, _ name: String = #function) -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("ytce-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    static func cache(in folder: URL) -> PackCache {
        PackCache(directory: folder.appendingPathComponent("cache"))
    }

    static func open(_ path: String, cacheIn folder: URL) throws -> ChannelPack {
        try ChannelPack.open(path, options: .init(cache: cache(in: folder)))
    }

    /// A hand-made channel built into a pack in `folder`: per video, `cues` cues of 3 s, `lines` putting a text at a
    /// cue (by index) and `filler(video, cue)` the rest; hash vectors unless `embedder` says otherwise.
    static func cuePack(_ lines: [String: [Int: String]], cues: Int = 60, in folder: URL, embedder: (any Embedder)? = nil,
                        filler: (String, Int) -> String) throws -> (ChannelPack, PackCache) {
        let input = folder.appendingPathComponent("input")
        var transcripts: [String: String] = [:]
        for (id, texts) in lines {
            transcripts["\(id).srt"] = (0..<cues).map { i in
                "\(i + 1)\n\(ts(i * 3000)) --> \(ts(i * 3000 + 2900))\n\(texts[i] ?? filler(id, i))\n"
            }.joined(separator: "\n")
        }
        try writeInput(at: input, videos: lines.keys.sorted().map { ($0, "") }, transcripts: transcripts)
        var builder = PackBuilder()
        if let embedder { builder.embedder = embedder }
        let output = folder.appendingPathComponent("t.pack")
        _ = try builder.build(input: input, output: output)
        let cache = cache(in: folder)
        return (try ChannelPack.open(output.path, options: .init(cache: cache)), cache)
    }

    /// Unpacks every file of the `.pack` at `path` into `folder` (as a user unpacks a pack to keep it as a folder).
    static func unpack(_ path: String, to folder: URL) throws {
        let archive = try ZipArchiveReader(path: path)
        for entry in archive.entries where !entry.isDirectory {
            let destination = folder.appendingPathComponent(entry.name)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try archive.extract(entry, to: destination.path)
        }
    }

    /// Asserts that opening fails with the given kind, and returns the message for further checks.
    @discardableResult
    static func assertOpenFails(_ path: String, cacheIn folder: URL, kind: PackError.Kind,
                                file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try open(path, cacheIn: folder)
            XCTFail("opening \(path) should fail with \(kind)", file: file, line: line)
            return ""
        } catch let error as PackError {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), "error must be one line: \(error)", file: file, line: line)
            return error.description
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return ""
        }
    }

    /// Writes an input folder: channel.json, videos.json and transcripts given by file name.
    static func writeInput(at folder: URL, videos: [(id: String, description: String)], transcripts: [String: String]) throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("transcripts"), withIntermediateDirectories: true)
        try Data(#"{"channel_id": "test", "title": "Test Channel", "description": "", "source": "tests"}"#.utf8)
            .write(to: folder.appendingPathComponent("channel.json"))
        let list = videos.map { v -> JSONValue in
            .object(["video_id": .string(v.id), "title": .string("Video \(v.id)"), "description": .string(v.description),
                     "published_at": .string(""), "duration_sec": .number(600), "url": .string("https://www.youtube.com/watch?v=\(v.id)")])
        }
        try Data(JSONValue.serialize(.array(list)).utf8).write(to: folder.appendingPathComponent("videos.json"))
        for (name, text) in transcripts {
            try Data(text.utf8).write(to: folder.appendingPathComponent("transcripts/\(name)"))
        }
    }

    /// An SRT of `count` cues, 3 s each, with distinct words.
    static func srt(cues count: Int, startMs: Int = 0, prefix: String = "word") -> String {
        (0..<count).map { i in
            let s = startMs + i * 3000, e = s + 2900
            return "\(i + 1)\n\(ts(s)) --> \(ts(e))\n\(prefix)\(i) says something about topic \(i % 7)\n"
        }.joined(separator: "\n")
    }

    static func ts(_ ms: Int) -> String {
        String(format: "%02d:%02d:%02d,%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
    }

    /// Runs a command and returns its exit status, stdout and stderr.
    /// `input`: what the process reads on its standard input, which is then closed (nil: the test runner's own).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        if input != nil { process.standardInput = stdin }
        try process.run()
        if let input {
            try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// The `ytce` binary built alongside the tests.
    static func ytceBinary() throws -> String {
        guard let path = BuiltProducts.executable("ytce", fallback: repoRoot.appendingPathComponent(".build/debug")) else {
            throw XCTSkip("ytce binary not built")
        }
        return path
    }
}
