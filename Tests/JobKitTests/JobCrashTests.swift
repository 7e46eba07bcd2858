import Foundation
import HTTPTestServer
import TestHarness
import XCTest
@testable import JobKit
@testable import PackKit

/// `ytce jobs wait` is killed with SIGKILL again and again, mid-poll and mid-write, and restarted: every summary
/// arrives exactly once, intact, and the store stays sound.
final class JobCrashTests: XCTestCase {
    static func ytce() throws -> String {
        guard let path = BuiltProducts.executable("ytce") else { throw XCTSkip("ytce binary not built next to the tests") }
        return path
    }

    func testKillNineAtAnyMomentLosesNoSummary() throws {
        let ytce = try Self.ytce()
        let fake = try FakeRunPod()
        defer { fake.stop() }
        // Every job answers its own text after a few polls; status answers take a little while, so kills land mid-poll.
        fake.scriptForPrompt { prompt in
            let name = prompt.range(of: #"transcript number \d+"#, options: .regularExpression).map { String(prompt[$0]) } ?? "?"
            return .completing(text: "summary of \(name) " + String(repeating: "é", count: 20_000), queuedPolls: 8, runningPolls: 8)
        }
        fake.setLatency(0.01, on: .status)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-crash-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let count = 24
        var files: [String] = []
        for i in 0..<count {
            let path = inputs.appendingPathComponent("talk\(i).txt").path
            try Data("This is transcript number \(i).\n".utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["RUNPOD_ENDPOINT_URL"] = fake.endpointURL
        environment["RUNPOD_API_KEY"] = fake.apiKey
        environment["YTCE_DATA_DIR"] = dir.appendingPathComponent("data").path
        let out = dir.appendingPathComponent("out").path
        let common = ["--poll-interval", "0.1", "--max-wait", "10m"]

        let submit = try Self.run(ytce, ["jobs", "submit", "--out-dir", out] + common + files, environment: environment)
        XCTAssertEqual(submit.status, 0, submit.stderr)

        // Kill the poller at random moments until nothing is open, then let one run finish.
        var kills = 0
        for _ in 0..<60 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ytce)
            process.arguments = ["jobs", "wait"] + common
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t.random(in: 30_000...250_000))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            let open = try JobStore(path: environment["YTCE_DATA_DIR"]! + "/jobs.sqlite").allJobs().filter(\.isOpen)
            if open.isEmpty { break }
        }
        let last = try Self.run(ytce, ["jobs", "wait"] + common, environment: environment)
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertGreaterThanOrEqual(kills, 5, "the poller was killed mid-work several times")

        let storePath = environment["YTCE_DATA_DIR"]! + "/jobs.sqlite"
        let check = try SQLiteDatabase(path: storePath, mode: .readOnly(immutable: false))
        XCTAssertEqual(try check.strings("PRAGMA integrity_check"), ["ok"])
        XCTAssertEqual(try check.scalarInt("SELECT count(*) FROM job_summary"), Int64(count), "one summary per job")
        let store = try JobStore(path: storePath)
        for job in try store.allJobs() {
            XCTAssertEqual(job.state, .completed, jobLine(job))
            let number = job.name.dropFirst("talk".count)
            let expected = "summary of transcript number \(number) " + String(repeating: "é", count: 20_000)
            XCTAssertEqual(try store.summary(job.id), expected)
            XCTAssertEqual(try String(contentsOfFile: "\(out)/\(job.name)_summary.txt", encoding: .utf8), expected, "written whole")
        }
        XCTAssertEqual(fake.requestCount(.run), count, "nothing was submitted twice")
        let summaries = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix("_summary.txt") }
        XCTAssertEqual(summaries.count, count)
    }

    static func run(_ path: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func jobLine(_ job: Job) -> String { "\(job.id) \(job.state.rawValue) \(job.detail)" }
}
