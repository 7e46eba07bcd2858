import Foundation
import HTTPKit
import PackKit

/// Why fetching or pushing a remote pack failed: one line naming the pack.
public struct RemotePackError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// S3's error, when S3 (or the way to it) failed.
    public let s3: S3Error?

    init(_ description: String, s3: S3Error? = nil) {
        self.description = description
        self.s3 = s3
    }

    static func from(_ error: S3Error) -> RemotePackError { RemotePackError(error.description, s3: error) }
    static func from(_ error: PackError) -> RemotePackError { RemotePackError(error.description) }
}

/// Packs in S3 (`s3://bucket/packs/{channel_id}.pack`), opened through the pack cache: `fetch` brings the current
/// version into the cache (ranged reads, resumed after a kill, revalidated by ETag so an unchanged pack is not
/// fetched again, published only whole) and returns the local copy, which opens in place like any ytce pack.
public struct RemotePack: Sendable {
    public let client: S3Client
    public let cache: PackCache
    /// Bytes per ranged read: the most a killed download loses, and the progress bar's step.
    public var rangeBytes: Int64 = 16 << 20

    public init(client: S3Client, cache: PackCache) {
        self.client = client
        self.cache = cache
    }

    /// True for a pack named by an `s3://` location.
    public static func isRemote(_ pack: String) -> Bool {
        pack.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("s3://")
    }

    /// What `fetch` did.
    public enum Outcome: Sendable, Equatable {
        /// The cached copy is the current version: nothing was downloaded.
        case unchanged
        /// The pack was downloaded: `bytes` fetched now, after `resumedFrom` bytes a killed download had left.
        case downloaded(bytes: Int64, resumedFrom: Int64)
        /// S3 could not be reached (`reason`): the cached copy, of a version that may be old, is used.
        case offline(reason: String)
    }

    public struct Fetched: Sendable {
        /// The local `.pack` file to open.
        public let path: String
        public let etag: String
        public let outcome: Outcome
    }

    /// The current version of `location` as a local file in the cache. `progress` is called with the bytes
    /// present and the total as the download goes (not at all when nothing is downloaded).
    public func fetch(_ location: S3Location, progress: @Sendable (_ done: Int64, _ total: Int64) -> Void = { _, _ in },
                      cancellation: HTTPCancellation? = nil) async throws(RemotePackError) -> Fetched {
        let source = location.description
        let head: S3Object
        do { head = try await client.headObject(location, cancellation: cancellation) } catch {
            // No answer at all: a copy already here is better than nothing (said so by the outcome).
            if error.kind == .transport, let copy = cache.cachedCopy(of: source) {
                cache.touch(copy)
                return Fetched(path: copy.path, etag: copy.etag, outcome: .offline(reason: error.description))
            }
            throw .from(error)
        }
        // A few tries: an object replaced while it downloads restarts on the new version.
        var version = head
        for _ in 0..<3 {
            if let copy = cache.cachedCopy(of: source), copy.etag == version.etag, copy.size == Int64(version.size) {
                cache.touch(copy)
                return Fetched(path: copy.path, etag: copy.etag, outcome: .unchanged)
            }
            let partial: PartialDownload?
            do { partial = try cache.beginDownload(of: source, etag: version.etag, size: Int64(version.size)) } catch { throw .from(error) }
            guard let partial else { continue }  // another process just published it: found above
            let resumedFrom = partial.written
            progress(partial.written, partial.size)
            do {
                while partial.written < partial.size {
                    let end = min(partial.size, partial.written + rangeBytes)
                    let bytes = try await client.getObject(location, range: partial.written..<end, ifMatch: partial.etag,
                                                           cancellation: cancellation)
                    try partial.append(bytes)
                    progress(partial.written, partial.size)
                }
                let copy = try partial.publish()
                return Fetched(path: copy.path, etag: copy.etag, outcome: .downloaded(bytes: copy.size - resumedFrom, resumedFrom: resumedFrom))
            } catch let error as S3Error where error.isPreconditionFailed {
                // Replaced meanwhile: start over on what is there now.
                do { version = try await client.headObject(location, cancellation: cancellation) } catch { throw .from(error) }
            } catch let error as S3Error {
                throw .from(error)
            } catch let error as PackError {
                throw .from(error)
            } catch {
                throw RemotePackError("\(source): \(error)")
            }
        }
        throw RemotePackError("\(source) changed three times while it was being downloaded; try again")
    }
}
