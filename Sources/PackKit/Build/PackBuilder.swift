import Foundation
import HTTPKit

/// Builds a `.pack` from an input folder (`channel.json`, `videos.json`, `transcripts/`).
/// Videos are processed in parallel in batches and written in order, so memory stays bounded by a batch and
/// rows, ids and vector rows line up. Everything is written inside a temporary folder next to the output and
/// renamed into place only when complete: a failed or interrupted build leaves the old pack untouched.
public struct PackBuilder: Sendable {
    public var config: PackConfig
    public var keepGoing: Bool
    /// Fixed build time (for reproducible packs: `SOURCE_DATE_EPOCH`); nil means now.
    public var buildDate: Date?
    public var workers: Int
    public var compression: PackCompression
    /// An embedder to use instead of the one the config names (library users and tests plug their own in).
    public var embedder: (any Embedder)?
    /// Packs with at least this many chunks, embedded with a dense model, get an HNSW graph (`PackLayout.chunkGraph`).
    /// Below it an exact scan is fast enough (about 3 ms at 60k chunks) and the graph would cost more than the build.
    public var annMinimumChunks = PackBuilder.defaultANNMinimumChunks
    public static let defaultANNMinimumChunks = 100_000
    /// Hash-embedded packs with at least this many chunks carry a bucket index (`PackLayout.chunkBuckets`), so their
    /// questions never scan the whole matrix.
    public var bucketMinimumChunks = BucketIndex.minimumRows
    /// Where the API key of an embeddings endpoint is read (`embedding.api_key_env`) and the default embedding cache.
    public var environment = ProcessInfo.processInfo.environment

    public init(config: PackConfig = PackConfig(), keepGoing: Bool = false, buildDate: Date? = nil,
                compression: PackCompression = .fast,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.config = config
        self.compression = compression
        self.keepGoing = keepGoing
        self.buildDate = buildDate
        self.workers = max(1, workers)
    }

    public static let version = ytceVersion

    /// The embedder the config names: an embeddings endpoint (`openai`), else one ytce computes itself.
    static func embedder(_ config: PackConfig, environment: [String: String],
                         isCancelled: @escaping @Sendable () -> Bool) throws(PackBuildError) -> any Embedder {
        if config.embedding.backend == "openai" {
            do {
                return try EndpointEmbedder.connect(config.embedding, environment: environment,
                                                    cachePath: config.embedding.cachePath ?? EmbeddingCache.standardPath(environment: environment),
                                                    isCancelled: isCancelled)
            } catch {
                throw .embedding(error.message)
            }
        }
        do {
            return try EmbedderRegistry.embedder(modelID: config.embedding.modelName, dimension: config.embedding.dim,
                                                 modelDirectory: config.embedding.modelDirectory)
        } catch {
            throw .config("config: \(error.message)")
        }
    }

