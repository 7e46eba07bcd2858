import ArgumentParser
import Foundation
import JobKit
import PackKit

struct JobsSubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send transcripts to be summarised: files (.txt, .srt, .vtt, .sbv, .json), s3:// objects, or videos of a pack."
    )

    @OptionGroup var jobs: JobsOptions

    @Argument(help: "Transcript files or s3://bucket/key objects.")
    var inputs: [String] = []

    @Option(help: "A pack whose videos to summarise (with --video).")
    var pack: String?

    @Option(name: .customLong("video"), parsing: .unconditionalSingleValue, help: "A video id of --pack (repeatable).")
    var videos: [String] = []

    @Flag(help: "Put each summary into --pack as the video's episode_long summary (an atomic rewrite of the .pack).")
    var attach = false

    @Option(name: .customLong("out-dir"), help: "Folder for <name>_summary.txt (default: the data dir's summaries/).")
    var outDir: String?

    @Option(name: .customLong("s3-output"), help: "Also write summaries to s3://bucket/prefix/ (default from OUTPUT_BUCKET and OUTPUT_PREFIX; s3 inputs write beside their bucket's summaries/).")
    var s3Output: String?

    @Flag(help: "Prefix each caption line with its [mm:ss] time.")
    var timestamps = false

    @Flag(help: "Wait for the summaries (as `ytce jobs wait` does).")
    var wait = false

    @Flag(help: "With --wait: print every change and delivery on stderr (the default when stderr is a terminal).")
    var verbose = false

    @OptionGroup var cacheOptions: CacheOptions

    func run() async throws {
        guard !inputs.isEmpty || pack != nil else { throw fail("nothing to submit: give transcript files, s3:// objects, or --pack with --video") }
        guard pack == nil || !videos.isEmpty else { throw fail("--pack needs --video ID (one or more)") }
        guard !attach || pack != nil else { throw fail("--attach needs --pack") }
        let runner = try jobs.runner()
        let environment = ProcessInfo.processInfo.environment
        let directory = outDir ?? ((runner.store.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("summaries")

        // Read every input first: a bad one stops the command before anything is sent.
        var work: [(TranscriptText, String, JobOutputs)] = []
        for input in inputs {
            var outputs = JobOutputs(directory: directory, s3Prefix: s3Output ?? Self.defaultS3Prefix(environment))
            if input.hasPrefix("s3://") {
                let location: S3Location
                let bytes: [UInt8]
                do {
                    location = try S3Location(parsing: input)
                    bytes = try await S3Client.fromEnvironment().getObject(location)
                } catch { throw fail("\(input): \(error)") }
                if outputs.s3Prefix == nil {
                    outputs.s3Prefix = "s3://\(location.bucket)/\(environment["OUTPUT_PREFIX"] ?? "summaries/")"
                }
                do { work.append((try TranscriptText.from(Data(bytes), fileName: location.key, timestamps: timestamps), input, outputs)) }
                catch { throw fail(error.description) }
            } else {
                do { work.append((try TranscriptText.file(input, timestamps: timestamps), URL(fileURLWithPath: input).path, outputs)) }
                catch { throw fail(error.description) }
            }
        }
        if let pack {
            let opened: ChannelPack
            let cache = try cacheOptions.cache()
            do { opened = try ChannelPack.open(pack, options: .init(cache: cache)) } catch { throw fail(error.description) }
            let path = URL(fileURLWithPath: pack).path
            for video in videos {
                let text: TranscriptText
                do { text = try TranscriptText.packVideo(opened, videoID: video, timestamps: timestamps) } catch { throw fail(error.description) }
                work.append((text, "pack:\(path)#\(video)",
                             JobOutputs(directory: directory, s3Prefix: s3Output ?? Self.defaultS3Prefix(environment),
                                        packPath: attach ? path : nil, videoID: attach ? video : nil)))
            }
        }
        // RunPod refusing a submission (or not answering the connection) makes the command wait and send it again;
        // each wait is said on stderr as it starts, or the command looks hung (a wrong endpoint sat silent for minutes).
        runner.onEvent = { event in
            if case .changed(let job) = event, job.state == .waitingToSubmit {
                FileHandle.standardError.write(Data("\(jobLine(job))\n".utf8))
            }
        }
        var ids: [Int64] = []
        for (text, source, outputs) in work {
            do {
                let job = try await runner.submit(text, source: source, outputs: outputs)
                ids.append(job.id)
                say(jobLine(job))
            } catch { throw fail(error.description) }
        }
        if wait { try await JobsWaitCommand.follow(runner, ids: ids, verbose: verbose) }
    }

    /// `s3://OUTPUT_BUCKET/OUTPUT_PREFIX` when OUTPUT_BUCKET is set (the original Lambda's variables).
    static func defaultS3Prefix(_ environment: [String: String]) -> String? {
        guard let bucket = environment["OUTPUT_BUCKET"], !bucket.isEmpty else { return nil }
        return "s3://\(bucket)/\(environment["OUTPUT_PREFIX"] ?? "summaries/")"
    }
}
