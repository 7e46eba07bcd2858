import Foundation
import PackKit

/// How a pack's summaries stand, from the jobs that write into it: how many videos' summaries are in the pack,
/// waiting to go in, running, queued or failed, and the channel overview. `ytce jobs list` and the jobs panel show
/// one line per pack.
public struct ChannelProgress: Sendable, Equatable {
    public var packPath: String
    /// Videos whose latest job's summary is in the pack.
    public var attached = 0
    /// Summaries done and waiting for the next batch rewrite of the pack.
    public var waitingForPack = 0
    public var running = 0
    public var queued = 0
    /// Failed, lost, given up, cancelled, of unknown fate, or not written to the pack.
    public var failed = 0
    /// The overview's job state, if one was sent.
    public var overview: String?

    public var videos: Int { attached + waitingForPack + running + queued + failed }

    /// One entry per pack that jobs write into, from the latest job of each of its videos; sorted by pack.
    public static func of(_ jobs: [Job]) -> [ChannelProgress] {
        var latest: [String: [String: Job]] = [:]
        for job in jobs where job.role == .single || job.role == .parent {
            guard let pack = job.outputs.packPath, let video = job.outputs.videoID else { continue }
            if let seen = latest[pack]?[video], seen.id > job.id { continue }
            latest[pack, default: [:]][video] = job
        }
        return latest.keys.sorted().map { pack in
            var progress = ChannelProgress(packPath: pack)
            for (video, job) in latest[pack] ?? [:] {
                if video == PackSummaryWriter.channelVideoID {
                    progress.overview = job.stateText
                    continue
                }
                let delivery = job.deliveries.first { $0.sink == "pack" }
                switch job.state {
                case .completed:
                    if let delivery {
                        if delivery.succeeded { progress.attached += 1 } else { progress.failed += 1 }
                    } else {
                        progress.waitingForPack += 1
                    }
                case .inProgress, .waitingForParts: progress.running += 1
                case .queued, .waitingToSubmit, .submitting: progress.queued += 1
                default: progress.failed += 1
                }
            }
            return progress
        }
    }

    /// `coffee.pack: 3/5 videos in the pack · 1 running · 1 queued · overview completed`
    public var line: String {
        var parts = ["\((packPath as NSString).lastPathComponent): \(attached)/\(videos) videos in the pack"]
        if waitingForPack > 0 { parts.append("\(waitingForPack) waiting to go in") }
        if running > 0 { parts.append("\(running) running") }
        if queued > 0 { parts.append("\(queued) queued") }
        if failed > 0 { parts.append("\(failed) failed") }
        if let overview { parts.append("overview \(overview)") }
        return parts.joined(separator: " · ")
    }
}