    public func build(
        input: URL, output: URL,
        progress: (@Sendable (BuildProgress) -> Void)? = nil,
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) throws(PackBuildError) -> BuildReport {
        let started = Date()
        var trace = PhaseTrace(enabled: ProcessInfo.processInfo.environment["YTCE_TRACE"] != nil)
        let embedder: any Embedder
        if let custom = self.embedder { embedder = custom } else { embedder = try Self.embedder(config, environment: environment, isCancelled: isCancelled) }
        let channelInput: ChannelInput
        do { channelInput = try ChannelInput.load(from: input) } catch { throw .input(error) }
        let plan = TranscriptPlan(directory: input.appendingPathComponent("transcripts"), videos: channelInput.videos)

        let workspace: BuildWorkspace
        do { workspace = try BuildWorkspace(output: output) } catch { throw .output("\(output.path): \(error)") }
        defer { workspace.discard() }

        var report = BuildReport(output: output.path)
        report.videos = channelInput.videos.count
        report.strayTranscripts = plan.stray
        report.duplicateTranscripts = plan.duplicates
        let createdAt = Self.isoTimestamp(buildDate ?? Date())
        let dimension = embedder.dimension
        do {
            // A stored pack's zip is begun now and the chunk vectors, its largest member written as the build goes,
            // stream straight into it: never copied at the end, and on disk by then.
            let zip = compression == .fast ? try workspace.startZip(modificationDate: buildDate ?? started) : nil
            let streamedVectors = try zip?.beginStreamedMember(name: PackLayout.chunkEmbeddings)
            // The other members written as the build goes are parked in the zip's sparse room and moved into place
            // at the end (in place where the file system can): they are not copied either. The database too,
            // through a VFS, for every connection that opens its path.
            let databasePath = workspace.file(PackLayout.database)
            let parkedDatabase = try zip.flatMap { try $0.parkMember(name: PackLayout.database) }
            defer { ParkedDatabaseVFS.unregister(path: databasePath) }  // on every way out: it holds the zip open
            if let parkedDatabase {
                ParkedDatabaseVFS.register(path: databasePath, member: parkedDatabase)
                // An empty stand-in: the default VFS gives a journal the database file's mode, and needs it to exist.
                guard FileManager.default.createFile(atPath: databasePath, contents: nil) else {
                    throw PackBuildError.output("cannot create \(databasePath)")
                }
            }
            let database = try PackDatabaseWriter(path: databasePath)
            try database.insert(channel: channelInput.channel, createdAt: createdAt)
            for video in channelInput.videos { try database.insert(video: video) }
            try FileManager.default.createDirectory(atPath: workspace.file(PackLayout.vectorsDirectory), withIntermediateDirectories: true)
            let chunkVectors = try streamedVectors.map { try NpyWriter(sink: $0, columns: dimension) }
                ?? NpyWriter(path: workspace.file(PackLayout.chunkEmbeddings), columns: dimension)
            let parkedSections = try zip.flatMap { try $0.parkMember(name: PackLayout.sectionEmbeddings) }
            let sectionVectors = try parkedSections.map { try NpyWriter(sink: $0, columns: dimension) }
                ?? NpyWriter(path: workspace.file(PackLayout.sectionEmbeddings), columns: dimension)
            let parkedDocuments = try zip.flatMap { try $0.parkMember(name: PackLayout.bm25Docs) }
            let documents = try parkedDocuments.map { JSONArrayWriter(sink: $0) } ?? JSONArrayWriter(path: workspace.file(PackLayout.bm25Docs))
            let parked = [parkedDatabase, parkedSections, parkedDocuments].compactMap { $0 }
            let lexical = LexicalIndexSink()
            // Hash vectors are whole counts over a length: their bucket index is written beside the build.
            let buckets = embedder.sparseQueries ? try BucketIndexSink(path: workspace.file(PackLayout.chunkBuckets), columns: dimension) : nil

            let processor = VideoProcessor(settings: config.chunking, dimension: dimension, recordsStamps: buildDate == nil)
            // An embedder that waits on the network gets more lanes than cores: many videos' requests in flight.
            let laneCount = max(workers, embedder.blockingLanes ?? 0)
            let sessions = SessionPool(embedder: embedder, count: laneCount)
            let videos = channelInput.videos
            let batchSize = laneCount * 8
            var problems: [TranscriptProblem] = []
            // Lanes process batch k+1 while this thread writes batch k: CPU work and SQLite/file writing overlap.
            let lanes = LanePool(workers: laneCount, blocking: embedder.blockingLanes != nil)
            func start(_ batchStart: Int) -> PendingBatch {
                let batch = Array(videos[batchStart..<min(videos.count, batchStart + batchSize)])
                return lanes.run(count: batch.count) { i, lane in
                    processor.process(batch[i], transcript: plan.files[batch[i].videoID], session: sessions.session(lane),
                                      lane: lane, lexical: sessions.lexical(lane))
                }
            }
            var pending: PendingBatch? = videos.isEmpty ? nil : start(0)
            var batchStart = 0
            while let current = pending {
                let results = current.wait()
                if isCancelled() { throw PackBuildError.cancelled }
                if let failure = embedder.failure { throw PackBuildError.embedding(failure.message) }
                let nextStart = batchStart + batchSize
                pending = nextStart < videos.count ? start(nextStart) : nil
                trace.mark("  waited for batch")
                for var processed in results {
                    if let problem = processed.problem {
                        problems.append(problem)
                        processed.segments = []
                        processed.chunks = []
                        processed.sections = []
                    }
                    if processed.transcriptFile == nil { report.withoutTranscript.append(processed.video.videoID) }
                    else if processed.problem == nil && processed.chunks.isEmpty {
                        report.emptyTranscripts.append(processed.transcriptFile ?? processed.video.videoID)
                    }
                    if processed.problem == nil { report.warnings += processed.warnings }
                    guard problems.isEmpty || keepGoing else { continue }  // will fail: skip the writing work
                    try database.insert(processed)
                    trace.accumulate("sqlite")
                    if processed.problem == nil, let chunks = processed.lexical { lexical.add(chunks) }
                    if processed.problem == nil && !processed.chunks.isEmpty {
                        try chunkVectors.append(processed.chunkVectors)
                        buckets?.add(processed.chunkBuckets, vectors: processed.chunkVectors)
                        try sectionVectors.append(processed.sectionVectors)
                        try documents.append(processed.chunkDocuments)
                        trace.accumulate("files")
                        report.videosWithTranscript += 1
                        report.chunks += processed.chunks.count
                        report.sections += processed.sections.count
                    }
                }
                trace.mark("  wrote batch")
                batchStart = nextStart
                progress?(BuildProgress(phase: "videos", done: min(videos.count, batchStart), total: videos.count))
            }
            trace.mark("videos processed and written")
            if !problems.isEmpty && !keepGoing { throw PackBuildError.transcripts(problems) }
            report.skipped = problems
            report.segments = database.segmentCount
            try database.finish()
            try database.chunkTable.write(to: workspace.file(PackLayout.chunkTable))
            trace.mark("database finished")
            try chunkVectors.finish()
            /// The finished chunk vectors, read where they were written (to fingerprint the bucket index and build the graph).
            let chunkMatrix: @Sendable () throws -> NpyMatrix
            if let streamedVectors, let zip {
                let (path, offset, length) = (zip.path, streamedVectors.dataOffset, streamedVectors.length)
                chunkMatrix = {
                    let file = try OpenFile(path: path)
                    guard offset <= file.size, length <= file.size - offset else {
                        throw ZipAssembler.Problem(description: "\(path) holds \(file.size) bytes, fewer than the chunk vectors written into it")
                    }
                    return try NpyMatrix(region: FileRegion(file: file, offset: offset, length: length, name: "\(path):\(PackLayout.chunkEmbeddings)"))
                }
            } else {
                let path = workspace.file(PackLayout.chunkEmbeddings)
                chunkMatrix = { try NpyMatrix(contentsOf: path) }
            }
            try sectionVectors.finish()
            try documents.finish()
            // The lexical index is sorted and written on another thread while this one checksums the files
            // that are complete (for the zip): the two largest pieces of end-of-build work overlap.
            let lexicalWrite = lexical.write(to: workspace.file(PackLayout.lexicalIndex))
            defer { try? lexicalWrite.wait() }  // never leave it writing into a workspace being removed
            // Large packs get an HNSW graph so vector search stays fast (an exact scan of 600k chunks costs ~26 ms).
            var graphWrite: BackgroundTask?
            // Hash-embedded packs need none: their sparse questions are searched exactly (`ColumnMatrix`).
            if report.chunks >= annMinimumChunks && !embedder.sparseQueries {
                let graph = workspace.file(PackLayout.chunkGraph)
                let threads = workers
                progress?(BuildProgress(phase: "indexing vectors", done: 0, total: 1))
                graphWrite = BackgroundTask { try HNSWGraph.build(matrix: try chunkMatrix(), to: graph, threads: threads) }
            }
            defer { try? graphWrite?.wait() }
            if isCancelled() { throw PackBuildError.cancelled }

            var extra: [String: JSONValue] = [
                "builder": .string("ytce \(Self.version)"),
                "segment_count": .number(Double(report.segments)),
                "chunk_count": .number(Double(report.chunks)),
                "section_count": .number(Double(report.sections)),
                "chunking": .object([
                    "micro_chunk_sec": .number(Double(config.chunking.microChunkSec)),
                    "micro_overlap_sec": .number(Double(config.chunking.microOverlapSec)),
                    "target_section_sec": .number(Double(config.chunking.targetSectionSec)),
                    "max_section_sec": .number(Double(config.chunking.maxSectionSec)),
                ]),
            ]
            if !report.skipped.isEmpty { extra["skipped_transcripts"] = .number(Double(report.skipped.count)) }
            if let endpoint = embedder as? EndpointEmbedder {
                // The vectors came from a server: say which kind, so a reader knows to ask one for question vectors.
                extra["embedding_backend"] = .string("openai")
                report.embedding = endpoint.statistics
            }
            let manifest = PackManifest(
                createdAt: createdAt, channelID: channelInput.channel.channelID,
                channelTitle: channelInput.channel.title, embeddingDim: dimension,
                embeddingModelID: embedder.modelID, videoCount: channelInput.videos.count, extra: extra)
            try manifest.encoded().write(to: URL(fileURLWithPath: workspace.file(PackLayout.manifest)))
            progress?(BuildProgress(phase: "packing", done: 0, total: 1))
            // From here to the rename the output's lock is held: the old pack's summaries are carried over, and an
            // attach meanwhile waits for the new pack instead of writing into the one being replaced.
            let lock: PackFileLock
            do { lock = try PackFileLock(packPath: output.path) } catch { throw PackBuildError.output(error.description) }
            defer { lock.release() }
            let scratch = workspace.file("replaced-pack.sqlite")
            let carried = ReplacedPackSummaries.carry(from: output.path, into: workspace.file(PackLayout.database), scratch: scratch)
            try? FileManager.default.removeItem(atPath: scratch)
            report.summariesKept = carried.kept
            report.summariesDropped = carried.dropped
            report.summariesProblem = carried.problem
            try workspace.verifyDatabase()
            try parkedDatabase?.close()
            trace.mark("verified")
            // The members complete by now go into the zip on another thread while the lexical index, graph and
            // buckets are written: their copying, and the disk writing them out, overlap that work.
            func files(_ names: [String]) -> [(name: String, path: String)] {
                names.map { ($0, workspace.file($0)) }.filter { FileManager.default.fileExists(atPath: $0.path) }
            }
            var earlyZip: (writer: ZipAssembler.Writer, task: BackgroundTask)?
            if let writer = zip {
                let first = PackLayout.builtFirst.map { name in (name, parked.first { $0.name == name }) }
                    .filter { $0.1 != nil || FileManager.default.fileExists(atPath: workspace.file($0.0)) }
                earlyZip = (writer, BackgroundTask {
                    var adopting: [StreamedMember] = []  // consecutive parked members go in together
                    for (name, member) in first {
                        if let member { adopting.append(member); continue }
                        try writer.adopt(adopting)
                        adopting = []
                        // Gone once copied: its pages dropped, never written to disk.
                        try writer.append(files: [(name, workspace.file(name))], writeBack: true) { _, path in unlink(path) }
                    }
                    try writer.adopt(adopting)
                })
            }
            defer { try? earlyZip?.task.wait() }  // never leave it copying from a workspace being removed
            try lexicalWrite.wait()
            trace.mark("lexical index written")
            try graphWrite?.wait()
            try buckets?.finish(matrix: chunkMatrix, keep: report.chunks >= bucketMinimumChunks)
            trace.mark("graph and buckets written")
            if let earlyZip {
                try earlyZip.task.wait()
                trace.mark("early members zipped")
                try earlyZip.writer.append(files: files(PackLayout.builtLast), writeBack: true)
                try workspace.publish(earlyZip.writer, holding: lock, isCancelled: isCancelled)
            } else {
                try workspace.publish(modificationDate: buildDate ?? started, compression: compression,
                                      holding: lock, isCancelled: isCancelled)
            }
            trace.mark("zipped, synced, renamed")
            trace.printTotals()
            progress?(BuildProgress(phase: "packing", done: 1, total: 1))
        } catch let error as PackBuildError {
            throw error
        } catch {
            throw .writing(error, output: output)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// Python's `datetime.isoformat()` for UTC, as the reference writes `created_at`.
    static func isoTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'"
        return formatter.string(from: date)
    }
}

/// How the archive stores its files. Both are plain zip (stored or deflated) that any zip reader opens.
public enum PackCompression: String, Sendable, CaseIterable {
    /// Bulk data stored uncompressed: fastest to build and to open (no inflating), about 3× larger.
    case fast
    /// Everything deflated: smallest file, slower to build and to open cold.
    case small
}

/// The lexical index builder on a serial queue of its own: the writer thread (the build's critical path)
/// only hands each video's analyzed chunks over, in row order, and the merging runs beside it.
final class LexicalIndexSink: @unchecked Sendable {
    // Touched only on `queue`, in the order work was submitted.
    private let builder = LexicalIndexBuilder()
    private let queue = DispatchQueue(label: "ytce.lexical-index")

