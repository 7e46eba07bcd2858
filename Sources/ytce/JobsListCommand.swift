import ArgumentParser
import Foundation
import JobKit
import PackKit

struct JobsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.")

    @OptionGroup var jobs: JobsOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = try jobs.store()
        let all: [Job]
        do { all = try store.allJobs() } catch { throw fail(error.description) }
        if json {
            print(JSONValue.serialize(.object(["jobs": .array(all.map { jobJSON($0) })])))
            return
        }
        if all.isEmpty { print("No jobs yet: `ytce jobs submit FILE` sends one.") }
        // Packs being summarised first (`jobs summarize`), one line each, then every job: a video's is named by its id.
        for progress in ChannelProgress.of(all) { print(progress.line) }
        for job in all { print(jobLine(job)) }
    }
}

struct JobsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a job, where its summary went, and the summary.")

    @OptionGroup var jobs: JobsOptions

    @Argument(help: "The job id.")
    var id: String

    @Flag(help: "Print JSON (with the summary).")
    var json = false

    func run() throws {
        let store = try jobs.store()
        let job: Job
        let summary: String?
        do {
            job = try store.job(try jobID(id))
            summary = try store.summary(job.id)
        } catch let exit as ExitCode { throw exit } catch { throw fail("\(error)") }
        if json {
            guard case .object(var object) = jobJSON(job) else { return }
            object["summary"] = summary.map { .string($0) } ?? .null
            print(JSONValue.serialize(.object(object)))
            return
        }
        print(jobLine(job))
        print("source: \(job.source)")
        if let runpodID = job.runpodID { print("runpod id: \(runpodID) at \(job.endpoint)") }
        if let summary { print("\n\(summary)") }
    }
}
