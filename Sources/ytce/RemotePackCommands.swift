import ArgumentParser
import Foundation
import HTTPKit
import JobKit
import PackKit

/// A local file for `pack`: itself, or for an `s3://` pack the current version in the cache, downloaded (with a
/// progress bar on a terminal) when the cache does not hold it yet. Exits with a one-line error on failure.
func localPack(_ pack: String, cache: PackCache) async throws -> String {
    guard RemotePack.isRemote(pack) else { return pack }
    let location: S3Location
    do { location = try S3Location(parsing: pack) } catch { throw fail(error.description) }
    if location.isPrefix { throw fail("\(pack) names a prefix, not a pack (expected s3://bucket/packs/NAME.pack)") }
    let client: S3Client
    do { client = try S3Client.fromEnvironment() } catch { throw fail("\(pack): \(error)") }
    let cancellation = HTTPCancellation()
    let interrupt = InterruptFlag(message: "interrupted: the partial download is kept and resumes next time",
                                  onInterrupt: { cancellation.cancel() })
    let bar = ProgressBar(enabled: isatty(2) != 0)
    let fetched: RemotePack.Fetched
    do {
        fetched = try await RemotePack(client: client, cache: cache).fetch(location, progress: { done, total in
            bar.update(BuildProgress(phase: "downloading \(location.name) (MiB)", done: Int(done >> 20), total: Int(total >> 20)))
        }, cancellation: cancellation)
    } catch {
        bar.clear()
        if interrupt.isSet { throw fail("interrupted", code: 130) }
        throw fail("\(error)")
    }
    bar.clear()
    switch fetched.outcome {
    case .unchanged:
        break
    case .downloaded(let bytes, let resumedFrom):
        let resumed = resumedFrom > 0 ? " (resumed after \(ByteCount.text(resumedFrom)))" : ""
        FileHandle.standardError.write(Data("ytce: fetched \(pack): \(ByteCount.text(bytes))\(resumed) into the cache\n".utf8))
    case .offline(let reason):
        FileHandle.standardError.write(Data("ytce: warning: using the cached copy of \(pack), S3 did not answer (\(reason))\n".utf8))
    }
    return fetched.path
}

/// `ytce pack push X.pack s3://bucket/packs/`: a pack into S3, where others open it as `s3://…`.
struct PackPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Upload a .pack to S3 (s3://bucket/prefix/ puts it at prefix/{channel_id}.pack).",
        discussion: "Credentials, region and endpoint come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
            + "AWS_SESSION_TOKEN, AWS_REGION and AWS_ENDPOINT_URL, as for summary jobs. Large packs go up in 16 MiB parts."
    )

    @Argument(help: "The .pack file to upload.")
    var pack: String

    @Argument(help: "s3://bucket/key.pack, or s3://bucket/prefix/ for prefix/{channel_id}.pack.")
    var destination: String

    @OptionGroup var cacheOptions: CacheOptions

    func run() async throws {
        var location: S3Location
        do { location = try S3Location(parsing: destination) } catch { throw fail(error.description) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: pack, isDirectory: &isFolder), !isFolder.boolValue else {
            throw fail("\(pack): not a .pack file (push uploads a .pack file, not a folder)")
        }
        // Opening checks it is a pack before anything goes up, and names the channel.
        let opened: ChannelPack
        let cache = try cacheOptions.cache()
        do { opened = try ChannelPack.open(pack, options: .init(cache: cache)) } catch { throw fail(error.description) }
        if location.isPrefix {
            let channel = String(opened.manifest.channelID.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            do { location = try location.appending("\(channel).pack") } catch { throw fail(error.description) }
        }
        let client: S3Client
        do { client = try S3Client.fromEnvironment() } catch { throw fail(error.description) }
        let cancellation = HTTPCancellation()
        let interrupt = InterruptFlag(message: "interrupted", onInterrupt: { cancellation.cancel() })
        let bar = ProgressBar(enabled: isatty(2) != 0)
        let phase = "uploading \(location.name) (MiB)"
        do {
            try await client.putFile(pack, to: location, progress: { done, total in
                bar.update(BuildProgress(phase: phase, done: Int(done >> 20), total: Int(total >> 20)))
            }, cancellation: cancellation)
        } catch {
            bar.clear()
            if interrupt.isSet { throw fail("interrupted: nothing was written to \(location)", code: 130) }
            throw fail("\(error)")
        }
        bar.clear()
        print(location.description)
    }
}

/// `ytce pack pull s3://… [--out FILE]`: the pack as a local file (fetched through the cache, then copied).
struct PackPullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Download an s3:// pack into the cache (resumable, skipped when unchanged), and copy it to --out if given."
    )

    @Argument(help: "s3://bucket/key.pack")
    var source: String

    @Option(help: "Also write the pack here (atomically).")
    var out: String?

    @OptionGroup var cacheOptions: CacheOptions

    func run() async throws {
        guard RemotePack.isRemote(source) else { throw fail("\(source): pull takes an s3:// location") }
        let path = try await localPack(source, cache: try cacheOptions.cache())
        guard let out else { print(path); return }
        let destination = URL(fileURLWithPath: out)
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).pull-\(getpid())")
        do {
            try? FileManager.default.removeItem(at: temporary)
            try FileManager.default.copyItem(atPath: path, toPath: temporary.path)
            guard rename(temporary.path, destination.path) == 0 else {
                throw PackError(.io, pack: out, "cannot rename into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw fail("\(out): cannot write the pack: \(error)")
        }
        print(destination.path)
    }
}
