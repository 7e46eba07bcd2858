import ArgumentParser
import Foundation
import JobKit
import PackKit

struct JobsWaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Poll jobs until they finish (all open jobs when no id is given); resumes after any crash.")

    @OptionGroup var jobs: JobsOptions

    @Argument(help: "Job ids (default: every open job).")
    var ids: [String] = []

    @Flag(help: "Print every change and delivery on stderr (the default when stderr is a terminal).")
    var verbose = false

    func run() async throws {
        let runner = try jobs.runner()
        do { try await runner.resume() } catch { throw fail(error.description) }
        try await Self.follow(runner, ids: try ids.map(jobID), verbose: verbose)
    }

    /// Polls until the jobs (or all open ones) are settled. stdout gets one line per job as it finishes (where its
    /// summary went, or why it failed), then one line of totals; a terminal on stderr also sees each change and a
    /// status line (each change also with `verbose`). Exit status 1 when any job did not complete or a summary did not reach an output, 130 on
    /// Ctrl-C (the jobs go on; `ytce jobs wait` picks them up again).
    static func follow(_ runner: JobRunner, ids: [Int64], verbose: Bool) async throws {
        let interrupt = InterruptFlag(message: "interrupted: the jobs go on; `ytce jobs wait` resumes polling")
        let interactive = isatty(STDERR_FILENO) == 1
        let changed = ChangeFlag()
        runner.onEvent = { event in
            changed.set()
            guard interactive || verbose else { return }
            let line: String
            switch event {
            case .changed(let job), .submitted(let job), .completed(let job): line = jobLine(job)
            case .delivered(let job, let sink, let location, let error): line = deliveryLine(job, sink: sink, location: location, error: error)
            }
            FileHandle.standardError.write(Data("\(interactive ? "\r\u{1B}[K" : "")\(line)\n".utf8))
        }
        let all: [Job]
        do { all = try runner.store.allJobs() } catch { throw fail(error.description) }
        for id in ids where !all.contains(where: { $0.id == id }) { throw fail("no job \(id) in \(runner.store.path) (see `ytce jobs list`)") }
        let targets = Set(ids.isEmpty ? all.filter { $0.isOpen || ($0.state == .completed && !$0.isSettled) }.map(\.id) : ids)
        var tally = Tally()
        var reported = Set<Int64>()
        /// Prints the targets that settled since the last look.
        func report() {
            let settled = ((try? runner.store.allJobs()) ?? []).filter { targets.contains($0.id) && !reported.contains($0.id) && $0.isSettled }
            if interactive && !settled.isEmpty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            for job in settled.sorted(by: { $0.id < $1.id }) {
                say(jobLine(job))
                reported.insert(job.id)
                tally.add(job)
            }
        }
        report()
        var lastLine = Date.distantPast
        var looked = ContinuousClock.now
        while !interrupt.isSet && reported.count < targets.count {
            // Rounds at least `roundSpacing` apart (below), each taking the jobs due a little ahead too.
            await runner.pollDue(now: JobRunner.now() + JobRunner.roundLookahead)
            // Looking reads every job: only after this process saw a change, else once a second (for changes other
            // processes make: another waiter, `ytce jobs cancel`), not on every round.
            if changed.take() || ContinuousClock.now - looked >= .seconds(1) {
                looked = .now
                report()
                if reported.count == targets.count { break }
            }
            let wait = runner.secondsUntilNextPoll()
            if interactive && Date().timeIntervalSince(lastLine) >= 1 {
                let open = targets.count - reported.count
                let next = wait.map { " · next poll in \(Int($0.rounded()))s" } ?? ""
                FileHandle.standardError.write(Data("\r\u{1B}[K\(open) job\(open == 1 ? "" : "s") open\(next)".utf8))
                lastLine = Date()
            }
            // Sleep until the next poll is due, waking at least every 0.2 s to see Ctrl-C and other processes' jobs
            // (and at most every `roundSpacing`).
            try? await Task.sleep(nanoseconds: UInt64(JobRunner.pause(untilNextPoll: wait, atMost: 0.2) * 1e9))
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if interrupt.isSet { throw ExitCode(130) }
        say(tally.line)
        if tally.failed > 0 || tally.undelivered > 0 { throw ExitCode(1) }
    }

    /// Counts of settled jobs, for the closing line.
    struct Tally {
        var jobs = 0, completed = 0, failed = 0, undelivered = 0

        mutating func add(_ job: Job) {
            jobs += 1
            if job.state == .completed { completed += 1 } else { failed += 1 }
            if !job.failedDeliveries.isEmpty { undelivered += 1 }
        }

        var line: String {
            var text = "\(jobs) job\(jobs == 1 ? "" : "s"): \(completed) completed, \(failed) failed"
            if undelivered > 0 { text += ", \(undelivered) summar\(undelivered == 1 ? "y" : "ies") not saved everywhere (kept in the store: `ytce jobs deliver ID`)" }
            return text
        }
    }
}

struct JobsDeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Write saved summaries again to the outputs they have not reached (after a failed delivery).")

    @OptionGroup var jobs: JobsOptions

    @Argument(help: "Job ids.")
    var ids: [String]

    func run() async throws {
        let runner = try jobs.offlineRunner()
        var failed = false
        for text in ids {
            let id = try jobID(text)
            let results: [JobDelivery]
            do { results = try await runner.deliver(id) } catch {
                FileHandle.standardError.write(Data("ytce: \(error)\n".utf8))
                failed = true
                continue
            }
            guard let job = try? runner.store.job(id) else { continue }
            if results.isEmpty { say("\(id)\tnothing to deliver: every output has the summary") }
            for result in results { say("\(id)\t" + deliveryText(job, result)) }
            failed = failed || results.contains { !$0.succeeded }
        }
        if failed { throw ExitCode(1) }
    }
}