    func add(_ chunks: LexicalChunks) {
        queue.async { self.builder.add(chunks) }
    }

    /// Writes the index once every submitted video is merged.
    func write(to path: String) -> BackgroundTask {
        BackgroundTask { [self] in try queue.sync { try builder.write(to: path) } }
    }
}

/// The bucket index writer on a serial queue of its own, fed each video's chunk vectors in row order.
final class BucketIndexSink: @unchecked Sendable {
    // Touched only on `queue`, in the order work was submitted.
    private let writer: BucketIndexWriter
    private var failure: (any Error)?
    private let queue = DispatchQueue(label: "ytce.bucket-index")

    init(path: String, columns: Int) throws {
        writer = try BucketIndexWriter(path: path, columns: columns)
    }

    /// Adds a video's rows: `rows` when its embedder gave them, else recovered from `vectors`.
    func add(_ rows: BucketRows?, vectors: [Float]) {
        queue.async { [self] in
            guard failure == nil else { return }
            do {
                if let rows { try writer.add(rows) } else { try vectors.withUnsafeBufferPointer { try writer.add($0) } }
            } catch { failure = error }
        }
    }

    /// Completes the index of the finished matrix `matrix` gives, or removes it when the pack is too small to want one.
    func finish(matrix: () throws -> NpyMatrix, keep: Bool) throws {
        try queue.sync {
            if let failure { throw failure }
            guard keep else {
                unlink(writer.path)
                return
            }
            try writer.finish(fingerprint: HNSWGraph.fingerprint(of: try matrix()))
        }
    }
}

/// Work started on a background thread whose completion (or error) is collected with `wait()`.
final class BackgroundTask: @unchecked Sendable {
    private let group = DispatchGroup()
    private var failure: (any Error)?

