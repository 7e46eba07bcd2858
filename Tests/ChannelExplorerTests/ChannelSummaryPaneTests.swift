@testable import ChannelExplorer
import Foundation
import JobKit
import PackKit
import TUI
import XCTest

/// What `ytce jobs summarize` leaves, as the TUI shows it: the channel overview in the library, and each pack's
/// progress above the jobs in the jobs panel (real pack files, real SQLite store, the in-memory terminal).
final class ChannelSummaryPaneTests: XCTestCase {
    func copyOfTheSamplePack() throws -> (URL, URL) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ytce-channel-ui-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let pack = work.appendingPathComponent("coffee-lab.pack")
        try FileManager.default.copyItem(atPath: ExplorerFixture.samplePack, toPath: pack.path)
        return (work, pack)
    }

    func testTheLibraryShowsTheChannelOverview() async throws {
        let (work, pack) = try copyOfTheSamplePack()
        defer { try? FileManager.default.removeItem(at: work) }
        try PackSummaryWriter.attach([PackSummaryWriter.Entry(videoID: PackSummaryWriter.channelVideoID, kind: PackSummaryWriter.channelOverviewKind,
                                                              text: "A channel about brewing coffee at home.")], to: pack.path)
        let f = try ExplorerFixture(width: 120, height: 30, packs: [pack.path])
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { $0.library.overview != nil }
        XCTAssertTrue(f.screen.contains("Library · 5 videos · channel overview"), f.screen)
        f.driver.press(.character("o"))
        _ = await f.driver.waitUntil { $0.popup != nil }
        XCTAssertTrue(f.screen.contains("A channel about brewing coffee at home."), f.screen)
    }

    /// A pack's episode summaries where the analyst looks: under the library's list for the selected video (the
    /// short one when there are both), and on top of its transcript (the long one).
    func testEpisodeSummariesShowInTheLibraryAndOnTopOfTheTranscript() async throws {
        let (work, pack) = try copyOfTheSamplePack()
        defer { try? FileManager.default.removeItem(at: work) }
        let listed = try VideoListing.all(in: try ChannelPack.open(pack.path, options: .init(cache: PackCache(directory: work.appendingPathComponent("c")))))
        let (first, second) = (listed[0], listed[1])
        try PackSummaryWriter.attach([
            PackSummaryWriter.Entry(videoID: first.videoID, kind: "episode_long", text: "The long account of the first video, for the transcript."),
            PackSummaryWriter.Entry(videoID: first.videoID, kind: "episode_short", text: "Short: grinders compared side by side."),
        ], to: pack.path)
        let f = try ExplorerFixture(width: 120, height: 30, packs: [pack.path])
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        XCTAssertEqual(f.driver.model.library.selected?.videoID, first.videoID)
        XCTAssertTrue(f.screen.contains("Summary · \(first.title.prefix(20))"), f.screen)
        XCTAssertTrue(f.screen.contains("Short: grinders compared side by side."), f.screen)
        XCTAssertFalse(f.screen.contains("The long account"), f.screen)
        // A video without one shows none.
        f.driver.press(.character("j"))
        XCTAssertEqual(f.driver.model.library.selected?.videoID, second.videoID)
        XCTAssertFalse(f.screen.contains("Short: grinders"), f.screen)
        XCTAssertFalse(f.screen.contains("Summary · "), f.screen)
        // The transcript opens with the episode summary on top.
        f.driver.press(.character("k"), .enter)
        _ = await f.driver.waitUntil { $0.transcript.transcript?.videoID == first.videoID }
        let lines = f.screen.components(separatedBy: "\n")
        let heading = try XCTUnwrap(lines.firstIndex { $0.contains("Episode summary") }, f.screen)
        XCTAssertTrue(lines[heading + 1].contains("The long account of the first video"), f.screen)
        let firstSegment = try XCTUnwrap(f.driver.model.transcript.transcript?.segments.first?.text.prefix(15))
        XCTAssertGreaterThan(try XCTUnwrap(lines.firstIndex { $0.contains(firstSegment) }, f.screen), heading + 1)
    }

    /// A summary attached to the open pack (the jobs panel's `p`; a job's own delivery goes the same way) shows at
    /// once on top of the open transcript and in the library, without reopening the pack; the cursor stays on its line.
    func testASummaryAttachedToTheOpenPackShowsAtOnce() async throws {
        let (work, pack) = try copyOfTheSamplePack()
        defer { try? FileManager.default.removeItem(at: work) }
        let f = try ExplorerFixture(width: 120, height: 30, packs: [pack.path])
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        let video = try XCTUnwrap(f.driver.model.library.selected)
        XCTAssertNil(video.summary)
        f.driver.press(.enter)
        _ = await f.driver.waitUntil { $0.transcript.transcript?.videoID == video.videoID }
        f.driver.press(.character("j"), .character("j"))
        let line = f.driver.model.transcript.rows?.text(of: f.driver.model.transcript.cursor)
        XCTAssertFalse(f.screen.contains("Episode summary"), f.screen)

        let store = try XCTUnwrap(f.context.jobs?.store)
        let job = try store.create(source: "pack:\(pack.path)#\(video.videoID)", name: video.videoID, role: .single, endpoint: "http://x",
                                   prompt: "p", outputs: JobOutputs(), maxWait: 60)
        _ = try store.complete(job.id, summary: "Freshly summarised: the whole episode in a line.", owner: "t", leaseSeconds: 0)
        f.driver.press(.alt("5"))
        _ = await f.driver.waitUntil { $0.jobs.jobs.count == 1 }
        f.driver.press(.character("p"))
        let shown = await f.driver.waitUntil(timeout: 20) { $0.library.videos.first { $0.videoID == video.videoID }?.hasSummary == true }
        XCTAssertTrue(shown, f.driver.model.status.error ?? "")
        f.driver.press(.alt("3"))
        XCTAssertTrue(f.screen.contains("Episode summary"), f.screen)
        XCTAssertTrue(f.screen.contains("Freshly summarised: the whole episode in a line."), f.screen)
        XCTAssertEqual(f.driver.model.transcript.rows?.text(of: f.driver.model.transcript.cursor), line, "the cursor stays on its line")
        f.driver.press(.alt("4"))
        XCTAssertTrue(f.screen.contains("Summary · "), f.screen)
        XCTAssertTrue(f.screen.contains("Freshly summarised: the whole episode in a line."), f.screen)
        XCTAssertFalse(f.driver.model.status.notice?.contains("reopen") ?? false)

        // A job whose runner delivers into the open pack (the library's s): shown when the job list sees it finish.
        let second = try XCTUnwrap(f.driver.model.library.videos.first { $0.videoID != video.videoID && $0.summary == nil })
        var delivered = try store.create(source: "pack:\(pack.path)#\(second.videoID)", name: second.videoID, role: .single, endpoint: "http://x",
                                         prompt: "p", outputs: JobOutputs(packPath: pack.path, videoID: second.videoID), maxWait: 60)
        _ = try store.complete(delivered.id, summary: "Delivered by the job's runner.", owner: "t", leaseSeconds: 0)
        delivered.state = .inProgress
        f.driver.deliver(.jobsLoaded([delivered]))
        delivered.state = .completed
        f.driver.deliver(.jobsLoaded([delivered]))
        let arrived = await f.driver.waitUntil(timeout: 10) { $0.library.videos.first { $0.videoID == second.videoID }?.summary != nil }
        XCTAssertTrue(arrived)
        XCTAssertEqual(f.driver.model.library.videos.first { $0.videoID == second.videoID }?.summary, "Delivered by the job's runner.")
    }

    func testThePickerShowsTheOverviewsOpeningWords() async throws {
        let (work, pack) = try copyOfTheSamplePack()
        defer { try? FileManager.default.removeItem(at: work) }
        try PackSummaryWriter.attach([PackSummaryWriter.Entry(videoID: PackSummaryWriter.channelVideoID, kind: PackSummaryWriter.channelOverviewKind,
                                                              text: "\nHome espresso, grinders and cold brew.\n\nMore below.")], to: pack.path)
        XCTAssertEqual(try PackPreview.read(pack.path).channelOverview, "\nHome espresso, grinders and cold brew.\n\nMore below.", "read in place")
        XCTAssertNil(try PackPreview.read(ExplorerFixture.samplePack).channelOverview)
        // A pack that fails to open keeps the picker up, listing the one with an overview too.
        let bad = work.appendingPathComponent("bad.pack")
        try Data("not a zip".utf8).write(to: bad)
        let f = try ExplorerFixture(width: 160, height: 30, packs: [bad.path, pack.path])
        defer { f.cleanUp() }
        _ = await f.driver.waitUntil { !$0.picker.loading && $0.picker.opening == nil }
        XCTAssertTrue(f.screen.contains("(command line)  · Home espresso, grinders and cold brew."), f.screen)
        XCTAssertFalse(f.screen.contains("More below."), f.screen)
    }

    func testALibraryWithoutAnOverviewSaysHowToMakeOne() async throws {
        let f = try ExplorerFixture(width: 120, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        f.driver.press(.alt("4"))
        _ = await f.driver.waitUntil { !$0.library.videos.isEmpty }
        f.driver.press(.character("o"))
        XCTAssertNil(f.driver.model.popup)
        XCTAssertTrue(f.driver.model.status.error?.contains("ytce jobs summarize --pack PACK --wait") ?? false, f.driver.model.status.error ?? "")
    }

    func testTheJobsPanelShowsEachPacksProgress() async throws {
        let f = try ExplorerFixture(width: 140, height: 30)
        defer { f.cleanUp() }
        await f.waitForPack()
        let store = try XCTUnwrap(f.context.jobs?.store)
        let pack = "/packs/talks.pack"
        func job(_ video: String) throws -> Job {
            try store.create(source: "pack:\(pack)#\(video)", name: video, role: .single, endpoint: "http://x", prompt: "p",
                             outputs: JobOutputs(packPath: pack, videoID: video), maxWait: 60)
        }
        let attached = try job("v1")
        _ = try store.complete(attached.id, summary: "one", owner: "t", leaseSeconds: 0)
        try store.recordDelivery(attached.id, sink: "pack", location: "\(pack)#v1", error: nil)
        let waiting = try job("v2")
        _ = try store.complete(waiting.id, summary: "two", owner: "t", leaseSeconds: 0)
        let running = try job("v3")
        try store.submitted(running.id, runpodID: "r3", state: .inProgress, nextPollAt: Date().timeIntervalSince1970 + 3600)
        f.driver.press(.alt("5"))
        _ = await f.driver.waitUntil { $0.jobs.jobs.count == 3 }
        XCTAssertTrue(f.screen.contains("talks.pack: 1/3 videos in the pack · 1 waiting to go in · 1 running"), f.screen)
        // Each video's own state is its job's row.
        for video in ["v1", "v2", "v3"] { XCTAssertTrue(f.screen.contains(video), f.screen) }
    }
}
