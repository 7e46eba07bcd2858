import Foundation
import PackKit

/// Writes a finished summary to the outputs a job asked for: a local file, an S3 object, a pack's `summary` table.
/// Each delivery is recorded in the store; a failed one is recorded with its error and can be redone
/// (`ytce jobs deliver ID`): the summary itself is already safe in the store.
///
/// A summary never destroys another job's: the first summary of a name takes `<name>_summary.txt` (created only if
/// absent), a later one of the same name `<name>_job<ID>_summary.txt`. Writing a job's summary again (after a
/// crash, or `jobs deliver`) goes where it went before, or finds its own text already there.
struct SummarySinks: Sendable {
    let store: JobStore
    let s3: @Sendable () throws(S3Error) -> S3Client

    /// The sinks, in the order they are written.
    static let order = ["file", "s3", "pack"]

    /// The sinks a job's outputs name.
    static func sinks(of job: Job) -> Set<String> { job.outputSinks }

    /// `<name>_summary.txt`, the name a job's summary takes when no other summary holds it.
    static func sharedName(_ job: Job) -> String { "\(job.name)_summary.txt" }
    /// `<name>_job<ID>_summary.txt`, the job's own name, when another summary holds the shared one.
    static func ownName(_ job: Job) -> String { "\(job.name)_job\(job.id)_summary.txt" }

    /// Writes the summary to one sink of the job's outputs and records it; nil when the job has no such output.
    func deliver(_ job: Job, summary: String, to sink: String) async -> JobDelivery? {
        let bytes = Array(summary.utf8)
        let earlier = ((try? store.deliveries(job.id)) ?? []).first { $0.sink == sink && $0.succeeded }?.location
        var location: String
        var problem: String?
        switch sink {
        case "file":
            guard let directory = job.outputs.directory else { return nil }
            location = (directory as NSString).appendingPathComponent(Self.sharedName(job))
            do { location = try writeFile(bytes, directory: directory, job: job, earlier: earlier) } catch { problem = error.description }
        case "s3":
            guard let prefix = job.outputs.s3Prefix else { return nil }
            location = prefix + Self.sharedName(job)
            do { location = try await writeObject(bytes, prefix: prefix, job: job, earlier: earlier) } catch { problem = "\(error)" }
        case "pack":
            guard let pack = job.outputs.packPath, let video = job.outputs.videoID else { return nil }
            location = "\(pack)#\(video)"
            do { try PackSummaryWriter.attach(summary, kind: "episode_long", videoID: video, to: pack) } catch { problem = error.description }
        default:
            return nil
        }
        let now = Date().timeIntervalSince1970
        try? store.recordDelivery(job.id, sink: sink, location: location, error: problem, now: now)
        return JobDelivery(sink: sink, location: location, error: problem, deliveredAt: problem == nil ? now : nil)
    }

    /// The file's path: where this job's summary went before, else the shared name when it is free (or already holds
    /// this very text), else the job's own name.
    private func writeFile(_ bytes: [UInt8], directory: String, job: Job, earlier: String?) throws(AtomicFile.Problem) -> String {
        let shared = (directory as NSString).appendingPathComponent(Self.sharedName(job))
        if let earlier, (earlier as NSString).deletingLastPathComponent == (shared as NSString).deletingLastPathComponent {
            try AtomicFile.write(bytes, to: earlier)
            return earlier
        }
        if try AtomicFile.create(bytes, at: shared) { return shared }
        if FileManager.default.contents(atPath: shared) == Data(bytes) { return shared }
        let own = (directory as NSString).appendingPathComponent(Self.ownName(job))
        try AtomicFile.write(bytes, to: own)
        return own
    }

    /// The object's location, chosen as for files; the shared key is written only if absent (`If-None-Match: *`).
    private func writeObject(_ bytes: [UInt8], prefix: String, job: Job, earlier: String?) async throws -> String {
        let client = try s3()
        let base = try S3Location(parsing: prefix)
        if let earlier, let location = try? S3Location(parsing: earlier), location.bucket == base.bucket {
            try await client.putObject(location, body: bytes, contentType: "text/plain; charset=utf-8")
            return location.description
        }
        let shared = try S3Location(bucket: base.bucket, key: base.key + Self.sharedName(job))
        do {
            try await client.putObject(shared, body: bytes, contentType: "text/plain; charset=utf-8", onlyIfAbsent: true)
            return shared.description
        } catch where error.isPreconditionFailed {
            if let existing = try? await client.getObject(shared), existing == bytes { return shared.description }
        }
        let own = try S3Location(bucket: base.bucket, key: base.key + Self.ownName(job))
        try await client.putObject(own, body: bytes, contentType: "text/plain; charset=utf-8")
        return own.description
    }
}
