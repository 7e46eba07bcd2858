import Foundation
import PackKit

/// What summarising a whole channel would send, worked out before anything is sent: the videos chosen (those
/// missing a summary, all, or named ones), how many jobs and input tokens that makes, and what it should cost and
/// take. Videos that already have a job on its way (sent, waiting, or sending) are left out, so running the same
/// command again after a kill sends only what was never sent.
public struct ChannelSummaryPlan: Sendable {
    public enum Selection: Sendable, Equatable {
        /// Videos with no episode summary in the pack.
        case missing
        /// Every video with a transcript.
        case all
        /// These videos.
        case videos([String])
    }

    public struct Item: Sendable {
        public var videoID: String
        public var transcript: TranscriptText
        /// Jobs it takes: 1, or its parts plus the job that combines them.
        public var jobs: Int
        public var inputTokens: Int
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The pack's absolute path.
    public var packPath: String
    public var items: [Item]
    /// Videos chosen but left out because a job for them is already under way (id and that job).
    public var alreadyUnderWay: [(videoID: String, jobID: Int64)]
    /// Videos `--missing` left out because the pack already has their summary.
    public var alreadySummarised: Int

    public var jobCount: Int { items.reduce(0) { $0 + $1.jobs } }
    public var inputTokens: Int { items.reduce(0) { $0 + $1.inputTokens } }

    /// `pack:PATH#VIDEO`, the source of a video's job (the same as `jobs submit --pack` writes).
    public static func source(packPath: String, videoID: String) -> String { "pack:\(packPath)#\(videoID)" }

    /// Chooses the videos of `pack` (opened from `packPath`) and sizes their jobs the way `runner` will send them.
    public static func make(pack: ChannelPack, packPath: String, selection: Selection, runner: JobRunner,
                            timestamps: Bool = false) throws(Problem) -> ChannelSummaryPlan {
        let path = URL(fileURLWithPath: packPath).path
        func fail(_ message: String) -> Problem { Problem(description: "\(path): \(message)") }
        let videos: [String]
        let summarised: Set<String>
        do {
            videos = try pack.database.strings("SELECT video_id FROM video WHERE video_id IN (SELECT DISTINCT video_id FROM transcript_segment) ORDER BY rowid")
            summarised = Set(try pack.database.strings("SELECT DISTINCT video_id FROM summary WHERE kind IN ('episode_long', 'episode_short') AND length(text) > 0"))
        } catch { throw fail("cannot read its videos: \(error)") }
        var chosen: [String]
        var skippedSummarised = 0
        switch selection {
        case .all: chosen = videos
        case .missing:
            chosen = videos.filter { !summarised.contains($0) }
            skippedSummarised = videos.count - chosen.count
        case .videos(let ids):
            let known = Set(videos)
            for id in ids where !known.contains(id) { throw fail("no video '\(id)' with a transcript in this pack") }
            var seen = Set<String>()
            chosen = ids.filter { seen.insert($0).inserted }
        }
        // A job sent, waiting to be sent, being sent or of unknown fate, or done but not (yet) in the pack (its
        // summary is in the store: `jobs deliver` puts it in): sending the video again would pay twice.
        let underWay: [String: Int64]
        do {
            let jobs = try runner.store.jobs(sourcePrefix: "pack:\(path)#").filter { $0.role == .single || $0.role == .parent }
            var map: [String: Int64] = [:]
            for job in jobs where job.outputs.packPath == path {
                let waiting = job.isOpen || job.state == .submitting || job.state == .submissionUnknown
                    || (job.state == .completed && !job.deliveries.contains { $0.sink == "pack" && $0.succeeded })
                if waiting, let video = job.outputs.videoID, map[video] == nil { map[video] = job.id }
            }
            underWay = map
        } catch { throw fail("cannot read the job store: \(error)") }
        var items: [Item] = []
        var skipped: [(videoID: String, jobID: Int64)] = []
        let budget = runner.transcriptBudget
        let templateTokens = (runner.settings.promptTemplate.utf8.count + 3) / 4
        for video in chosen {
            if let job = underWay[video] { skipped.append((video, job)); continue }
            let text: TranscriptText
            do { text = try TranscriptText.packVideo(pack, videoID: video, timestamps: timestamps) } catch { throw Problem(description: error.description) }
            let parts = text.parts(maxTokens: budget).count
            // Parts each carry the template; the combining job reads the parts' summaries (at most their answers).
            let combine = parts > 1 ? parts * runner.settings.maxNewTokens : 0
            let (tokens, overflow) = text.estimatedTokens.addingReportingOverflow(parts * templateTokens + combine)
            guard !overflow else { throw fail("video '\(video)' is too long to count") }
            items.append(Item(videoID: video, transcript: text, jobs: parts > 1 ? parts + 1 : 1, inputTokens: tokens))
        }
        return ChannelSummaryPlan(packPath: path, items: items, alreadyUnderWay: skipped, alreadySummarised: skippedSummarised)
    }

    /// What the plan should cost and take.
    public struct Estimate: Sendable, Equatable {
        /// In the currency of `jobs.price_per_1k_tokens` (nil when it is not set).
        public var cost: Double?
        public var seconds: Double
        /// Seconds one job takes: learnt from finished jobs, or assumed.
        public var secondsPerJob: Double
        public var learnt: Bool
    }

    /// One job's time when the store has no finished job to learn from.
    public static let assumedSecondsPerJob = 120.0

    /// Cost from the configured price per 1,000 input tokens; time from the median run of the store's finished jobs
    /// (else `assumedSecondsPerJob`), with `jobs.concurrency` jobs running at once.
    public func estimate(settings: JobSettings, finished: [Job]) -> Estimate {
        let runs = finished.filter { $0.state == .completed && $0.role != .parent }.compactMap { job -> Double? in
            guard let start = job.submittedAt, let end = job.finishedAt, end > start else { return nil }
            return end - start
        }.sorted()
        let perJob = runs.count >= 3 ? runs[runs.count / 2] : Self.assumedSecondsPerJob
        // Parts run in parallel, the combining job after them: a video takes at least two rounds when split.
        let rounds = (Double(jobCount) / Double(max(1, settings.concurrency))).rounded(.up)
        let longest = items.contains { $0.jobs > 1 } ? 2.0 : 1.0
        return Estimate(cost: settings.pricePer1kTokens.map { Double(inputTokens) / 1000 * $0 },
                        seconds: jobCount == 0 ? 0 : max(rounds, longest) * perJob, secondsPerJob: perJob, learnt: runs.count >= 3)
    }
}
