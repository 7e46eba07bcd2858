import Foundation
import PackKit

/// The channel overview: one more job over the episode summaries a pack holds, whose answer goes into the pack as
/// its `channel_overview` summary (shown by the picker and the library).
public enum ChannelOverview {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    static let template = """
        The following are summaries of the episodes of one YouTube channel, each under its title, oldest first. Write \
        an overview of the whole channel, about 1500 words: what it is about, its recurring topics and how they \
        develop, the standout episodes for each topic (by title), and who would get the most from it.

        {episodes}
        """

    /// The episode summaries of `pack` under their titles, in the order of the pack's videos.
    static func episodes(of pack: ChannelPack) throws -> [(title: String, summary: String)] {
        let s = try pack.database.prepare("""
            SELECT v.title, (SELECT text FROM summary s WHERE s.video_id = v.video_id AND s.kind IN ('episode_long', 'episode_short')
                             AND length(s.text) > 0 ORDER BY s.kind = 'episode_long' DESC, s.summary_id DESC LIMIT 1)
            FROM video v ORDER BY v.published_at, v.rowid
            """)
        var out: [(title: String, summary: String)] = []
        while try s.step() {
            if let summary = s.string(1) { out.append((s.string(0) ?? "", summary)) }
        }
        return out
    }

    /// The prompt over the episodes, each summary cut to an equal share of `budget` tokens when they do not all fit.
    static func prompt(_ episodes: [(title: String, summary: String)], budget: Int) -> String {
        let total = episodes.reduce(0) { $0 + $1.summary.utf8.count / 4 + 1 }
        let share = total <= budget ? Int.max : max(50, budget / max(1, episodes.count))
        let body = episodes.map { episode -> String in
            var summary = episode.summary
            if summary.utf8.count / 4 > share {
                summary = String(summary.prefix(share * 4)) + " …"
            }
            return "## \(episode.title)\n\(summary)"
        }.joined(separator: "\n\n")
        return template.replacingOccurrences(of: "{episodes}", with: body)
    }

    /// Sends the overview job for `pack` (opened from `packPath`), unless one is already under way (returned then).
    /// Fails when the pack has no episode summary to make it from.
    public static func submit(runner: JobRunner, pack: ChannelPack, packPath: String, extraOutputs: JobOutputs = JobOutputs()) async throws(Problem) -> Job {
        let path = URL(fileURLWithPath: packPath).path
        let source = ChannelSummaryPlan.source(packPath: path, videoID: PackSummaryWriter.channelVideoID)
        do {
            if let underWay = try runner.store.jobs(sourcePrefix: source).first(where: { job in
                job.source == source && (job.isOpen || job.state == .submitting || job.state == .submissionUnknown
                                         || (job.state == .completed && !job.deliveries.contains { $0.sink == "pack" && $0.succeeded }))
            }) { return underWay }
        } catch { throw Problem(description: "\(path): cannot read the job store: \(error)") }
        let episodes: [(title: String, summary: String)]
        do { episodes = try Self.episodes(of: pack) } catch { throw Problem(description: "\(path): cannot read its summaries: \(error)") }
        guard !episodes.isEmpty else { throw Problem(description: "\(path): no episode summaries yet to make a channel overview from") }
        let text = prompt(episodes, budget: runner.transcriptBudget)
        let outputs = JobOutputs(directory: extraOutputs.directory, s3Prefix: extraOutputs.s3Prefix,
                                 packPath: path, videoID: PackSummaryWriter.channelVideoID)
        do {
            let job = try runner.store.create(source: source, name: "\((path as NSString).lastPathComponent).overview", role: .single,
                                              endpoint: runner.client.endpointURL, prompt: text, outputs: outputs,
                                              maxWait: runner.settings.maxWait)
            return await runner.send(job, patient: true)
        } catch { throw Problem(description: error.description) }
    }
}
