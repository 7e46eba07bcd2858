import ArgumentParser
import Foundation
import JobKit
import PackKit

struct JobsSummarizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize",
        abstract: "Summarise a whole channel: one job per video of a pack, each summary put into the pack, then a channel overview.",
        discussion: """
            Prints how many jobs, input tokens, and the estimated cost (jobs.price_per_1k_tokens) and time \
            (jobs.concurrency workers) first, and asks before sending (--yes for scripts). Summaries go into the pack in \
            batches, one rewrite per batch. Killed at any moment, `ytce jobs summarize --pack P --missing` resumes: a \
            video whose job was already sent is followed, never sent again (`ytce jobs wait` also finishes what was sent).
            """
    )

    @OptionGroup var jobs: JobsOptions

    @Option(help: "The pack whose videos to summarise.")
    var pack: String

    @Flag(help: "Videos without an episode summary (the default).")
    var missing = false

    @Flag(help: "Every video, replacing the summaries the pack has.")
    var all = false

    @Option(name: .customLong("video"), parsing: .unconditionalSingleValue, help: "A video id to summarise (repeatable).")
    var videos: [String] = []

    @Flag(help: "Send without asking (for scripts).")
    var yes = false

    @Flag(help: "Wait for the summaries, then make the channel overview from them and wait for it too.")
    var wait = false

    @Flag(help: "Only make the channel overview from the episode summaries the pack has.")
    var overview = false

    @Option(name: .customLong("out-dir"), help: "Also write each summary to <video>_summary.txt in this folder.")
    var outDir: String?

    @Flag(help: "With --wait: print every change and delivery on stderr (the default when stderr is a terminal).")
    var verbose = false

    @OptionGroup var cacheOptions: CacheOptions

    func validate() throws {
        let modes = [missing, all, !videos.isEmpty, overview].filter { $0 }.count
        guard modes <= 1 else { throw ValidationError("choose one of --missing, --all, --video and --overview") }
    }

    func run() async throws {
        let runner = try jobs.runner()
        // What a killed run left: its half-sent jobs become `submission_unknown`, saved summaries go into the pack.
        do { try await runner.resume() } catch { throw fail(error.description) }
        let opened: ChannelPack
        let cache = try cacheOptions.cache()
        do { opened = try ChannelPack.open(pack, options: .init(cache: cache)) } catch { throw fail(error.description) }
        let path = URL(fileURLWithPath: pack).path
        if overview {
            try await sendOverview(runner, pack: opened, path: path, confirmed: yes)
            return
        }
        let selection: ChannelSummaryPlan.Selection = all ? .all : videos.isEmpty ? .missing : .videos(videos)
        let plan: ChannelSummaryPlan
        do { plan = try ChannelSummaryPlan.make(pack: opened, packPath: path, selection: selection, runner: runner) } catch { throw fail(error.description) }
        // Jobs already sent are followed, not sent again; one whose sending was cut off is the user's to decide.
        var ids: [Int64] = []
        for (video, id) in plan.alreadyUnderWay {
            let job = try? runner.store.job(id)
            if let job, job.state == .submissionUnknown || job.state == .submitting {
                say("\(video)\tjob \(id) was being sent when ytce stopped: RunPod may or may not have it; `ytce jobs retry \(id)` sends it again (it may then run twice)")
            } else if let job, job.state == .completed, job.deliveries.contains(where: { $0.sink == "pack" && !$0.succeeded }) {
                say("\(video)\tjob \(id) has its summary but could not put it into the pack: `ytce jobs deliver \(id)` tries again")
            } else {
                say("\(video)\talready under way as job \(id)")
                ids.append(id)
            }
        }
        if plan.items.isEmpty {
            say("nothing to send: \(plan.alreadySummarised) videos already summarised, \(plan.alreadyUnderWay.count) under way")
        } else {
            let estimate = plan.estimate(settings: runner.settings, finished: (try? runner.store.allJobs()) ?? [])
            say(Self.estimateLine(plan, estimate, concurrency: runner.settings.concurrency))
            try confirm("send \(plan.items.count) video\(plan.items.count == 1 ? "" : "s")")
            let outputs = JobOutputs(directory: outDir, packPath: path)
            for item in plan.items {
                var own = outputs
                own.videoID = item.videoID
                do {
                    let job = try await runner.submit(item.transcript, source: ChannelSummaryPlan.source(packPath: path, videoID: item.videoID), outputs: own)
                    ids.append(job.id)
                    say(jobLine(job))
                } catch { throw fail(error.description) }
            }
        }
        guard wait else { return }
        if !ids.isEmpty { try await JobsWaitCommand.follow(runner, ids: ids, verbose: verbose) }
        // The pack now holds the new summaries: the overview is made from all of them.
        let reopened: ChannelPack
        do { reopened = try ChannelPack.open(pack, options: .init(cache: cache)) } catch { throw fail(error.description) }
        if !ids.isEmpty || PackSummaryWriter.channelOverview(database: reopened.database) == nil {
            try await sendOverview(runner, pack: reopened, path: path, confirmed: true)
        }
    }

    /// Sends the channel overview job and, with --wait, waits for it.
    private func sendOverview(_ runner: JobRunner, pack: ChannelPack, path: String, confirmed: Bool) async throws {
        if !confirmed { try confirm("send the channel overview job") }
        let job: Job
        do { job = try await ChannelOverview.submit(runner: runner, pack: pack, packPath: path, extraOutputs: JobOutputs(directory: outDir)) }
        catch { throw fail(error.description) }
        say(jobLine(job))
        if wait { try await JobsWaitCommand.follow(runner, ids: [job.id], verbose: verbose) }
    }

    /// `12 jobs for 10 videos · 480000 input tokens · about 0.48 (jobs.price_per_1k_tokens) · about 6m0s with 4 at once (…)`
    static func estimateLine(_ plan: ChannelSummaryPlan, _ estimate: ChannelSummaryPlan.Estimate, concurrency: Int) -> String {
        let videos = plan.items.count
        var line = "\(plan.jobCount) job\(plan.jobCount == 1 ? "" : "s") for \(videos) video\(videos == 1 ? "" : "s")"
        line += " · \(plan.inputTokens) input tokens"
        if let cost = estimate.cost {
            line += " · about \(String(format: "%.2f", cost)) (jobs.price_per_1k_tokens)"
        } else {
            line += " · cost unknown (set jobs.price_per_1k_tokens)"
        }
        line += " · about \(duration(estimate.seconds)) with \(concurrency) at once"
        line += estimate.learnt ? " (\(duration(estimate.secondsPerJob)) a job, from finished jobs)" : " (assuming \(duration(estimate.secondsPerJob)) a job)"
        return line
    }

    /// Asks on the terminal; --yes skips it, and without a terminal nothing is sent unless --yes was given.
    private func confirm(_ what: String) throws {
        guard !yes else { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw fail("not sending: \(what) needs confirming and stdin is not a terminal; add --yes to send without asking")
        }
        FileHandle.standardError.write(Data("\(what)? [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            FileHandle.standardError.write(Data("nothing sent\n".utf8))
            throw ExitCode(1)
        }
    }
}
