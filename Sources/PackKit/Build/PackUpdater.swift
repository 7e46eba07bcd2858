import Foundation

/// `pack build --update X.pack --input DIR`: grows a ytce pack from its input folder. Videos new to the pack are
/// processed and added; videos whose transcript or shaping metadata changed (content hashes in `ytce_video_source`)
/// are processed again and replace their old rows; everything else is kept as it is, vectors included: nothing
/// unchanged is parsed, embedded or analyzed again.
///
/// What stays stable: a video's id, its summaries (rows of `summary`, by video id) and, for every video that did
/// not change, the ids of its segments, sections and chunks. A changed video's rows get new ids (the old ones are not
/// reused). Vector and lexical rows follow chunk ids, so the row numbers of chunks after a changed video shift:
/// anything that outlives a pack version (a conversation's citations) should refer to a video and a time, never to a
/// chunk id or row. Videos in the pack but not in the input are kept. The channel's row follows `channel.json`.
///
/// The new pack is written beside the old one and renamed over it (readers see the old pack or the new one), under
/// the pack's `PackFileLock` from the first read to the rename, so a summary attached meanwhile is never lost. Bytes
/// that did not change are copied from the old pack's stored members inside the kernel, and their checksums are
/// derived from the old ones rather than read again.
public struct PackUpdater: Sendable {
    public var config: PackConfig
    public var keepGoing: Bool
    public var workers: Int
    public var buildDate: Date?
    /// An embedder to use instead of the one the config names; it must be the pack's.
    public var embedder: (any Embedder)?
    public var environment = ProcessInfo.processInfo.environment
    /// Hash-embedded packs with at least this many chunks carry a bucket index, as `PackBuilder` writes them.
    public var bucketMinimumChunks = BucketIndex.minimumRows
    /// Free bytes on the file system holding a path (nil when it cannot be told): the update checks there is room
    /// for the grown pack before it reads anything.
    public var freeBytes: @Sendable (String) -> Int64? = { PackCache.freeBytes(at: $0) }

    public init(config: PackConfig = PackConfig(), keepGoing: Bool = false, buildDate: Date? = nil,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.config = config
        self.keepGoing = keepGoing
        self.buildDate = buildDate
        self.workers = max(1, workers)
    }

