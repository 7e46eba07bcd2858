import Foundation
import HTTPTestServer
import XCTest
@testable import JobKit
@testable import PackKit

/// Each summary reaches each output once, however many runners share the store, and never destroys another
/// summary; a failed delivery shows and can be redone; finished jobs keep their run time. Real SQLite stores, the
/// fake RunPod over loopback.
final class JobDeliveryTests: XCTestCase {
    var fake: FakeRunPod!
    var dir: URL!
    var storePath: String { dir.appendingPathComponent("jobs.sqlite").path }

    override func setUpWithError() throws {
        fake = try FakeRunPod()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-deliver-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        fake.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    /// A runner with its own connection to the store, as another process would have.
    func runner(lease: Double = 120, _ adjust: (inout JobSettings) -> Void = { _ in }) throws -> JobRunner {
        var settings = JobSettings()
        settings.pollInterval = 0.05
        settings.maxWait = 60
        adjust(&settings)
        let runner = JobRunner(store: try JobStore(path: storePath), client: RunPodClient(endpointURL: fake.endpointURL, apiKey: fake.apiKey),
                               settings: settings)
        runner.leaseSeconds = lease
        return runner
    }

    func transcript(_ name: String) -> TranscriptText { TranscriptText(name: name, text: "the words of \(name)") }

    /// Counts deliveries per job and sink across runners.
    final class Deliveries: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func add(_ job: Int64, _ sink: String) { lock.withLock { counts["\(job) \(sink)", default: 0] += 1 } }
        var all: [String: Int] { lock.withLock { counts } }
    }

    func watch(_ runners: [JobRunner]) -> Deliveries {
        let deliveries = Deliveries()
        for runner in runners {
            runner.onEvent = { event in
                if case .delivered(let job, let sink, _, let error) = event, error == nil { deliveries.add(job.id, sink) }
            }
        }
        return deliveries
    }

    /// Polls with every runner at once until no job is open.
    func drain(_ runners: [JobRunner], seconds: Double = 30) async {
        await withTaskGroup(of: Void.self) { group in
            for runner in runners {
                group.addTask {
                    let deadline = Date().addingTimeInterval(seconds)
                    while Date() < deadline, ((try? runner.store.openCount()) ?? 0) > 0 {
                        await runner.pollDue()
                        try? await Task.sleep(nanoseconds: 5_000_000)
                    }
                }
            }
        }
    }

    // MARK: leases

