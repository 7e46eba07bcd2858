import Foundation
import PackKit

/// Writes a finished summary everywhere the job asked for: a local file, an S3 object, a pack's `summary`
/// table. Each delivery is recorded in the store; a failed one is recorded with its error and can be redone
/// (`ytce jobs deliver ID`): the summary itself is already safe in the store.
struct SummarySinks: Sendable {
    let store: JobStore
    let s3: @Sendable () throws(S3Error) -> S3Client

    func fileName(_ job: Job) -> String { "\(job.name)_summary.txt" }

    /// Delivers to every configured output; returns (sink, location, error) for each.
    func deliver(_ job: Job, summary: String) async -> [(sink: String, location: String, error: String?)] {
        var results: [(String, String, String?)] = []
        if let directory = job.outputs.directory {
            let path = (directory as NSString).appendingPathComponent(fileName(job))
            var problem: String?
            do { try AtomicFile.write(Array(summary.utf8), to: path) } catch { problem = error.description }
            results.append(("file", path, problem))
        }
        if let prefix = job.outputs.s3Prefix {
            var location = prefix + fileName(job)
            var problem: String?
            do {
                let base = try S3Location(parsing: prefix)
                let target = try S3Location(bucket: base.bucket, key: base.key + fileName(job))
                location = target.description
                try await s3().putObject(target, body: Array(summary.utf8), contentType: "text/plain; charset=utf-8")
            } catch { problem = "\(error)" }
            results.append(("s3", location, problem))
        }
        if let pack = job.outputs.packPath, let video = job.outputs.videoID {
            var problem: String?
            do { try PackSummaryWriter.attach(summary, kind: "episode_long", videoID: video, to: pack) } catch { problem = error.description }
            results.append(("pack", "\(pack)#\(video)", problem))
        }
        for result in results {
            try? store.recordDelivery(job.id, sink: result.0, location: result.1, error: result.2)
        }
        return results
    }
}
