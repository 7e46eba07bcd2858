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

    func run() async throws {
        let runner = try jobs.runner()
        do { try await runner.resume() } catch { throw fail(error.description) }
        try await Self.follow(runner, ids: try ids.map(jobID))
    }

    /// Polls until the jobs (or all open ones) are final, printing each change; exit status 1 when any did not
    /// complete, 130 on Ctrl-C (the jobs go on; `ytce jobs wait` picks them up again).
    static func follow(_ runner: JobRunner, ids: [Int64]) async throws {
        let interrupt = InterruptFlag(message: "interrupted: the jobs go on; `ytce jobs wait` resumes polling")
        let tty = isatty(STDERR_FILENO) == 1
        let changed = ChangeFlag()
        runner.onEvent = { event in
            changed.set()
            switch event {
            case .changed(let job), .submitted(let job), .completed(let job):
                FileHandle.standardError.write(Data("\(jobLine(job))\n".utf8))
            case .delivered(let job, let sink, let location, let error):
                FileHandle.standardError.write(Data("\(deliveryLine(job, sink: sink, location: location, error: error))\n".utf8))
            }
        }
        func watched() -> [Job] {
            let all = (try? runner.store.allJobs()) ?? []
            return ids.isEmpty ? all.filter(\.isOpen) : all.filter { ids.contains($0.id) }
        }
        let targets = Set(watched().map(\.id))
        var lastLine = Date.distantPast
        var open = targets.count
        var counted = ContinuousClock.now - .seconds(60)
        while !interrupt.isSet {
            // Rounds at least `roundSpacing` apart (below), each taking the jobs due a little ahead too.
            await runner.pollDue(now: JobRunner.now() + JobRunner.roundLookahead)
            // Counting reads every open row: only after this process saw a change, else once a second (for changes
            // other processes make, e.g. `ytce jobs cancel`), not on every round.
            if changed.take() || ContinuousClock.now - counted >= .seconds(1) {
                counted = .now
                open = (try? runner.store.openCount(among: targets)) ?? 0
            }
            if open == 0 { break }
            let wait = runner.secondsUntilNextPoll()
            if tty && Date().timeIntervalSince(lastLine) >= 1 {
                let next = wait.map { " · next poll in \(Int($0.rounded()))s" } ?? ""
                FileHandle.standardError.write(Data("\r\u{1B}[K\(open) job\(open == 1 ? "" : "s") open\(next)".utf8))
                lastLine = Date()
            }
            // Sleep until the next poll is due, waking at least every 0.2 s to see Ctrl-C and other processes' jobs
            // (and at most every `roundSpacing`).
            try? await Task.sleep(nanoseconds: UInt64(JobRunner.pause(untilNextPoll: wait, atMost: 0.2) * 1e9))
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if interrupt.isSet { throw ExitCode(130) }
        let finished = ((try? runner.store.allJobs()) ?? []).filter { targets.contains($0.id) }
        for job in finished { print(jobLine(job)) }
        if finished.contains(where: { $0.state != .completed }) { throw ExitCode(1) }
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
                print(deliveryLine(job, sink: sink, location: location, error: error))
            } else if case .changed(let job) = event, job.state.isFinal {
                print(jobLine(job))
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
                print(jobLine(job))
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
                print(jobLine(job))
            }
        }
    }
}
