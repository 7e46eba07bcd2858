import ArgumentParser
import Foundation
import JobKit
import PackKit

struct JobsCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a job on RunPod (and its parts).")

    @OptionGroup var jobs: JobsOptions

    @Argument(help: "The job id.")
    var id: String

    func run() async throws {
        let id = try jobID(self.id)
        // A job never sent is cancelled in the store alone: no endpoint or key is needed (a wrong endpoint left
        // jobs waiting to be submitted that could not be cancelled without configuring one).
        let offline = try jobs.offlineRunner()
        let reaches: Bool
        do { reaches = try offline.cancelReachesRunPod(id) } catch { throw fail("\(error)") }
        let runner = reaches ? try jobs.runner() : offline
        do { try await runner.cancel(id) } catch { throw fail("\(error)") }
        if let job = try? runner.store.job(id) { print(jobLine(job)) }
    }
}

struct JobsRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Try a job again: RunPod's /retry for failed or timed-out jobs, a new /run for lost or unknown submissions, another wait for given-up ones.")

    @OptionGroup var jobs: JobsOptions

    @Argument(help: "The job id.")
    var id: String

    func run() async throws {
        let runner = try jobs.runner()
        do { print(jobLine(try await runner.retry(try jobID(id)))) } catch let exit as ExitCode { throw exit } catch { throw fail("\(error)") }
    }
}

struct JobsHealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "The endpoint's workers and queue.")

    @OptionGroup var jobs: JobsOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let runner = try jobs.runner()
        let health: RunPodHealth
        do { health = try await runner.client.health() } catch { throw fail(error.description) }
        if json {
            print(JSONValue.serialize(.object([
                "workers": .object(["idle": .number(Double(health.workers.idle)), "running": .number(Double(health.workers.running))]),
                "jobs": .object(["in_queue": .number(Double(health.jobs.inQueue)), "in_progress": .number(Double(health.jobs.inProgress)),
                                 "completed": .number(Double(health.jobs.completed)), "failed": .number(Double(health.jobs.failed))]),
            ])))
            return
        }
        print("workers: \(health.workers.idle) idle, \(health.workers.running) running")
        print("jobs: \(health.jobs.inQueue) in queue, \(health.jobs.inProgress) in progress, \(health.jobs.completed) completed, \(health.jobs.failed) failed")
    }
}
