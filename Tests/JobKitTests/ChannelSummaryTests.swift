import Foundation
import HTTPTestServer
import TestHarness
import XCTest
@testable import JobKit
@testable import PackKit

/// Whole-channel summaries (`ytce jobs summarize`) on the sample pack, against the fake RunPod over loopback: the
/// plan and its estimate, summaries put into the real `.pack` in batches, the channel overview, the confirmation,
/// and a run killed mid-way that resumes without sending any video twice.
final class ChannelSummaryTests: XCTestCase {
    var fake: FakeRunPod!
    var dir: URL!
    var pack: URL!
    var cache: PackCache!
    /// Each video's transcript, to tell from a prompt which video it is.
    var transcripts: [String: String] = [:]

    override func setUpWithError() throws {
        fake = try FakeRunPod()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-channel-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        pack = dir.appendingPathComponent("coffee.pack")
        try FileManager.default.copyItem(at: TestSupportPaths.repoRoot.appendingPathComponent("sample-packs/coffee-lab.pack"), to: pack)
        cache = PackCache(directory: dir.appendingPathComponent("cache"))
        let opened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        for video in try opened.database.strings("SELECT video_id FROM video") {
            transcripts[video] = try TranscriptText.packVideo(opened, videoID: video, timestamps: false).text
        }
        XCTAssertGreaterThanOrEqual(transcripts.count, 3, "the sample pack has several videos")
        let known = transcripts
        // Each video's summary names it; the overview says what it is.
        fake.scriptForPrompt { prompt in
            if prompt.contains("overview of the whole channel") { return .completing(text: "Channel overview.", queuedPolls: 1, runningPolls: 1) }
            let video = known.first { prompt.contains($0.value) }?.key ?? "?"
            return .completing(text: "Summary of \(video).", queuedPolls: 1, runningPolls: 1)
        }
    }