/// Set by the runner's events (any thread), taken by the wait loop.
private final class ChangeFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }

    /// Whether it was set since the last call; clears it.
    func take() -> Bool {
        lock.withLock {
            defer { value = false }
            return value
        }
    }
}

struct JobsWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Submit every new .txt in a folder or under s3://bucket/prefix/ once (remembered across restarts), and poll.")

    @OptionGroup var jobs: JobsOptions

    @Argument(help: "A folder or s3://bucket/prefix/.")
    var source: String

    @Option(name: .customLong("out-dir"), help: "Folder for <name>_summary.txt (default: the data dir's summaries/).")
    var outDir: String?

    @Option(name: .customLong("scan-interval"), help: "Seconds between looks for new files.")
    var scanInterval = 5.0

    func run() async throws {
        let runner = try jobs.runner()
        do { try await runner.resume() } catch { throw fail(error.description) }
        let environment = ProcessInfo.processInfo.environment
        let directory = outDir ?? ((runner.store.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("summaries")
        let interrupt = InterruptFlag(message: "stopped watching; open jobs go on (`ytce jobs wait`)")
        runner.onEvent = { event in
            if case .delivered(let job, let sink, let location, let error) = event {
                say(deliveryLine(job, sink: sink, location: location, error: error))
            } else if case .changed(let job) = event, job.state.isFinal {
                say(jobLine(job))
            }
        }
        var lastScan = Date.distantPast
        while !interrupt.isSet {
            if Date().timeIntervalSince(lastScan) >= scanInterval {
                lastScan = Date()
                do { try await scan(runner, directory: directory, environment: environment) } catch {
                    FileHandle.standardError.write(Data("ytce: \(error)\n".utf8))
                }
            }
            await runner.pollDue()
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
        throw ExitCode(130)
    }

    private func scan(_ runner: JobRunner, directory: String, environment: [String: String]) async throws {
        if source.hasPrefix("s3://") {
            let location = try S3Location(parsing: source)
            let s3 = try S3Client.fromEnvironment()
            for object in try await s3.listObjects(in: location) where object.key.hasSuffix(".txt") {
                guard try runner.store.rememberWatched(source: source, key: object.key) else { continue }
                let target = try S3Location(bucket: location.bucket, key: object.key)
                let text = try TranscriptText.from(Data(try await s3.getObject(target)), fileName: object.key, timestamps: false)
                let prefix = JobsSubmitCommand.defaultS3Prefix(environment) ?? "s3://\(location.bucket)/\(environment["OUTPUT_PREFIX"] ?? "summaries/")"
                let job = try await runner.submit(text, source: target.description, outputs: JobOutputs(directory: directory, s3Prefix: prefix))
                try runner.store.linkWatched(source: source, key: object.key, jobID: job.id)
                say(jobLine(job))
            }
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw fail("\(source): not a folder or s3:// prefix")
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".txt") && !$0.hasPrefix(".") }.sorted()
            for name in names {
                let path = (source as NSString).appendingPathComponent(name)
                guard try runner.store.rememberWatched(source: URL(fileURLWithPath: source).path, key: name) else { continue }
                let job = try await runner.submit(try TranscriptText.file(path, timestamps: false), source: path,
                                                  outputs: JobOutputs(directory: directory, s3Prefix: JobsSubmitCommand.defaultS3Prefix(environment)))
                try runner.store.linkWatched(source: URL(fileURLWithPath: source).path, key: name, jobID: job.id)
                say(jobLine(job))
            }
        }
    }
}
