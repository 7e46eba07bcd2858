import Foundation
import PackKit

/// Summaries go into their packs in batches: a `.pack` is rewritten whole (an atomic rename), so a channel of a
/// thousand videos attached one summary at a time would rewrite it a thousand times. Jobs with a pack output leave
/// it for this step (`deliver` skips the pack sink); the runner then claims every completed job still waiting for its
/// pack and puts each pack's summaries in with one rewrite per `packBatchLimit`. The store is the queue: a runner
/// killed before the rewrite leaves the jobs without a pack delivery, and the next runner attaches them.
extension JobRunner {
    /// Summaries put into a pack by one rewrite at most (a bound on the work a kill can waste).
    static let packBatchLimit = 200

    /// The pack `kind` a job's summary is stored as: a channel overview or an episode summary.
    static func packKind(_ job: Job) -> String {
        job.outputs.videoID == PackSummaryWriter.channelVideoID ? PackSummaryWriter.channelOverviewKind : "episode_long"
    }

    /// Attaches every completed summary that waits for its pack; returns how many were attached.
    @discardableResult
    public func attachPendingToPacks() async -> Int {
        guard let jobs = try? store.claimPackAttachments(owner: leaseOwner, leaseSeconds: leaseSeconds), !jobs.isEmpty else { return 0 }
        var byPack: [String: [(Job, String)]] = [:]
        for job in jobs {
            guard let pack = job.outputs.packPath, let summary = try? store.summary(job.id) else {
                try? store.release(job.id, owner: leaseOwner)
                continue
            }
            byPack[pack, default: []].append((job, summary))
        }
        var attached = 0
        for pack in byPack.keys.sorted() {
            let items = byPack[pack] ?? []
            for start in stride(from: 0, to: items.count, by: Self.packBatchLimit) {
                let batch = Array(items[start..<min(items.count, start + Self.packBatchLimit)])
                attached += await attach(batch, to: pack)
                for (job, _) in batch { try? store.release(job.id, owner: leaseOwner) }
            }
        }
        return attached
    }

    /// Puts `batch` (jobs the caller holds, with their summaries) into `pack` with one rewrite and records each
    /// delivery; returns how many went in.
    func attach(_ batch: [(Job, String)], to pack: String) async -> Int {
        let entries = batch.map { PackSummaryWriter.Entry(videoID: $0.0.outputs.videoID ?? "", kind: Self.packKind($0.0), text: $0.1) }
        var refused: [String: String] = [:]
        var failure: String?
        do { refused = try PackSummaryWriter.attach(entries, to: pack) } catch { failure = error.description }
        var attached = 0
        let now = Self.now()
        for (job, _) in batch {
            let video = job.outputs.videoID ?? ""
            let location = "\(pack)#\(video)"
            let error = failure ?? refused[video].map { "\(pack): \($0)" }
            try? store.recordDelivery(job.id, sink: "pack", location: location, error: error, now: now)
            if error == nil { attached += 1 }
            onEvent(.delivered((try? store.job(job.id)) ?? job, sink: "pack", location: location, error: error))
        }
        return attached
    }
}