    init(_ work: @escaping () throws -> Void) {
        let box = UncheckedBox(work)
        DispatchQueue.global().async(group: group) { [self] in
            do { try box.value() } catch { failure = error }
        }
    }

    func wait() throws {
        group.wait()
        if let failure { throw failure }
    }
}

/// Hands a non-Sendable value to one other thread that alone uses it until the handing thread waits for it.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// One embedding session and one lexical session per worker lane; each lane touches only its own.
final class SessionPool: @unchecked Sendable {
    private let sessions: [any EmbeddingSession]
    private let lexicalSessions: [LexicalSession]
    init(embedder: any Embedder, count: Int) {
        sessions = (0..<count).map { _ in embedder.makeSession() }
        lexicalSessions = (0..<count).map { _ in LexicalSession() }
    }
    func session(_ lane: Int) -> any EmbeddingSession { sessions[lane] }
    func lexical(_ lane: Int) -> LexicalSession { lexicalSessions[lane] }
}

/// Runs a batch of independent jobs on `workers` lanes in the background; lane `l` takes jobs l, l+workers, …
/// so a lane's embedding session is used by one thread at a time.
final class LanePool: Sendable {
    let workers: Int
    /// Lanes that wait on I/O run on threads of their own: blocked dispatch workers would hold back the other lanes.
    let blocking: Bool
    init(workers: Int, blocking: Bool = false) {
        self.workers = workers
        self.blocking = blocking
    }