    func testFourRunnersOnOneStoreDeliverEachSummaryExactlyOnce() async throws {
        fake.scriptForPrompt { prompt in .completing(text: "summary of " + prompt.suffix(12), queuedPolls: 2, runningPolls: 2) }
        fake.setLatency(0.005, on: .status)
        let submitter = try runner()
        let out = dir.appendingPathComponent("out").path
        let pack = dir.appendingPathComponent("coffee.pack")
        try FileManager.default.copyItem(at: TestSupportPaths.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack"), to: pack)
        let video = try XCTUnwrap(try ChannelPack.open(pack.path, options: .init(cache: PackCache(directory: dir.appendingPathComponent("cache"))))
            .database.strings("SELECT video_id FROM video ORDER BY video_id").first)
        var ids: [Int64] = []
        for i in 0..<30 {
            ids.append(try await submitter.submit(transcript(String(format: "talk%02d", i)), source: "t\(i).txt", outputs: JobOutputs(directory: out)).id)
        }
        // A few go into the pack as well (slow deliveries: a whole pack rewrite each).
        for i in 0..<3 {
            ids.append(try await submitter.submit(transcript("episode\(i)"), source: "pack:\(pack.path)#\(video)",
                                                  outputs: JobOutputs(directory: out, packPath: pack.path, videoID: video)).id)
        }
        let runners = try (0..<4).map { _ in try runner() }
        let deliveries = watch(runners)
        await drain(runners)
        XCTAssertEqual(try submitter.store.openCount(), 0)
        XCTAssertEqual(deliveries.all.count, 33 + 3, "every output of every job was delivered")
        XCTAssertEqual(deliveries.all.filter { $0.value != 1 }, [:], "no summary delivered twice")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).count, 33, "one file per job")
        XCTAssertEqual(fake.jobIDs.count, 33, "nothing sent twice")
        for id in ids { XCTAssertEqual(try submitter.store.job(id).state, .completed) }
    }

    func testALeaseOfAProcessThatIsGoneIsTakenAtOnceAndAnExpiredOneWhenItExpires() async throws {
        fake.defaultScript = .completing(text: "done", queuedPolls: 0, runningPolls: 0)
        let first = try runner(lease: 0.6)
        let a = try await first.submit(transcript("a"), source: "a.txt", outputs: JobOutputs())
        let b = try await first.submit(transcript("b"), source: "b.txt", outputs: JobOutputs())
        try await Task.sleep(nanoseconds: 100_000_000)
        // The first runner claims both, then stops without a word (as a killed `jobs wait` does).
        XCTAssertEqual(try first.store.claimDue(owner: first.leaseOwner, dueBy: JobRunner.now(), leaseSeconds: 0.6).count, 2)
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        try first.store.rewriteLeasePID(a.id, pid: dead.processIdentifier)

        let second = try runner()
        let handled = await second.pollDue()
        XCTAssertEqual(handled, 1, "the dead process's job at once; the other is still leased")
        XCTAssertEqual(try second.store.job(a.id).state, .completed)
        XCTAssertNotEqual(try second.store.job(b.id).state, .completed)
        try await Task.sleep(nanoseconds: 700_000_000)
        let later = await second.pollDue()
        XCTAssertEqual(later, 1, "the expired lease")
        XCTAssertEqual(try second.store.job(b.id).state, .completed)
    }

    func testASummaryLeftUndeliveredIsDeliveredOnceByWhicheverRunnerResumesFirst() async throws {
        fake.defaultScript = .completing(text: "kept safe", queuedPolls: 0, runningPolls: 0)
        let out = dir.appendingPathComponent("out").path
        let crashed = try runner()
        let job = try await crashed.submit(transcript("talk"), source: "talk.txt", outputs: JobOutputs(directory: out))
        // The summary is saved, then the process stops before writing it anywhere.
        XCTAssertTrue(try crashed.store.complete(job.id, summary: "kept safe", owner: "gone", leaseSeconds: -1))
        let runners = try (0..<3).map { _ in try runner() }
        let deliveries = watch(runners)
        await withTaskGroup(of: Void.self) { group in
            for runner in runners { group.addTask { try? await runner.resume() } }
        }
        XCTAssertEqual(deliveries.all, ["\(job.id) file": 1])
        XCTAssertEqual(try String(contentsOfFile: out + "/talk_summary.txt", encoding: .utf8), "kept safe")
    }

    // MARK: outputs

    func testTwoSummariesOfOneNameAreBothKeptAndEachRedeliveryFindsItsOwn() async throws {
        fake.enqueue(.completing(text: "The first summary."), .completing(text: "The second summary."))
        let out = dir.appendingPathComponent("out").path
        let runner = try runner()
        let first = try await runner.submit(transcript("episode"), source: "pack:/p.pack#episode", outputs: JobOutputs(directory: out))
        await drain([runner])
        let second = try await runner.submit(transcript("episode"), source: "pack:/p.pack#episode", outputs: JobOutputs(directory: out))
        await drain([runner])
        XCTAssertEqual(try String(contentsOfFile: "\(out)/episode_summary.txt", encoding: .utf8), "The first summary.")
        XCTAssertEqual(try String(contentsOfFile: "\(out)/episode_job\(second.id)_summary.txt", encoding: .utf8), "The second summary.")
        XCTAssertEqual(try runner.store.job(second.id).deliveries.map(\.location), ["\(out)/episode_job\(second.id)_summary.txt"])
        XCTAssertEqual(try runner.store.job(second.id).outputText, "episode_job\(second.id)_summary.txt")

        // Writing each again (the user asks, the file was deleted) goes back to each one's own file.
        try FileManager.default.removeItem(atPath: "\(out)/episode_summary.txt")
        try runner.store.recordDelivery(first.id, sink: "file", location: "\(out)/episode_summary.txt", error: "deleted")
        let again = try await runner.deliver(first.id)
        XCTAssertEqual(again.map(\.location), ["\(out)/episode_summary.txt"])
        XCTAssertEqual(try String(contentsOfFile: "\(out)/episode_summary.txt", encoding: .utf8), "The first summary.")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["episode_job\(second.id)_summary.txt", "episode_summary.txt"])
    }

    func testAFailedPackDeliveryShowsAsFailedAndCanBeDeliveredAgain() async throws {
        let pack = dir.appendingPathComponent("coffee.pack")
        let sample = TestSupportPaths.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack")
        try FileManager.default.copyItem(at: sample, to: pack)
        let cache = PackCache(directory: dir.appendingPathComponent("cache"))
        let video = try XCTUnwrap(try ChannelPack.open(pack.path, options: .init(cache: cache)).database.strings("SELECT video_id FROM video").first)
        fake.enqueue(.completing(text: "What the episode covers.", queuedFor: 0.3, runningFor: 0))
        let runner = try runner()
        let job = try await runner.submit(transcript(video), source: "pack:\(pack.path)#\(video)", outputs: JobOutputs(packPath: pack.path, videoID: video))
        // The pack goes missing before the summary arrives.
        try FileManager.default.moveItem(at: pack, to: dir.appendingPathComponent("elsewhere.pack"))
        await drain([runner])
        let failed = try runner.store.job(job.id)
        XCTAssertEqual(failed.state, .completed, "the summary itself is safe")
        XCTAssertTrue(failed.hasFailed)
        XCTAssertEqual(failed.stateText, "delivery failed")
        XCTAssertEqual(failed.failedDeliveries.map(\.sink), ["pack"])
        XCTAssertTrue(failed.outputText.hasPrefix("FAILED pack coffee.pack"), failed.outputText)
        XCTAssertEqual(try runner.store.summary(job.id), "What the episode covers.")

        // A runner resuming later does not retry a failure by itself; the user does.
        let deliveries = watch([runner])
        try await runner.resume()
        XCTAssertEqual(deliveries.all, [:])
        try FileManager.default.moveItem(at: dir.appendingPathComponent("elsewhere.pack"), to: pack)
        let redone = try await runner.deliver(job.id)
        XCTAssertEqual(redone.map(\.succeeded), [true])
        XCTAssertFalse(try runner.store.job(job.id).hasFailed)
        XCTAssertEqual(try ChannelPack.open(pack.path, options: .init(cache: cache)).database.strings("SELECT text FROM summary"),
                       ["What the episode covers."])
        let nothing = try await runner.deliver(job.id)
        XCTAssertEqual(nothing.count, 0, "nothing left to deliver")
    }

    func testAFailedJobNamesNoOutputAndAFinishedJobsElapsedTimeStops() async throws {
        fake.enqueue(.ending(in: .failed(error: "out of memory")), .completing(text: "fine"))
        let out = dir.appendingPathComponent("out").path
        let runner = try runner()
        let failed = try await runner.submit(transcript("bad"), source: "bad.txt", outputs: JobOutputs(directory: out))
        let good = try await runner.submit(transcript("good"), source: "good.txt", outputs: JobOutputs(directory: out))
        await drain([runner])
        let f = try runner.store.job(failed.id), g = try runner.store.job(good.id)
        XCTAssertEqual(f.state, .failed)
        XCTAssertEqual(f.outputText, "", "no summary, so no output")
        XCTAssertEqual(g.outputText, "good_summary.txt")
        let finished = try XCTUnwrap(g.finishedAt)
        XCTAssertEqual(g.elapsed(now: finished + 3600), g.elapsed(now: finished + 7200), "a finished job's run time is fixed")
        XCTAssertEqual(f.elapsed(now: JobRunner.now() + 3600), f.elapsed(now: JobRunner.now()), accuracy: 0.001)
    }
}
