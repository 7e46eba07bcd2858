import Foundation

/// One moment of the channel that answers a question, resolved to the transcript segments it covers.
public struct SearchHit: Sendable, Equatable {
    public var videoID: String
    public var title: String
    public var url: String
    public var startMs: Int
    public var endMs: Int
    public var score: Double
    /// The segments the moment covers, in order, each with its span and text.
    public var segments: [Segment]

    public struct Segment: Sendable, Equatable {
        public var id: Int64
        public var startMs: Int
        public var endMs: Int
        public var text: String

        public init(id: Int64, startMs: Int, endMs: Int, text: String) {
            self.id = id
            self.startMs = startMs
            self.endMs = endMs
            self.text = text
        }
    }

    /// The moment's transcript: its segments' texts.
    public var text: String { Self.text(of: segments) }
    public var segmentIDs: [Int64] { segments.map(\.id) }

    /// Segments' texts joined by spaces (empty ones left out).
    public static func text(of segments: [Segment]) -> String {
        segments.lazy.map(\.text).filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The segments overlapping `startMs..<endMs` (a citation's span, written in whole seconds: widened by
    /// one second, as `CitationCheck` does).
    public func segments(overlapping startMs: Int, _ endMs: Int) -> [Segment] {
        segments.filter { $0.startMs < endMs + 1000 && $0.endMs > startMs - 1000 }
    }
}

public struct SearchResult: Sendable {
    public var hits: [SearchHit]
    /// What the user should know about how the results were found (e.g. lexical only).
    public var notes: [String]
}

/// Hybrid retrieval over a pack's micro-chunks: BM25 over the lexical index (a `LexicalQuery`; each window scored
/// with its neighbours, relative scores) and vector search (weighted reciprocal rank), fused, with a coarse-to-fine pass (chunks of the best sections get a boost while the best
/// chunks channel-wide still compete), overlapping windows merged into moments, and each moment resolved to its
/// transcript segments.
public final class Retriever {
    /// Weights measured with `ytce eval` on the py4e and hf-course question sets: hash vectors carry little
    /// meaning, so they only nudge the lexical ranking (0.5/0.3 cost 0.17 MRR; 0.1 is on par with lexical, 0.2-0.3
    /// lose hit@5); section vectors likewise (0.1-0.2 lose up to 0.06 hit@5; 0.02 keeps the nudge harmless).
    public struct Settings: Sendable {
        public var candidates = 200
        public var lexicalWeight = 1.0
        public var vectorWeight = 0.1
        public var sectionWeight = 0.02
        public var topSections = 5
        public var rrfK = 60.0
        /// Lexical candidates are scored with their neighbouring windows (`NeighbourhoodScoring`), their own
        /// score counting this much; nil scores each window alone.
        public var neighbourhoodOwnWeight: Float? = 0.27
        /// HNSW search beam (at least `candidates`): wider finds more of the exact neighbours, slower.
        public var annEf = 200
        /// How vector hits enter the fusion: by rank (reciprocal rank, for vectors that only nudge) or by score.
        public var vectorFusion = VectorFusion.reciprocalRank
        public init() {}

        public enum VectorFusion: Sendable {
            /// `vectorWeight / (rrfK + rank)`.
            case reciprocalRank
            /// Cosine rescaled over the candidates (best 1, the last candidate 0), on the lexical scores' scale:
            /// how much closer a chunk is counts, not only its place in the list.
            case relativeScore
        }

        /// For embedders whose vectors carry meaning (`Embedder.semanticQueries`, e.g. MiniLM): cosine and BM25, each
        /// relative to its best candidate, weigh the same, and the best sections' boost is larger. Measured with
        /// `ytce eval` on py4e.minilm.pack and a MiniLM build of hf-course: vector weight 1.0 / section 0.2 gives
        /// hit@5 0.97 / 1.00, MRR 0.90 / 0.94, paraphrase hit@5 0.93 / 1.00; 1.5-2 suits py4e (MRR 0.90, hit@5 1.00)
        /// but costs hf-course up to 0.07 MRR; 0.7 the reverse; reciprocal-rank fusion at weight 1: py4e MRR 0.81.
        public static var semantic: Settings {
            var settings = Settings()
            settings.vectorFusion = .relativeScore
            settings.vectorWeight = 1.0
            settings.sectionWeight = 0.2
            return settings
        }
    }

    let pack: ChannelPack
    let lexical: LexicalIndex
    let embedder: (any Embedder)?
    let analyzer = LexicalAnalyzer()
    let chunks: ChunkTable
    public var settings = Settings()
    public let notes: [String]
    /// ytce-built packs list each video's segment id range, which keeps segment lookups off a full scan.
    private let hasVideoSpans: Bool
    /// The pack's HNSW graph over the chunk vectors, when it has one that matches them.
    public let graph: HNSWGraph?
    /// A column-major copy of a large pack's vectors, for sparse (hash-embedded) questions.
    public let columns: ColumnMatrix?

    /// `embedder` replaces the registry's choice; it must be the model the pack's vectors were made with.
    /// `modelDirectory` is where the user keeps a model's files (config `embedding.model_dir`), for the registry.
    public init(pack: ChannelPack, cache: PackCache, embedder custom: (any Embedder)? = nil, modelDirectory: String? = nil) throws {
        self.pack = pack
        self.lexical = try LexicalIndexStore.index(for: pack, cache: cache)
        self.chunks = try ChunkTable(database: pack.database, pack: pack.source)
        self.hasVideoSpans = (try pack.database.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'ytce_video_span'") ?? 0) > 0
        var notes: [String] = []
        if pack.chunkEmbeddings == nil {
            embedder = nil
            notes.append("lexical search only: the pack has no chunk embeddings")
        } else if let custom {
            guard custom.modelID == pack.manifest.embeddingModelID, custom.dimension == pack.manifest.embeddingDim else {
                throw EmbedderProblem(message: "embedder \(custom.modelID) (\(custom.dimension) dims) cannot search a pack made with \(pack.manifest.embeddingModelID) (\(pack.manifest.embeddingDim) dims)")
            }
            embedder = custom
        } else {
            do {
                embedder = try EmbedderRegistry.embedder(modelID: pack.manifest.embeddingModelID, dimension: pack.manifest.embeddingDim,
                                                         modelDirectory: modelDirectory)
            } catch {
                embedder = nil
                notes.append("lexical search only: ytce cannot compute query embeddings for '\(pack.manifest.embeddingModelID)' (\(error.message))")
            }
        }
        if embedder?.semanticQueries == true { settings = .semantic }
        var graph: HNSWGraph?
        let graphPath = pack.root.appendingPathComponent(PackLayout.chunkGraph).path
        if let matrix = pack.chunkEmbeddings, FileManager.default.fileExists(atPath: graphPath) {
            do { graph = try HNSWGraph(contentsOf: graphPath, matching: matrix) } catch {
                notes.append("exact vector search: the pack's HNSW graph is unusable (\(error.reason))")
            }
        }
        self.graph = graph
        // Hash-embedded questions have one non-zero entry per word: on large packs an exact search reads just
        // those columns of a column-major copy (made once into the cache), which beats a graph in time and recall.
        var columns: ColumnMatrix?
        if let matrix = pack.chunkEmbeddings, matrix.rows >= ColumnMatrix.minimumRows, embedder?.sparseQueries == true {
            do { columns = try ColumnMatrix.cached(for: pack, matrix: matrix, cache: cache) } catch {
                notes.append("full vector scan: cannot keep a column copy of the vectors (\(error))")
            }
        }
        self.columns = columns
        self.notes = notes
    }

    /// `queryVector` is the question's embedding when it was computed elsewhere (an embeddings endpoint for a
    /// model ytce cannot run); it must have the pack's dimension.
    public func search(_ question: String, topK: Int = 10, queryVector: [Float]? = nil) throws -> SearchResult {
        try search(question, topK: topK, queryVector: queryVector, fromEndpoint: queryVector != nil)
    }

    /// `fromEndpoint`: the vector came from outside (an embeddings endpoint), so the "lexical only" note of a pack
    /// whose model ytce cannot run does not apply.
    func search(_ question: String, topK: Int, queryVector: [Float]?, fromEndpoint: Bool) throws -> SearchResult {
        if let queryVector, let matrix = pack.chunkEmbeddings, queryVector.count != matrix.columns {
            throw EmbedderProblem(message: "the query embedding has \(queryVector.count) dimensions but the pack's vectors have \(matrix.columns) (\(pack.manifest.embeddingModelID)): configure the model the pack was built with")
        }
        var fused: [Int: Double] = [:]
        let query = LexicalQuery(question, analyzer: analyzer) { lexical.documentFrequency($0) > 0 }
        // Lexical scores enter as BM25 relative to the best hit, on the scale of a first rank in reciprocal-rank
        // fusion: a chunk naming all of a question's rare words keeps its lead over one naming a single word,
        // which rank fusion throws away (measured: hf-course MRR 0.78 → 0.83, hit@1 0.68 → 0.78; py4e equal).
        var lexicalHits = lexical.search(query, k: settings.candidates)
        if let ownWeight = settings.neighbourhoodOwnWeight {
            lexicalHits = NeighbourhoodScoring.rescore(lexicalHits, query: query, index: lexical, chunks: chunks, ownWeight: ownWeight)
        }
        if let best = lexicalHits.first?.score, best > 0 {
            for hit in lexicalHits {
                fused[hit.row, default: 0] += settings.lexicalWeight * Double(hit.score / best) / (settings.rrfK + 1)
            }
        }
        if let matrix = pack.chunkEmbeddings, let query = queryVector ?? embedder?.makeSession().embed([question], dimension: matrix.columns) {
            if query.contains(where: { $0 != 0 }) {
                let nearest = nearestChunks(query, in: matrix)
                switch settings.vectorFusion {
                case .reciprocalRank:
                    for (rank, hit) in nearest.enumerated() {
                        fused[hit.row, default: 0] += settings.vectorWeight / (settings.rrfK + Double(rank + 1))
                    }
                case .relativeScore:
                    if let best = nearest.first?.score, let floor = nearest.last?.score, best > floor {
                        for hit in nearest {
                            fused[hit.row, default: 0] += settings.vectorWeight * Double((hit.score - floor) / (best - floor)) / (settings.rrfK + 1)
                        }
                    }
                }
                // Coarse to fine: chunks inside the best sections rise; the others keep their own scores.
                if let sections = pack.sectionEmbeddings, sections.rows > 0 {
                    let best = Set(try sectionIDs(rows: VectorSearch.topK(query, in: sections, k: settings.topSections).map(\.row)))
                    for row in fused.keys where best.contains(chunks.sectionIDs[row]) {
                        fused[row, default: 0] += settings.sectionWeight / (settings.rrfK + 1)
                    }
                }
            }
        }
        let ranked = fused.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        let moments = MomentMerger.merge(ranked.map { (videoID: chunks.video($0.key), startMs: chunks.startMs[$0.key],
                                                       endMs: chunks.endMs[$0.key], score: Float($0.value), row: $0.key) },
                                         limit: topK)
        return SearchResult(hits: try moments.map(resolve), notes: !fromEndpoint || pack.chunkEmbeddings == nil ? notes : [])
    }

    /// The best `candidates` chunks for a question vector: exactly from the column copy when the question has
    /// few non-zero entries, else through the HNSW graph when the pack has one, else by the full exact scan.
    func nearestChunks(_ query: [Float], in matrix: NpyMatrix) -> [ScoredRow] {
        if let columns, query.lazy.filter({ $0 != 0 }).count * 4 <= matrix.columns {
            return columns.topK(query, k: settings.candidates)
        }
        if let graph {
            return ANNSearch.topK(query, in: matrix, graph: graph, k: settings.candidates, ef: max(settings.candidates, settings.annEf))
        }
        return VectorSearch.topK(query, in: matrix, k: settings.candidates)
    }

    /// BM25 inverse document frequency of an analyzed term. A term the pack never uses gets the highest
    /// weight: a question whose key word appears nowhere is not answered by the pack.
    public func idf(_ term: String) -> Double {
        let df = Double(lexical.documentFrequency(term))
        let n = Double(lexical.documentCount)
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }

    /// Answers offline from the best moments (see `ExtractiveAnswerer`).
    public func answer(_ question: String, topK: Int = 8, queryVector: [Float]? = nil) throws -> (answer: Answer, result: SearchResult) {
        // With a semantic embedder the answerer may also judge sentences by meaning (paraphrased questions share
        // few words with the answer): the question is embedded once, for the search and for that.
        var similarity: (([String]) -> [Float])?
        var vector = queryVector
        if let embedder, embedder.semanticQueries, let matrix = pack.chunkEmbeddings {
            let session = embedder.makeSession()
            let dimension = matrix.columns
            let query = vector ?? session.embed([question], dimension: dimension)
            vector = query
            similarity = { texts in
                let vectors = session.embed(texts, dimension: dimension)
                return (0..<texts.count).map { row in
                    var dot: Float = 0
                    for d in 0..<dimension { dot += vectors[row * dimension + d] * query[d] }
                    return dot
                }
            }
        }
        let result = try search(question, topK: topK, queryVector: vector, fromEndpoint: queryVector != nil)
        let answer = ExtractiveAnswerer().answer(question, hits: result.hits, idf: idf, similarity: similarity)
        return (answer, result)
    }

    /// Section ids of section-matrix rows (row i = i-th section by id).
    private func sectionIDs(rows: [Int]) throws -> [Int64] {
        if sectionIDCache == nil {
            sectionIDCache = try pack.database.strings("SELECT section_id FROM section ORDER BY section_id").compactMap { Int64($0) }
        }
        let all = sectionIDCache ?? []
        return rows.compactMap { $0 < all.count ? all[$0] : nil }
    }
    private var sectionIDCache: [Int64]?

    private var videoStatement: SQLiteStatement?
    private var segmentStatement: SQLiteStatement?

    /// A statement prepared once per retriever and reset for each use.
    private func statement(_ slot: inout SQLiteStatement?, _ sql: String) throws -> SQLiteStatement {
        if let prepared = slot {
            prepared.reset()
            return prepared
        }
        let prepared = try pack.database.prepare(sql)
        slot = prepared
        return prepared
    }

    /// The video's title and link, and the segments the moment covers.
    private func resolve(_ moment: Moment) throws -> SearchHit {
        let video = try statement(&videoStatement, "SELECT title, url FROM video WHERE video_id = ?")
        video.bind(1, moment.videoID)
        var title = "", url = ""
        if try video.step() { title = video.string(0) ?? ""; url = video.string(1) ?? "" }
        // A zero-length segment counts as lasting a millisecond (as in `MicroChunker`): one at the moment's start is in it.
        let segments = try statement(&segmentStatement, hasVideoSpans ? """
            SELECT t.segment_id, t.text, t.start_ms, t.end_ms FROM ytce_video_span s JOIN transcript_segment t
              ON t.segment_id BETWEEN s.first_segment_id AND s.first_segment_id + s.segment_count - 1
            WHERE s.video_id = ?1 AND t.start_ms < ?3 AND max(t.end_ms, t.start_ms + 1) > ?2 ORDER BY t.segment_id
            """ : """
            SELECT segment_id, text, start_ms, end_ms FROM transcript_segment
            WHERE video_id = ?1 AND start_ms < ?3 AND max(end_ms, start_ms + 1) > ?2 ORDER BY segment_id
            """)
        segments.bind(1, moment.videoID)
        segments.bind(2, moment.startMs)
        segments.bind(3, moment.endMs)
        var covered: [SearchHit.Segment] = []
        while try segments.step() {
            let id = segments.int64(0)
            covered.append(SearchHit.Segment(
                id: id, startMs: try PackTime.read(segments, 2, name: "start_ms", table: "transcript_segment", rowID: id, pack: pack.source),
                endMs: try PackTime.read(segments, 3, name: "end_ms", table: "transcript_segment", rowID: id, pack: pack.source),
                text: segments.string(1) ?? ""))
        }
        return SearchHit(videoID: moment.videoID, title: title, url: url, startMs: moment.startMs, endMs: moment.endMs,
                         score: Double(moment.score), segments: covered)
    }
}