    func run(count: Int, _ job: @escaping @Sendable (_ index: Int, _ lane: Int) -> ProcessedVideo) -> PendingBatch {
        let slots = ResultSlots<ProcessedVideo>(count: count)
        let group = DispatchGroup()
        for lane in 0..<min(workers, max(1, count)) {
            let work: @Sendable () -> Void = { for i in stride(from: lane, to: count, by: self.workers) { slots.set(i, job(i, lane)) } }
            if blocking {
                group.enter()
                Thread { work(); group.leave() }.start()
            } else {
                DispatchQueue.global().async(group: group, execute: work)
            }
        }
        return PendingBatch(group: group, slots: slots)
    }
}

struct PendingBatch {
    let group: DispatchGroup
    let slots: ResultSlots<ProcessedVideo>
    func wait() -> [ProcessedVideo] {
        group.wait()
        return slots.values()
    }
}

/// Phase timings on stderr when `YTCE_TRACE` is set: where a build spends its time.
struct PhaseTrace {
    let enabled: Bool
    private var last = DispatchTime.now()
    init(enabled: Bool) { self.enabled = enabled }
    private var totals: [String: Double] = [:]
    private var lastAccumulate = DispatchTime.now()

    /// Adds the time since the previous accumulate/mark to a named total, printed at the end.
    mutating func accumulate(_ name: String) {
        guard enabled else { return }
        let now = DispatchTime.now()
        totals[name, default: 0] += Double(now.uptimeNanoseconds - lastAccumulate.uptimeNanoseconds) / 1e6
        lastAccumulate = now
    }

    func printTotals() {
        for (name, ms) in totals.sorted(by: { $0.key < $1.key }) {
            FileHandle.standardError.write(Data(String(format: "[trace] %8.1f ms  total %@\n", ms, name).utf8))
        }
    }

    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now()
        let ms = Double(now.uptimeNanoseconds - last.uptimeNanoseconds) / 1e6
        lastAccumulate = now
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        // The peak, and what is resident now: the process's own memory (anonymous) and mapped file pages, which the
        // kernel can drop (a member read in place counts there, not in what the process allocated).
        let fields = ["VmHWM", "RssAnon", "RssFile"].map { name in
            status.split(separator: "\n").first { $0.hasPrefix(name) }.map { $0.split(whereSeparator: \.isWhitespace).dropFirst().first.map(String.init) ?? "" } ?? "?"
        }
        let memory = "peak \(fields[0]) kB, now \(fields[1]) kB own + \(fields[2]) kB mapped files"
        FileHandle.standardError.write(Data(String(format: "[trace] %8.1f ms  %@  %@\n", ms, phase, memory).utf8))
        last = now
    }
}