    public func update(
        pack: URL, input: URL,
        progress: (@Sendable (BuildProgress) -> Void)? = nil,
        isCancelled: @escaping @Sendable () -> Bool = { false }
    ) throws(PackBuildError) -> UpdateReport {
        do {
            return try run(pack: pack, input: input, progress: progress, isCancelled: isCancelled)
        } catch let error as PackBuildError {
            throw error
        } catch {
            throw .writing(error, output: pack)
        }
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    private func run(pack: URL, input: URL, progress: (@Sendable (BuildProgress) -> Void)?,
                     isCancelled: @escaping @Sendable () -> Bool) throws -> UpdateReport {
        let started = Date()
        var trace = PhaseTrace(enabled: environment["YTCE_TRACE"] != nil)
        var report = UpdateReport(output: pack.path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: pack.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw PackBuildError.output("\(pack.path): --update needs an existing .pack file")
        }
        // Read, change and replace the pack under its lock: an attach meanwhile waits instead of being undone.
        let lock = try PackFileLock(packPath: pack.path)
        defer { lock.release() }
        let archive: PackArchive
        do { archive = try PackArchive(path: pack.path) } catch { throw PackBuildError.output(error.description) }
        try checkRoom(for: archive, pack: pack)
        let reader = try ZipArchiveReader(path: pack.path)
        func member(_ name: String) throws -> ZipDirectory.Member {
            guard let found = archive.member(name) else {
                throw PackBuildError.output("\(pack.path): no \(name) in the pack: --update grows packs ytce built; build this one again")
            }
            return found
        }
        guard let manifestEntry = reader.entries.first(where: { $0.name == PackLayout.manifest }) else {
            throw PackBuildError.output("\(pack.path): no \(PackLayout.manifest) in the archive")
        }
        let oldManifest = try PackManifest.parse(try reader.data(of: manifestEntry, limit: Int64(PackManifest.maxBytes)), pack: pack.path)
        try checkSettings(oldManifest, pack: pack.path)
        let embedder = try self.embedder ?? PackBuilder.embedder(config, environment: environment, isCancelled: isCancelled)
        guard embedder.modelID == oldManifest.embeddingModelID, embedder.dimension == oldManifest.embeddingDim else {
            throw PackBuildError.config("\(pack.path) holds \(oldManifest.embeddingModelID) vectors (\(oldManifest.embeddingDim) dimensions); "
                                        + "the embedder configured makes \(embedder.modelID) (\(embedder.dimension)): --update must use the pack's embedder")
        }

        let workspace = try BuildWorkspace(output: pack)
        defer { workspace.discard() }
        // Members that are deflated (a pack built with --compress) are unpacked into the workspace; stored ones are
        // read where they lie in the pack.
        var compressed = false
        func place(_ name: String) throws -> (path: String, offset: Int64, member: ZipDirectory.Member) {
            let found = try member(name)
            if found.isStored { return (pack.path, found.dataOffset, found) }
            compressed = true
            let path = workspace.file("old-" + name.replacingOccurrences(of: "/", with: "-"))
            guard let entry = reader.entries.first(where: { $0.name == name }) else { throw Problem(description: "\(name) vanished from the archive") }
            try reader.extract(entry, to: path)
            return (path, 0, found)
        }

        // The database: a private copy to change. A stored pack's new zip is begun now and the old database copied
        // straight into it, parked (see `PackBuilder`), and changed there through the VFS: copied once, not out of the
        // old pack and back into the new one (1.4 GB on a 5,000-hour channel). Elsewhere, into a file of its own.
        // The copy is made on another thread while the old database, read where it lies, says what changed; it is
        // stopped when nothing did.
        let databasePath = workspace.file(PackLayout.database)
        let db = try place(PackLayout.database)
        let newZip = try (archive.directory.members.allSatisfy(\.isStored) ? workspace.startZip(modificationDate: buildDate ?? started) : nil)
            .flatMap { $0.parks ? $0 : nil }
        let parkedDatabase = try newZip.flatMap { try $0.parkMember(name: PackLayout.database) }
        defer { ParkedDatabaseVFS.unregister(path: databasePath) }  // on every way out: it holds the zip open
        let stopCopying = StopFlag()
        let copying = BackgroundTask {
            let stopped = { stopCopying.isSet || isCancelled() }
            if let parkedDatabase {
                try parkedDatabase.append(copying: db.path, offset: db.offset, count: db.member.uncompressedSize, isCancelled: stopped)
            } else {
                try KernelCopy.copy(from: db.path, offset: db.offset, count: db.member.uncompressedSize, toNewFile: databasePath, isCancelled: stopped)
            }
        }
        defer {
            stopCopying.set()
            try? copying.wait()  // never leave it writing into a workspace being removed
        }
        let oldDatabase = try SQLiteDatabase(path: "\(pack.path) (\(PackLayout.database))", mode: .region(try Self.region(db)))
        guard let sources = try VideoSource.all(in: oldDatabase), let spans = try VideoSpan.all(in: oldDatabase) else {
            throw PackBuildError.output("\(pack.path) records no content hashes (it was built by the reference or an older ytce): "
                                        + "--update cannot tell what changed; build it again with `ytce pack build`")
        }
        var stored: [String: Video] = [:]
        let videoRows = try oldDatabase.prepare("SELECT video_id, channel_id, title, description, published_at, duration_sec, url FROM video")
        while try videoRows.step() {
            let id = videoRows.string(0) ?? ""
            stored[id] = Video(videoID: id, channelID: videoRows.string(1) ?? "", title: videoRows.string(2) ?? "",
                               description: videoRows.string(3) ?? "", publishedAt: videoRows.string(4) ?? "",
                               durationSec: videoRows.int(5), url: videoRows.string(6) ?? "")
        }

        // What changed: every input transcript is hashed (in parallel) and compared with what the pack recorded.
        let channelInput: ChannelInput
        do { channelInput = try ChannelInput.load(from: input) } catch { throw PackBuildError.input(error) }
        guard channelInput.channel.channelID == oldManifest.channelID else {
            throw PackBuildError.config("\(input.path) is channel '\(channelInput.channel.channelID)' but \(pack.path) holds channel '\(oldManifest.channelID)'")
        }
        let plan = TranscriptPlan(directory: input.appendingPathComponent("transcripts"), videos: channelInput.videos)
        report.strayTranscripts = plan.stray
        report.duplicateTranscripts = plan.duplicates
        var (current, transcriptsRead) = Self.sources(of: channelInput.videos, plan: plan, recorded: sources)
        if buildDate != nil { for i in current.indices { current[i].stamp = nil } }
        report.transcriptsRead = transcriptsRead
        var toProcess: [Video] = []
        var metadataOnly: [Video] = []
        // Unchanged videos whose transcript was read again (touched, copied) get its new stamp, so the next update
        // trusts it.
        var restamped: [(String, VideoSource)] = []
        for (video, source) in zip(channelInput.videos, current) {
            guard let before = stored[video.videoID] else {
                report.added.append(video.videoID)
                toProcess.append(video)
                continue
            }
            // The file's name may change (an .srt replaced by the same text as .vtt): its bytes and metadata count.
            let recorded = sources[video.videoID]
            if recorded?.transcriptSHA256 != source.transcriptSHA256 || recorded?.metadataSHA256 != source.metadataSHA256 {
                report.changed.append(video.videoID)
                toProcess.append(video)
            } else if before != video {
                metadataOnly.append(video)
            } else {
                report.unchanged += 1
            }
            if let recorded, source.stamp != nil, recorded.stamp != source.stamp || recorded.transcriptFile != source.transcriptFile,
               !report.changed.contains(video.videoID) {
                restamped.append((video.videoID, source))
            }
        }
        let inputIDs = Set(channelInput.videos.map(\.videoID))
        report.notInInput = stored.keys.filter { !inputIDs.contains($0) }.sorted()
        report.metadataOnly = metadataOnly.map(\.videoID)
        trace.mark("compared \(channelInput.videos.count) videos")
        let oldChannel = try oldDatabase.prepare("SELECT title, description, source FROM channel WHERE channel_id = ?1")
        oldChannel.bind(1, channelInput.channel.channelID)
        let channelChanged = try oldChannel.step()
            ? [oldChannel.string(0) ?? "", oldChannel.string(1) ?? "", oldChannel.string(2) ?? ""]
                != [channelInput.channel.title, channelInput.channel.description, channelInput.channel.source]
            : true
        oldChannel.reset()
        // New stamps alone do not rewrite the pack: they are recorded when something else does.
        if toProcess.isEmpty && metadataOnly.isEmpty && !channelChanged {
            report.seconds = Date().timeIntervalSince(started)
            report.nothingChanged = true
            return report
        }

        // Rows of the videos replaced, by position (vector and lexical rows follow chunk and section ids).
        let chunkRows = Self.rowRanges(spans, first: \.firstChunkID, count: \.chunkCount, of: Set(report.changed))
        let sectionRows = Self.rowRanges(spans, first: \.firstSectionID, count: \.sectionCount, of: Set(report.changed))

        // Process what is new or changed, as a build does.
        let processor = VideoProcessor(settings: config.chunking, dimension: embedder.dimension, recordsStamps: buildDate == nil)
        let laneCount = max(workers, embedder.blockingLanes ?? 0)
        let sessions = SessionPool(embedder: embedder, count: laneCount)
        let lanes = LanePool(workers: laneCount, blocking: embedder.blockingLanes != nil)
        var processed: [ProcessedVideo] = []
        var batchStart = 0
        while batchStart < toProcess.count {
            let batch = Array(toProcess[batchStart..<min(toProcess.count, batchStart + laneCount * 8)])
            processed += lanes.run(count: batch.count) { i, lane in
                processor.process(batch[i], transcript: plan.files[batch[i].videoID], session: sessions.session(lane),
                                  lane: lane, lexical: sessions.lexical(lane))
            }.wait()
            if isCancelled() { throw PackBuildError.cancelled }
            if let failure = embedder.failure { throw PackBuildError.embedding(failure.message) }
            batchStart += batch.count
            progress?(BuildProgress(phase: "videos", done: batchStart, total: toProcess.count))
        }
        trace.mark("processed \(toProcess.count) videos")
        var problems: [TranscriptProblem] = []
        for index in processed.indices {
            if let problem = processed[index].problem {
                problems.append(problem)
                processed[index].segments = []
                processed[index].chunks = []
                processed[index].sections = []
            } else {
                report.warnings += processed[index].warnings
            }
            if processed[index].transcriptFile == nil { report.withoutTranscript.append(processed[index].video.videoID) }
        }
        if !problems.isEmpty && !keepGoing { throw PackBuildError.transcripts(problems) }
        report.skipped = problems

        try copying.wait()
        trace.mark("database copied")
        if let parkedDatabase {
            ParkedDatabaseVFS.register(path: databasePath, member: parkedDatabase)
            // An empty stand-in: the default VFS gives a journal the database file's mode, and needs it to exist.
            guard FileManager.default.createFile(atPath: databasePath, contents: nil) else {
                throw PackBuildError.output("cannot create \(databasePath)")
            }
        }
        let writer = try PackDatabaseWriter(updating: databasePath)
        // The database: old rows of changed videos out, new rows in (ids after the largest), metadata, channel.
        let syncedAt = PackBuilder.isoTimestamp(buildDate ?? Date())
        for id in report.changed { if let span = spans[id] { try writer.removeRows(of: id, span: span) } }
        for video in metadataOnly { try writer.replace(video: video) }
        for (id, source) in restamped { try writer.insert(source: source, of: id) }
        var newChunkVectors: [Float] = [], newSectionVectors: [Float] = []
        // The new rows in bucket form, while every new video's embedder gave them (hash vectors).
        var newChunkBuckets: BucketRows? = BucketRows()
        var newDocuments = JSONArrayWriter.EncodedStrings()
        let lexicalAdditions = LexicalIndexBuilder()
        for video in processed {
            if stored[video.video.videoID] == nil { try writer.insert(video: video.video) } else { try writer.replace(video: video.video) }
            try writer.insert(video)
            if video.problem == nil, let chunks = video.lexical { lexicalAdditions.add(chunks) }
            if video.problem == nil && !video.chunks.isEmpty {
                newChunkVectors += video.chunkVectors
                if let rows = video.chunkBuckets { newChunkBuckets?.append(rows) } else { newChunkBuckets = nil }
                newSectionVectors += video.sectionVectors
                if newDocuments.count > 0 && video.chunkDocuments.count > 0 { newDocuments.bytes += Array(", ".utf8) }
                newDocuments.bytes += video.chunkDocuments.bytes
                newDocuments.count += video.chunkDocuments.count
                report.chunksEmbedded += video.chunks.count
            }
        }
        try writer.update(channel: channelInput.channel, syncedAt: syncedAt)
        // Counts from the spans (a row per video) rather than from millions of rows.
        let counts = (segments: try writer.database.scalarInt("SELECT coalesce(sum(segment_count), 0) FROM ytce_video_span") ?? 0,
                      sections: try writer.database.scalarInt("SELECT coalesce(sum(section_count), 0) FROM ytce_video_span") ?? 0,
                      chunks: try writer.database.scalarInt("SELECT coalesce(sum(chunk_count), 0) FROM ytce_video_span") ?? 0,
                      videos: try writer.database.scalarInt("SELECT count(*) FROM video") ?? 0)
        try writer.finish()
        try workspace.verifyDatabase()
        try parkedDatabase?.close()
        trace.mark("database changed")

        // The members, each as parts: a new header, the old pack's kept bytes, the new rows.
        var entries: [ZipAssembler.Entry] = []
        let chunkMatrix = try place(PackLayout.chunkEmbeddings)
        let chunksEntry = try Self.matrixEntry(PackLayout.chunkEmbeddings, old: chunkMatrix, removing: chunkRows, adding: newChunkVectors,
                                               columns: embedder.dimension)
        report.vectorsReused = chunksEntry.keptRows
        guard Int64(chunksEntry.rows) == counts.chunks else {
            throw Problem(description: "the pack's chunk vectors (\(chunksEntry.rows) rows) no longer match its chunks (\(counts.chunks)): build it again")
        }
        let sectionMatrix = try place(PackLayout.sectionEmbeddings)
        let sectionsEntry = try Self.matrixEntry(PackLayout.sectionEmbeddings, old: sectionMatrix, removing: sectionRows,
                                                 adding: newSectionVectors, columns: embedder.dimension)
        guard Int64(sectionsEntry.rows) == counts.sections else {
            throw Problem(description: "the pack's section vectors (\(sectionsEntry.rows) rows) no longer match its sections (\(counts.sections)): build it again")
        }
        let documents = try Self.documentsEntry(old: try place(PackLayout.bm25Docs), rows: chunksEntry.keptRows + chunkRows.reduce(0) { $0 + $1.count },
                                                removing: chunkRows, adding: newDocuments)
        trace.mark("vectors and documents planned")
        // Where the database was parked, the vectors and documents are too, and written on another thread while the
        // lexical index is merged (most of their bytes are the old pack's, copied: on a 5,000-hour channel 1.7 GB);
        // the lexical index is merged straight into the zip. Not with a graph, which is built from a file of the vectors.
        var parkedEntries: [(entry: ZipAssembler.Entry, member: StreamedMember)] = []
        var parkedLexical: StreamedMember?
        if let newZip, parkedDatabase != nil, archive.member(PackLayout.chunkGraph) == nil {
            // A zip that parked the database parks these too (it refuses only past the file system's largest file).
            func park(_ name: String) throws -> StreamedMember {
                guard let member = try newZip.parkMember(name: name) else { throw Problem(description: "\(newZip.path): cannot park \(name)") }
                return member
            }
            parkedEntries = try [sectionsEntry.entry, chunksEntry.entry, documents].map { ($0, try park($0.name)) }
            parkedLexical = try park(PackLayout.lexicalIndex)
        }
        // The bucket index (hash vectors, large packs): pages before the first changed row are kept, the rest made again;
        // on a thread of its own while the lexical index is merged.
        try FileManager.default.createDirectory(atPath: workspace.file(PackLayout.vectorsDirectory), withIntermediateDirectories: true)
        let bucketsPath = workspace.file(PackLayout.chunkBuckets)
        var bucketsWrite: BackgroundTask?
        if embedder.sparseQueries && chunksEntry.rows >= bucketMinimumChunks {
            let oldBuckets = archive.member(PackLayout.chunkBuckets) != nil ? try place(PackLayout.chunkBuckets) : nil
            let (oldVectors, rows, removing, adding, addingRows) = (chunkMatrix, chunksEntry.rows, chunkRows, newChunkVectors, newChunkBuckets)
            bucketsWrite = BackgroundTask {
                let oldMatrix = try NpyMatrix(region: try Self.region(oldVectors))
                var oldIndex: BucketIndex?
                if let oldBuckets {
                    let index = try BucketIndex(region: try Self.region(oldBuckets))
                    // An index that does not match the old vectors is not carried over: it is made again whole.
                    if (try? index.check(against: oldMatrix)) != nil { oldIndex = index }
                }
                try Self.writeBuckets(keeping: oldIndex, oldMatrix: oldMatrix, removing: removing, adding: adding,
                                     addingRows: addingRows, rows: rows, to: bucketsPath)
            }
        }
        defer { try? bucketsWrite?.wait() }  // never leave it writing into a workspace being removed
        let fills = parkedEntries
        let filling = fills.isEmpty ? nil : BackgroundTask { for (entry, member) in fills { try ZipAssembler.fill(member, with: entry) } }
        defer { try? filling?.wait() }  // never leave it writing into a workspace being removed
        let lexical = try place(PackLayout.lexicalIndex)
        let oldIndex = try LexicalIndex(region: try Self.region(lexical))
        let lexicalPath = workspace.file(PackLayout.lexicalIndex)
        let lexicalSink: any ByteSink = try parkedLexical ?? OutputFile(path: lexicalPath)
        let lexicalCRC = try LexicalIndexMerger.merge(oldIndex, renumber: Self.renumbering(oldIndex.documentCount, removing: chunkRows),
                                                      additions: lexicalAdditions, to: lexicalSink)
        if let parkedLexical { try parkedLexical.close(checksum: lexicalCRC) }
        trace.mark("lexical index merged")
        if isCancelled() { throw PackBuildError.cancelled }

        var manifest = oldManifest
        manifest.videoCount = Int(counts.videos)
        manifest.channelTitle = channelInput.channel.title
        manifest.extra["builder"] = .string("ytce \(PackBuilder.version)")
        manifest.extra["segment_count"] = .number(Double(counts.segments))
        manifest.extra["chunk_count"] = .number(Double(counts.chunks))
        manifest.extra["section_count"] = .number(Double(counts.sections))
        manifest.extra["updated_at"] = .string(syncedAt)
        if report.skipped.isEmpty { manifest.extra["skipped_transcripts"] = nil }
        else { manifest.extra["skipped_transcripts"] = .number(Double(report.skipped.count)) }
        entries.append(.init(name: PackLayout.manifest, parts: [.bytes(Array(manifest.encoded()))]))
        if parkedDatabase == nil {
            entries.append(.init(name: PackLayout.database, path: databasePath,
                                 crc32: try CRC32.of(file: databasePath)))
        }
        if parkedLexical == nil {
            entries.append(sectionsEntry.entry)
            entries.append(chunksEntry.entry)
            entries.append(documents)
            entries.append(.init(name: PackLayout.lexicalIndex, path: lexicalPath, crc32: lexicalCRC))
        }
        trace.mark("database checksummed")
        // The chunk table: the old rows that stay, then the new ones (a pack without one gets it from its database).
        let tablePath = workspace.file(PackLayout.chunkTable)
        if archive.member(PackLayout.chunkTable) != nil {
            let merged = ChunkTableWriter()
            merged.add(try ChunkTable(region: try Self.region(try place(PackLayout.chunkTable))), removing: chunkRows)
            merged.add(writer.chunkTable)
            try merged.write(to: tablePath)
        } else {
            try ChunkTableWriter.write(from: try SQLiteDatabase(path: databasePath, mode: .readOnly(immutable: true)), source: pack.path, to: tablePath)
        }
        guard let tableRows = try? ChunkTable(contentsOf: tablePath).count, tableRows == chunksEntry.rows else {
            throw Problem(description: "the chunk table no longer matches the chunk vectors (\(chunksEntry.rows) rows): build the pack again")
        }
        entries.append(.init(name: PackLayout.chunkTable, path: tablePath))
        trace.mark("chunk table written")
        if let bucketsWrite {
            try bucketsWrite.wait()
            entries.append(.init(name: PackLayout.chunkBuckets, path: bucketsPath))
            trace.mark("bucket index written")
        }
        // A graph over the chunk vectors no longer matches them: it is built again from the new matrix.
        if archive.member(PackLayout.chunkGraph) != nil {
            progress?(BuildProgress(phase: "indexing vectors", done: 0, total: 1))
            let matrixPath = workspace.file(PackLayout.chunkEmbeddings)
            try ZipAssembler.materialize(chunksEntry.entry, to: matrixPath)
            let graphPath = workspace.file(PackLayout.chunkGraph)
            try HNSWGraph.build(matrix: try NpyMatrix(contentsOf: matrixPath), to: graphPath, threads: workers)
            if let i = entries.firstIndex(where: { $0.name == PackLayout.chunkEmbeddings }) {
                entries[i] = .init(name: PackLayout.chunkEmbeddings, path: matrixPath, crc32: chunksEntry.entry.crc32)
            }
            entries.append(.init(name: PackLayout.chunkGraph, path: graphPath))
        }
        // Members ytce does not know are carried over as they are.
        let known = Set(entries.map(\.name) + [PackLayout.database, PackLayout.sectionEmbeddings, PackLayout.chunkEmbeddings,
                                                PackLayout.bm25Docs, PackLayout.lexicalIndex, PackLayout.chunkGraph,
                                                PackLayout.chunkTable, PackLayout.chunkBuckets])
        for extra in archive.directory.members where !known.contains(extra.name) && !extra.name.hasSuffix("/") {
            let placed = try place(extra.name)
            entries.append(.init(name: extra.name, parts: [.file(path: placed.path, offset: placed.offset, length: placed.member.uncompressedSize)],
                                 crc32: extra.crc32))
        }
        if isCancelled() { throw PackBuildError.cancelled }
        progress?(BuildProgress(phase: "packing", done: 0, total: 1))
        if let newZip, let parkedDatabase {
            // The parked members move into place in the order they were parked (the database's CRC read where it
            // lies, the others' known): the database, the manifest, the vectors, documents and lexical index, the rest.
            try filling?.wait()
            try newZip.adopt([parkedDatabase])
            try newZip.append(Array(entries.prefix { $0.name == PackLayout.manifest }), writeBack: true)
            try newZip.adopt(parkedEntries.map(\.member) + (parkedLexical.map { [$0] } ?? []))
            try newZip.append(Array(entries.drop { $0.name == PackLayout.manifest }), writeBack: true)
            try workspace.publish(newZip, holding: lock, isCancelled: isCancelled)
        } else if compressed {
            // A pack built with --compress stays compressed: its members are written out and deflated.
            for entry in entries where entry.name != PackLayout.database && entry.name != PackLayout.lexicalIndex {
                let path = workspace.file(entry.name)
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if !FileManager.default.fileExists(atPath: path) { try ZipAssembler.materialize(entry, to: path) }
            }
            try workspace.publish(modificationDate: buildDate ?? started, compression: .small, entries: entries.map(\.name),
                                  holding: lock, isCancelled: isCancelled)
        } else {
            try workspace.publish(entries, modificationDate: buildDate ?? started, holding: lock, isCancelled: isCancelled)
        }
        trace.mark("zipped, synced, renamed")
        progress?(BuildProgress(phase: "packing", done: 1, total: 1))
        report.videos = Int(counts.videos)
        report.chunks = Int(counts.chunks)
        report.embedding = (embedder as? EndpointEmbedder)?.statistics
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// The grown pack is written beside the old one before it replaces it, so the file system must hold a second
    /// pack at least as large (a compressed pack's members are unpacked there first, too). Checked before any work:
    /// on a big archive the write would otherwise fail minutes in, on a full disk.
    private func checkRoom(for archive: PackArchive, pack: URL) throws {
        let folder = pack.deletingLastPathComponent().path
        guard let free = freeBytes(folder),
              let packBytes = (try? FileManager.default.attributesOfItem(atPath: pack.path)[.size] as? NSNumber)?.int64Value else { return }
        var needed = packBytes
        for member in archive.directory.members where !member.isStored {
            let (sum, overflow) = needed.addingReportingOverflow(member.uncompressedSize)
            guard !overflow else { throw PackBuildError.output("\(pack.path): member \(member.name) claims \(member.uncompressedSize) bytes, more than any file") }
            needed = sum
        }
        guard free < needed else { return }
        throw PackBuildError.output("\(pack.path): not enough disk space in \(folder) for --update, which writes the grown pack beside "
                                    + "the old one before replacing it: at least \(PackCache.mebibytes(needed)) needed, \(PackCache.mebibytes(free)) free")
    }

    /// The chunking the pack was cut with must be the config's: rows of both kinds cannot live in one pack.
    private func checkSettings(_ manifest: PackManifest, pack: String) throws {
        let wanted: [String: JSONValue] = [
            "micro_chunk_sec": .number(Double(config.chunking.microChunkSec)),
            "micro_overlap_sec": .number(Double(config.chunking.microOverlapSec)),
            "target_section_sec": .number(Double(config.chunking.targetSectionSec)),
            "max_section_sec": .number(Double(config.chunking.maxSectionSec)),
        ]
        guard case .object(let chunking)? = manifest.extra["chunking"] else {
            throw PackBuildError.output("\(pack): the manifest does not say how the pack was chunked (not built by ytce): build it again")
        }
        for (key, value) in wanted.sorted(by: { $0.key < $1.key }) where chunking[key] != value {
            throw PackBuildError.config("\(pack) was chunked with \(key) \(chunking[key]?.shortDescription ?? "unknown"), the config says "
                                        + "\(value.shortDescription): --update keeps the pack's chunking (build it again to change it)")
        }
    }

    /// Each input video's source (content hashes), and how many transcripts were read. A transcript whose name, size
    /// and modification time are those `recorded` is not read: its recorded hash stands. The others are read and
    /// hashed on every core.
    static func sources(of videos: [Video], plan: TranscriptPlan,
                        recorded: [String: VideoSource] = [:]) -> (sources: [VideoSource], read: Int) {
        let slots = ResultSlots<VideoSource>(count: videos.count)
        let reads = ResultSlots<Bool>(count: videos.count)
        let now = Date()
        DispatchQueue.concurrentPerform(iterations: videos.count) { i in
            let file = plan.files[videos[i].videoID]
            let stamp = file.flatMap { VideoSource.FileStamp.of($0.path, now: now) }
            if let file, let stamp, let before = recorded[videos[i].videoID], before.stamp == stamp,
               before.transcriptFile == file.lastPathComponent, !before.transcriptSHA256.isEmpty {
                var source = VideoSource(video: videos[i], file: file, bytes: nil)
                source.transcriptSHA256 = before.transcriptSHA256
                source.stamp = stamp
                slots.set(i, source)
                reads.set(i, false)
                return
            }
            // An unreadable file hashes as no transcript; processing it then reports why.
            let bytes = file.flatMap { try? TranscriptReader.bytes(of: $0) }
            slots.set(i, VideoSource(video: videos[i], file: bytes == nil ? nil : file, bytes: bytes, stamp: stamp))
            reads.set(i, file != nil)
        }
        return (slots.values(), reads.values().filter { $0 }.count)
    }
}

/// Set once by one thread, read by another: tells a background copy to stop.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