    override func tearDown() {
        fake.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    func runner() throws -> JobRunner {
        var settings = JobSettings()
        settings.pollInterval = 0.05
        settings.maxWait = 60
        settings.pricePer1kTokens = 0.5
        settings.concurrency = 2
        let store = try JobStore(path: dir.appendingPathComponent("jobs.sqlite").path)
        return JobRunner(store: store, client: RunPodClient(endpointURL: fake.endpointURL, apiKey: fake.apiKey), settings: settings)
    }

    func summaries(kind: String = "episode_long") throws -> [String: String] {
        let opened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        let s = try opened.database.prepare("SELECT video_id, text FROM summary WHERE kind = ?1")
        s.bind(1, kind)
        var out: [String: String] = [:]
        while try s.step() { out[s.string(0) ?? ""] = s.string(1) ?? "" }
        return out
    }

    func inode() -> UInt64 {
        var info = stat()
        return stat(pack.path, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    func testAChannelIsPlannedEstimatedAndItsSummariesGoIntoThePackInOneRewrite() async throws {
        let runner = try runner()
        let opened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        let plan = try ChannelSummaryPlan.make(pack: opened, packPath: pack.path, selection: .missing, runner: runner)
        XCTAssertEqual(Set(plan.items.map(\.videoID)), Set(transcripts.keys), "the sample pack has no summaries: all are missing")
        XCTAssertEqual(plan.jobCount, transcripts.count, "short videos: one job each")
        let tokens = plan.inputTokens
        XCTAssertGreaterThan(tokens, transcripts.values.reduce(0) { $0 + $1.utf8.count / 4 }, "transcripts plus the prompt")
        let estimate = plan.estimate(settings: runner.settings, finished: [])
        XCTAssertEqual(try XCTUnwrap(estimate.cost), Double(tokens) / 1000 * 0.5, accuracy: 1e-9)
        let rounds = Double((transcripts.count + 1) / 2)
        XCTAssertEqual(estimate.seconds, rounds * ChannelSummaryPlan.assumedSecondsPerJob, "two at once, the assumed time each")
        XCTAssertFalse(estimate.learnt)

        for item in plan.items {
            try await runner.submit(item.transcript, source: ChannelSummaryPlan.source(packPath: pack.path, videoID: item.videoID),
                                    outputs: JobOutputs(packPath: pack.path, videoID: item.videoID))
        }
        // Sent and not yet back: planning again (even --all) sends none of them a second time.
        let again = try ChannelSummaryPlan.make(pack: opened, packPath: pack.path, selection: .all, runner: runner)
        XCTAssertTrue(again.items.isEmpty, "\(again.items.map(\.videoID))")
        XCTAssertEqual(again.alreadyUnderWay.count, transcripts.count)

        // Every round polls all of them: they complete in the same round and go into the pack together.
        let before = inode()
        var rewrites = 0
        var last = before
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, runner.secondsUntilNextPoll() != nil {
            await runner.pollDue(now: JobRunner.now() + 60)
            if inode() != last { rewrites += 1; last = inode() }
        }
        XCTAssertEqual(fake.requestCount(.run), transcripts.count)
        XCTAssertEqual(try summaries(), Dictionary(uniqueKeysWithValues: transcripts.keys.map { ($0, "Summary of \($0).") }))
        XCTAssertEqual(rewrites, 1, "\(transcripts.count) summaries arriving together cost one rewrite of the pack")
        for job in try runner.store.allJobs() {
            XCTAssertTrue(job.isSettled, "\(job.id) \(job.stateText)")
            XCTAssertEqual(job.deliveries.map(\.sink), ["pack"])
            XCTAssertTrue(job.deliveries.allSatisfy(\.succeeded), job.outputText)
        }
        // Now nothing is missing.
        let reopened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        let done = try ChannelSummaryPlan.make(pack: reopened, packPath: pack.path, selection: .missing, runner: runner)
        XCTAssertTrue(done.items.isEmpty)
        XCTAssertEqual(done.alreadySummarised, transcripts.count)
        // And the next estimate learns the time a job takes from these.
        XCTAssertTrue(plan.estimate(settings: runner.settings, finished: try runner.store.allJobs()).learnt)
    }

    func testASummaryThatDidNotReachThePackIsDeliveredAgainNotResent() throws {
        let runner = try runner()
        let video = try XCTUnwrap(transcripts.keys.sorted().first)
        let job = try runner.store.create(source: ChannelSummaryPlan.source(packPath: pack.path, videoID: video), name: video, role: .single,
                                          endpoint: fake.endpointURL, prompt: "p", outputs: JobOutputs(packPath: pack.path, videoID: video), maxWait: 60)
        _ = try runner.store.complete(job.id, summary: "kept in the store", owner: "t", leaseSeconds: 0)
        try runner.store.recordDelivery(job.id, sink: "pack", location: "\(pack.path)#\(video)", error: "disk full")
        let opened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        let plan = try ChannelSummaryPlan.make(pack: opened, packPath: pack.path, selection: .missing, runner: runner)
        XCTAssertFalse(plan.items.contains { $0.videoID == video }, "its summary exists: `jobs deliver` puts it in")
        XCTAssertEqual(plan.alreadyUnderWay.map(\.jobID), [job.id])
        // Once in the pack, --all may summarise it afresh.
        try runner.store.recordDelivery(job.id, sink: "pack", location: "\(pack.path)#\(video)", error: nil)
        XCTAssertTrue(try ChannelSummaryPlan.make(pack: opened, packPath: pack.path, selection: .all, runner: runner).items.contains { $0.videoID == video })
    }

    func testAVideoThePackLacksFailsAloneAndTheOthersGoIn() throws {
        let video = try XCTUnwrap(transcripts.keys.sorted().first)
        let refused = try PackSummaryWriter.attach([PackSummaryWriter.Entry(videoID: video, text: "kept"),
                                                    PackSummaryWriter.Entry(videoID: "no-such-video", text: "lost")], to: pack.path)
        XCTAssertEqual(refused, ["no-such-video": "the pack has no video 'no-such-video'"])
        XCTAssertEqual(try summaries(), [video: "kept"])
    }

    func testTheChannelOverviewIsMadeFromTheEpisodeSummariesAndGoesIntoThePack() async throws {
        let videos = transcripts.keys.sorted()
        try PackSummaryWriter.attach(videos.map { PackSummaryWriter.Entry(videoID: $0, text: "Episode summary of \($0).") }, to: pack.path)
        let runner = try runner()
        let opened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        let job = try await ChannelOverview.submit(runner: runner, pack: opened, packPath: pack.path)
        let again = try await ChannelOverview.submit(runner: runner, pack: opened, packPath: pack.path)
        XCTAssertEqual(again.id, job.id, "an overview under way is not sent again")
        XCTAssertEqual(fake.requestCount(.run), 1)
        let prompt = try XCTUnwrap(fake.prompt(of: try XCTUnwrap(fake.jobIDs.first)))
        for video in videos { XCTAssertTrue(prompt.contains("Episode summary of \(video)."), "the overview reads every episode summary") }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, runner.secondsUntilNextPoll() != nil { await runner.pollDue(now: JobRunner.now() + 60) }
        XCTAssertEqual(try summaries(kind: PackSummaryWriter.channelOverviewKind), [PackSummaryWriter.channelVideoID: "Channel overview."])
        let reopened = try ChannelPack.open(pack.path, options: .init(cache: cache))
        XCTAssertEqual(PackSummaryWriter.channelOverview(database: reopened.database), "Channel overview.")
        XCTAssertEqual(try summaries().count, videos.count, "the episode summaries stay")
    }

    // MARK: the command

    func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["RUNPOD_ENDPOINT_URL"] = fake.endpointURL
        environment["RUNPOD_API_KEY"] = fake.apiKey
        environment["YTCE_DATA_DIR"] = dir.appendingPathComponent("data").path
        environment["YTCE_CACHE_DIR"] = dir.appendingPathComponent("cache").path
        return environment
    }

    func testWithoutATerminalOrYesNothingIsSentAndTheEstimateIsPrinted() throws {
        let ytce = try JobCrashTests.ytce()
        let config = dir.appendingPathComponent("config.json")
        try Data(#"{"jobs": {"price_per_1k_tokens": 0.25, "concurrency": 3}}"#.utf8).write(to: config)
        let result = try JobsCLITests.run(ytce, ["jobs", "summarize", "--pack", pack.path, "--config", config.path], environment: environment())
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(fake.requestCount(.run), 0, "nothing sent")
        XCTAssertTrue(result.stdout.hasPrefix("\(transcripts.count) jobs for \(transcripts.count) videos · "), result.stdout)
        XCTAssertTrue(result.stdout.contains("(jobs.price_per_1k_tokens)") && result.stdout.contains("with 3 at once"), result.stdout)
        XCTAssertTrue(result.stderr.contains("stdin is not a terminal; add --yes"), result.stderr)

        let bad = dir.appendingPathComponent("bad.json")
        try Data(#"{"jobs": {"concurrency": 0}}"#.utf8).write(to: bad)
        let refused = try JobsCLITests.run(ytce, ["jobs", "summarize", "--pack", pack.path, "--yes", "--config", bad.path], environment: environment())
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("'jobs.concurrency' must be a whole number from 1 to 1000"), refused.stderr)
        XCTAssertEqual(fake.requestCount(.run), 0)
    }

    /// The issue's case: killed mid-run and started again, every video is summarised, none is sent twice.
    func testKilledMidRunItResumesWithNothingSentTwice() throws {
        let ytce = try JobCrashTests.ytce()
        let environment = environment()
        // Slow `/run` answers: the kill lands while videos are still being sent.
        fake.setLatency(0.3, on: .run)
        let storePath = dir.appendingPathComponent("data/jobs.sqlite").path
        let common = ["jobs", "summarize", "--pack", pack.path, "--yes", "--wait", "--poll-interval", "0.1", "--max-wait", "10m"]
        let first = Process()
        first.executableURL = URL(fileURLWithPath: ytce)
        first.arguments = common + ["--all"]
        first.environment = environment
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, first.isRunning, fake.requestCount(.run) < 2 { usleep(20_000) }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let sentBeforeKill = fake.requestCount(.run)
        XCTAssertGreaterThanOrEqual(sentBeforeKill, 2)
        XCTAssertLessThan(sentBeforeKill, transcripts.count, "killed while sending")

        fake.setLatency(0, on: .run)
        let second = try JobsCLITests.run(ytce, common + ["--missing"], environment: environment)
        // A video whose `/run` was cut off by the kill is of unknown fate: it is left for the user, never resent.
        let store = try JobStore(path: storePath)
        let unknown = try store.allJobs().filter { $0.state == .submissionUnknown }.compactMap(\.outputs.videoID)
        XCTAssertLessThanOrEqual(unknown.count, 1, "only the one being sent at the kill")
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)

        // Each video reached RunPod at most once, and the overview once.
        let prompts = fake.jobIDs.compactMap { fake.prompt(of: $0) }
        XCTAssertEqual(prompts.count, fake.requestCount(.run))
        for (video, text) in transcripts {
            XCTAssertLessThanOrEqual(prompts.filter { $0.contains(text) }.count, 1, "\(video) sent twice")
        }
        XCTAssertEqual(prompts.filter { $0.contains("overview of the whole channel") }.count, 1)
        let expected = Dictionary(uniqueKeysWithValues: transcripts.keys.filter { !unknown.contains($0) }.map { ($0, "Summary of \($0).") })
        XCTAssertEqual(try summaries(), expected)
        XCTAssertEqual(try summaries(kind: PackSummaryWriter.channelOverviewKind), [PackSummaryWriter.channelVideoID: "Channel overview."])
        XCTAssertEqual(try SQLiteDatabase(path: storePath, mode: .readOnly(immutable: false)).strings("PRAGMA integrity_check"), ["ok"])

        // `jobs list` leads with the pack's progress, then a line per video's job.
        let list = try JobsCLITests.run(ytce, ["jobs", "list"], environment: environment)
        let head = "coffee.pack: \(expected.count)/\(transcripts.count) videos in the pack"
            + (unknown.isEmpty ? "" : " · \(unknown.count) failed") + " · overview completed"
        XCTAssertEqual(list.stdout.split(separator: "\n").first.map(String.init), head, list.stdout)
        for video in expected.keys { XCTAssertTrue(list.stdout.contains("\tcompleted\t\(video)\t"), list.stdout) }
    }
}
