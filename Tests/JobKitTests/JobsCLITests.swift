import Foundation
import HTTPTestServer
import TestHarness
import XCTest
@testable import JobKit
@testable import PackKit

/// `ytce jobs …` as scripts and users run it, against the fake RunPod over loopback: what reaches stdout and
/// stderr, exit statuses, several waiters on one store, summaries attached to reference packs.
final class JobsCLITests: XCTestCase {
    var fake: FakeRunPod!
    var dir: URL!
    var ytce: String!
    var environment: [String: String] = [:]

    override func setUpWithError() throws {
        ytce = try JobCrashTests.ytce()
        fake = try FakeRunPod()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-jobs-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        environment = ProcessInfo.processInfo.environment
        environment["RUNPOD_ENDPOINT_URL"] = fake.endpointURL
        environment["RUNPOD_API_KEY"] = fake.apiKey
        environment["YTCE_DATA_DIR"] = dir.appendingPathComponent("data").path
        environment["YTCE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
    }

    override func tearDown() {
        fake.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    var store: String { dir.appendingPathComponent("data/jobs.sqlite").path }
    let fast = ["--poll-interval", "0.1", "--max-wait", "10m"]

    /// Runs ytce; `merged` sends stdout and stderr into one pipe (as `2>&1 | …` does).
    func run(_ arguments: [String], merged: Bool = false) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.run(ytce, arguments, environment: environment, merged: merged)
    }

    static func run(_ ytce: String, _ arguments: [String], environment: [String: String],
                    merged: Bool = false) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ytce)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = merged ? out : Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let reading = DispatchGroup()
        let errors = LockedData()
        if !merged {
            reading.enter()
            DispatchQueue.global().async { errors.set(err.fileHandleForReading.readDataToEndOfFile()); reading.leave() }
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: errors.get(), as: UTF8.self))
    }

    func transcripts(_ count: Int) throws -> [String] {
        let inputs = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        return try (0..<count).map { i in
            let path = inputs.appendingPathComponent(String(format: "talk%02d.txt", i)).path
            try Data("This is transcript number \(i).\n".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    func testWaitGivesScriptsOneLinePerFinishedJobAndTotals() throws {
        fake.scriptForPrompt { prompt in
            prompt.contains("number 3.") ? .failing(error: "CUDA out of memory", queuedPolls: 2, runningPolls: 3)
                : .completing(text: "summary", queuedPolls: 2, runningPolls: 3)
        }
        let files = try transcripts(6)
        let out = dir.appendingPathComponent("out").path
        let submit = try run(["jobs", "submit", "--out-dir", out] + fast + files)
        XCTAssertEqual(submit.status, 0, submit.stderr)
        XCTAssertEqual(submit.stdout.split(separator: "\n").count, 6, submit.stdout)

        let wait = try run(["jobs", "wait"] + fast)
        XCTAssertEqual(wait.status, 1, "one job failed")
        XCTAssertEqual(wait.stderr, "", "nothing per change when stderr is not a terminal")
        let lines = wait.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 7, wait.stdout)
        XCTAssertEqual(lines.last, "6 jobs: 5 completed, 1 failed")
        XCTAssertEqual(lines.filter { $0.contains("\tcompleted\t") && $0.contains("saved to file: \(out)/talk") }.count, 5, wait.stdout)
        let failed = try XCTUnwrap(lines.first { $0.contains("\tfailed\t") })
        XCTAssertTrue(failed.contains("CUDA out of memory"), failed)
        XCTAssertFalse(failed.contains("_summary.txt"), "a failed job names no summary file: \(failed)")
    }

    /// A submission RunPod refuses is sent again after a pause, and the pause is said on stderr as it starts: an
    /// unreachable endpoint kept `jobs submit` silent for minutes.
    func testASubmissionSentAgainSaysSoWhileItWaits() throws {
        fake.inject(.rateLimited(retryAfter: 1), times: 1, on: .run)
        fake.defaultScript = .completing(text: "summary", queuedPolls: 1, runningPolls: 1)
        let submit = try run(["jobs", "submit", "--out-dir", dir.appendingPathComponent("out").path] + fast + (try transcripts(1)))
        XCTAssertEqual(submit.status, 0, submit.stderr)
        XCTAssertTrue(submit.stderr.contains("waiting_to_submit") && submit.stderr.contains("sending again in"), submit.stderr)
        XCTAssertTrue(submit.stdout.contains("talk00"), submit.stdout)
        XCTAssertEqual(fake.requestCount(.run), 2)
    }

    /// A job never sent to RunPod is cancelled in the store alone, with no endpoint or key configured (a wrong
    /// endpoint left such jobs that could not be cancelled); one RunPod has still needs the endpoint.
    func testAJobNeverSentIsCancelledWithoutAnEndpoint() throws {
        let store = try JobStore(path: self.store)
        let unsent = try store.create(source: "/tmp/talk.txt", name: "talk", role: .single, endpoint: "http://127.0.0.1:9/v2/x",
                                      prompt: "p", outputs: JobOutputs(), maxWait: 600)
        var offline = environment
        offline["RUNPOD_ENDPOINT_URL"] = nil
        offline["RUNPOD_API_KEY"] = nil
        let cancelled = try Self.run(ytce, ["jobs", "cancel", "\(unsent.id)"], environment: offline)
        XCTAssertEqual(cancelled.status, 0, cancelled.stderr)
        XCTAssertTrue(cancelled.stdout.contains("\tcancelled\t"), cancelled.stdout)
        XCTAssertEqual(try store.job(unsent.id).state, .cancelled)

        fake.defaultScript = .completing(text: "summary", queuedPolls: 50, runningPolls: 50)
        XCTAssertEqual(try run(["jobs", "submit"] + fast + (try transcripts(1))).status, 0)
        let sent = try XCTUnwrap(try store.allJobs().first { $0.runpodID != nil })
        let refused = try Self.run(ytce, ["jobs", "cancel", "\(sent.id)"], environment: offline)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("no RunPod endpoint"), refused.stderr)
        XCTAssertEqual(try run(["jobs", "cancel", "\(sent.id)"]).status, 0)
        XCTAssertEqual(try store.job(sent.id).state, .cancelled)
    }

    func testPipedSubmitLinesArriveBeforeTheProgressThatFollowsThem() throws {
        fake.defaultScript = .completing(text: "summary", queuedPolls: 3, runningPolls: 3)
        let files = try transcripts(3)
        let result = try run(["jobs", "submit", "--wait", "--verbose", "--out-dir", dir.appendingPathComponent("out").path] + fast + files,
                             merged: true)
        XCTAssertEqual(result.status, 0, result.stdout)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        // The three submission lines (stdout) come first, then the progress (stderr), then the results (stdout).
        XCTAssertEqual(lines.prefix(3).filter { $0.contains("\tqueued\t") }.count, 3, result.stdout)
        XCTAssertEqual(lines.last, "3 jobs: 3 completed, 0 failed")
        XCTAssertTrue(lines.contains { $0.contains("in_progress") }, result.stdout)
    }

    /// The case: the reference's py4e pack (database in WAL mode), `--attach --wait`.
    func testAttachingToAReferencePackSucceedsAndAFailedDeliveryExitsNonZeroAndCanBeRedone() throws {
        let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures/reference-packs/py4e.pack")
        guard FileManager.default.fileExists(atPath: reference.path) else { throw XCTSkip("../shared/fixtures/reference-packs/py4e.pack is absent") }
        let pack = dir.appendingPathComponent("py4e.pack")
        try FileManager.default.copyItem(at: reference, to: pack)
        fake.enqueue(.completing(text: "What this lecture teaches.", queuedPolls: 1, runningPolls: 1),
                     .completing(text: "A second look.", queuedPolls: 5, runningPolls: 5))
        let out = dir.appendingPathComponent("out").path

        let attached = try run(["jobs", "submit", "--pack", pack.path, "--video=-cmlmaVSONg", "--attach", "--wait", "--out-dir", out] + fast)
        XCTAssertEqual(attached.status, 0, attached.stdout + attached.stderr)
        XCTAssertTrue(attached.stdout.contains("saved to pack: \(pack.path)#-cmlmaVSONg"), attached.stdout)
        let opened = try ChannelPack.open(pack.path, options: .init(cache: PackCache(directory: dir.appendingPathComponent("check"))))
        XCTAssertEqual(try opened.database.strings("SELECT text FROM summary WHERE video_id = '-cmlmaVSONg'"), ["What this lecture teaches."])

        // The pack is moved away while the second job runs: its delivery fails, and says so.
        // A YouTube id may start with a dash: it is read as the option's value, written apart from it too.
        let second = try run(["jobs", "submit", "--pack", pack.path, "--video", "-cmlmaVSONg", "--attach", "--out-dir", out] + fast)
        XCTAssertEqual(second.status, 0, second.stderr)
        let id = try XCTUnwrap(second.stdout.split(separator: "\t").first.map(String.init))
        let away = dir.appendingPathComponent("away.pack")
        try FileManager.default.moveItem(at: pack, to: away)
        let failed = try run(["jobs", "wait"] + fast)
        XCTAssertEqual(failed.status, 1, failed.stdout)
        XCTAssertTrue(failed.stdout.contains("\(id)\tdelivery_failed\t"), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("NOT saved to pack \(pack.path)#-cmlmaVSONg"), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("`ytce jobs deliver \(id)` tries again"), failed.stdout)
        XCTAssertTrue(failed.stdout.hasSuffix("1 job: 1 completed, 0 failed, 1 summary not saved everywhere (kept in the store: `ytce jobs deliver ID`)\n"), failed.stdout)
        let list = try run(["jobs", "list"])
        XCTAssertTrue(list.stdout.contains("\(id)\tdelivery_failed"), list.stdout)

        try FileManager.default.moveItem(at: away, to: pack)
        let redone = try run(["jobs", "deliver", id])
        XCTAssertEqual(redone.status, 0, redone.stdout + redone.stderr)
        XCTAssertEqual(redone.stdout, "\(id)\tsaved to pack: \(pack.path)#-cmlmaVSONg\n")
        let again = try ChannelPack.open(pack.path, options: .init(cache: PackCache(directory: dir.appendingPathComponent("check"))))
        XCTAssertEqual(try again.database.strings("SELECT text FROM summary WHERE video_id = '-cmlmaVSONg'"), ["A second look."])
        // Both summaries of the video are kept as files too.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["-cmlmaVSONg_job\(id)_summary.txt", "-cmlmaVSONg_summary.txt"])
    }

    func testAFinishedJobsElapsedTimeStaysPut() throws {
        fake.defaultScript = .completing(text: "done", queuedPolls: 0, runningPolls: 0)
        let submit = try run(["jobs", "submit", "--wait", "--out-dir", dir.appendingPathComponent("out").path] + fast + (try transcripts(1)))
        XCTAssertEqual(submit.status, 0, submit.stdout + submit.stderr)
        let first = try run(["jobs", "list", "--json"])
        sleep(2)
        let second = try run(["jobs", "list", "--json"])
        let a = try JSONValue.parse(Data(first.stdout.utf8))["jobs"]?.arrayValue?.first?["elapsed_s"]
        let b = try JSONValue.parse(Data(second.stdout.utf8))["jobs"]?.arrayValue?.first?["elapsed_s"]
        XCTAssertNotNil(a)
        XCTAssertEqual(a, b)
        XCTAssertEqual(try run(["jobs", "list"]).stdout.split(separator: "\t")[3], "0s")
    }

    /// Three `ytce jobs wait` processes on one store: each summary is delivered by one of them, once.
    func testSeveralWaitingProcessesDeliverEachSummaryOnce() throws {
        fake.scriptForPrompt { prompt in .completing(text: "summary of " + prompt.suffix(20), queuedPolls: 3, runningPolls: 3) }
        fake.setLatency(0.01, on: .status)
        let files = try transcripts(30)
        let submit = try run(["jobs", "submit", "--out-dir", dir.appendingPathComponent("out").path] + fast + files)
        XCTAssertEqual(submit.status, 0, submit.stderr)
        let results = LockedResults()
        let (ytce, environment, arguments) = (ytce!, environment, ["jobs", "wait", "--verbose"] + fast)
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            results.add(try? Self.run(ytce, arguments, environment: environment))
        }
        var deliveries: [String: Int] = [:]
        for result in results.all {
            guard let result else { XCTFail("a waiter did not run"); continue }
            XCTAssertEqual(result.status, 0, result.stderr)
            for line in result.stderr.split(separator: "\n") where line.contains("saved to file") {
                deliveries[String(line.split(separator: "\t")[0]), default: 0] += 1
            }
        }
        XCTAssertEqual(deliveries.count, 30, "every summary delivered")
        XCTAssertEqual(deliveries.filter { $0.value > 1 }, [:], "none delivered twice")
        XCTAssertEqual(fake.requestCount(.run), 30)
    }

    /// The batch, as a user runs it: `ytce jobs submit` with 100 files against an endpoint that
    /// rate-limits `/run`.
    func testSubmittingOneHundredFilesToARateLimitedEndpoint() throws {
        fake.rateLimit(.run, perSecond: 50, burst: 25, retryAfter: 1)
        fake.defaultScript = .staying(.inQueue)
        let files = try transcripts(100)
        let started = ContinuousClock.now
        let submit = try run(["jobs", "submit", "--out-dir", dir.appendingPathComponent("out").path] + fast + files)
        print("ytce jobs submit of 100 files, /run limited to 50/s in bursts of 25 (Retry-After: 1): \(started.duration(to: .now)), "
              + "\(fake.rateLimitedCount(.run)) answered 429")
        XCTAssertEqual(submit.status, 0, submit.stderr)
        let lines = submit.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 100)
        XCTAssertEqual(lines.filter { $0.contains("\tqueued\t") }.count, 100, submit.stdout)
        XCTAssertEqual(fake.jobIDs.count, 100)
        XCTAssertGreaterThan(fake.rateLimitedCount(.run), 0)
        let jobs = try JobStore(path: store).allJobs()
        XCTAssertEqual(Set(jobs.compactMap(\.runpodID)).count, 100)
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}

final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [(status: Int32, stdout: String, stderr: String)?] = []
    func add(_ result: (status: Int32, stdout: String, stderr: String)?) { lock.withLock { results.append(result) } }
    var all: [(status: Int32, stdout: String, stderr: String)?] { lock.withLock { results } }
}
