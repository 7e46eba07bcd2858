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
    /// The chunk windows merged into the moment, each with its retrieval score, best first: where in the moment
    /// the question matched (empty when not known).
    public var windows: [Window] = []

    public struct Window: Sendable, Equatable {
        public var startMs: Int
        public var endMs: Int
        public var score: Double
        /// Cosine similarity of the question with the window's vector, when the pack's embedder carries meaning.
        public var similarity: Double?

        public init(startMs: Int, endMs: Int, score: Double, similarity: Double? = nil) {
            self.startMs = startMs
            self.endMs = endMs
            self.score = score
            self.similarity = similarity
        }
    }

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

/// What ranks a pack's moments for a question besides the words: the status line of a session says it.
public enum RetrievalMode: Sendable, Equatable {
    /// Vectors that carry meaning (all-MiniLM-L6-v2, or an embeddings endpoint).
    case semantic
    /// Hash vectors: words, not meaning.
    case hash
    /// Words only: no vectors can be computed for questions (the pack has none, or its model is missing).
    case lexicalOnly(reason: String)

    public var label: String {
        switch self {
        case .semantic: "semantic"
        case .hash: "hash"
        case .lexicalOnly: "lexical only"
        }
    }

    /// Why questions are matched by words only (nil otherwise).
    public var reason: String? {
        if case .lexicalOnly(let reason) = self { return reason }
        return nil
    }
}

public struct SearchResult: Sendable {
    public var hits: [SearchHit]
    /// What the user should know about how the results were found (e.g. lexical only).
    public var notes: [String]

    public init(hits: [SearchHit], notes: [String]) {
        self.hits = hits
        self.notes = notes
    }
}

/// A search's moments, best first, before they are resolved to their transcripts: a list can show its first
/// screenful while the rest are read (`Retriever.hits(_:_:)`).
public struct RankedMoments: Sendable {
    public var moments: [Moment]
    /// As `SearchResult.notes`.
    public var notes: [String]
    /// The fused score of each chunk row, for the moments' windows (nil: a phrase's moments, listed without).
    var scores: [Int: Double]?
    /// The question's vector when it carries meaning (for the windows' similarity).
    var query: [Float]?
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
        /// Terms of the first search's best windows asked for in a second one (nil: one search).
        public var feedback: FeedbackExpansion? = FeedbackExpansion()
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
            settings.feedback = nil
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
    /// The bucket index of a large hash-embedded pack, for sparse (hash-embedded) questions.
    public let buckets: BucketIndex?

    /// `embedder` replaces the registry's choice; it must be the model the pack's vectors were made with.
    /// `modelDirectory` is where the user keeps a model's files (config `embedding.model_dir`), for the registry.
    /// `vectors` false: the lexical index and the chunks only (no embedder, graph or column copy), for work that
    /// never ranks by vectors (`moments(matching:)`, the timeline), which then starts faster.
    public init(pack: ChannelPack, cache: PackCache, embedder custom: (any Embedder)? = nil, modelDirectory: String? = nil,
                vectors: Bool = true) throws {
        self.pack = pack
        self.lexical = try LexicalIndexStore.index(for: pack, cache: cache)
        self.chunks = try ChunkTable.of(pack, cache: cache)
        self.hasVideoSpans = (try pack.database.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'ytce_video_span'") ?? 0) > 0
        var notes: [String] = []
        if !vectors {
            embedder = nil
            graph = nil
            buckets = nil
            self.notes = []
            return
        }
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
        // Vectors from an embeddings endpoint come from a trained model too (their questions' vectors come from it).
        if embedder?.semanticQueries == true || pack.manifest.extra["embedding_backend"]?.stringValue == "openai" { settings = .semantic }
        var graph: HNSWGraph?
        if let matrix = pack.chunkEmbeddings, let region = try? pack.files.region(PackLayout.chunkGraph) {
            do {
                let opened = try HNSWGraph(region: region)
                try opened.check(against: matrix)
                graph = opened
            } catch {
                notes.append("exact vector search: the pack's HNSW graph is unusable (\(error.reason))")
            }
        }
        self.graph = graph
        // Hash-embedded questions have one non-zero entry per word: on large packs an exact search reads just
        // those buckets of the bucket index (carried by ytce's packs, else made once into the cache), which beats
        // a graph in time and recall.
        var buckets: BucketIndex?
        if let matrix = pack.chunkEmbeddings, matrix.rows >= BucketIndex.minimumRows, embedder?.sparseQueries == true {
            do {
                let index: BucketIndex
                if let region = try pack.files.region(PackLayout.chunkBuckets) {
                    index = try BucketIndex(region: region)
                    try index.check(against: matrix)
                } else {
                    index = try BucketIndex.derived(for: pack, matrix: matrix, cache: cache)
                }
                if index.isUseful { buckets = index } else {
                    notes.append("full vector scan: the pack's vectors are not hash counts (\(index.exceptions.count) of \(index.rows) rows)")
                }
            } catch {
                notes.append("full vector scan: no usable bucket index of the vectors (\(error))")
            }
        }
        self.buckets = buckets
        self.notes = notes
    }

    /// How questions are matched: by meaning, by hashed words, or by words alone (and why).
    /// `endpoint`: question vectors come from an embeddings endpoint, which serves a model that carries meaning.
    public func mode(endpoint: Bool = false) -> RetrievalMode {
        guard pack.chunkEmbeddings != nil else { return .lexicalOnly(reason: notes.first ?? "the pack has no chunk embeddings") }
        if endpoint { return .semantic }
        guard let embedder else { return .lexicalOnly(reason: notes.first ?? "no embedder for \(pack.manifest.embeddingModelID)") }
        return embedder.semanticQueries ? .semantic : .hash
    }

    /// `queryVector` is the question's embedding when it was computed elsewhere (an embeddings endpoint for a
    /// model ytce cannot run); it must have the pack's dimension.
    /// `context` folds a conversation's earlier turns in and limits the moments to a scope.
    public func search(_ question: String, topK: Int = 10, queryVector: [Float]? = nil,
                       context: RetrievalContext = RetrievalContext()) throws -> SearchResult {
        try search(question, topK: topK, queryVector: queryVector, fromEndpoint: queryVector != nil, context: context)
    }

    /// `fromEndpoint`: the vector came from outside (an embeddings endpoint), so the "lexical only" note of a pack
    /// whose model ytce cannot run does not apply.
    func search(_ question: String, topK: Int, queryVector: [Float]?, fromEndpoint: Bool,
                context: RetrievalContext = RetrievalContext()) throws -> SearchResult {
        let ranked = try rank(question, topK: topK, queryVector: queryVector, fromEndpoint: fromEndpoint, context: context)
        return SearchResult(hits: try hits(ranked, ranked.moments.indices), notes: ranked.notes)
    }

    /// `search`'s moments, ranked but not yet resolved to their transcripts (`hits(_:_:)` does that).
    func rank(_ question: String, topK: Int, queryVector: [Float]?, fromEndpoint: Bool,
              context: RetrievalContext = RetrievalContext()) throws -> RankedMoments {
        if let queryVector, let matrix = pack.chunkEmbeddings, queryVector.count != matrix.columns {
            throw EmbedderProblem(message: "the query embedding has \(queryVector.count) dimensions but the pack's vectors have \(matrix.columns) (\(pack.manifest.embeddingModelID)): configure the model the pack was built with")
        }
        var fused: [Int: Double] = [:]
        let query = context.folding(into: lexicalQuery(question))
        // A scope keeps only its videos' chunks, so more candidates are read to leave enough inside it.
        let candidates = context.videoIDs == nil ? settings.candidates : settings.candidates * 10
        // Lexical scores enter as BM25 relative to the best hit, on the scale of a first rank in reciprocal-rank
        // fusion: a chunk naming all of a question's rare words keeps its lead over one naming a single word,
        // which rank fusion throws away (measured: hf-course MRR 0.78 → 0.83, hit@1 0.68 → 0.78; py4e equal).
        func lexicalSearch(_ query: LexicalQuery) -> [ScoredRow] {
            var hits = lexical.search(query, k: candidates)
            if let scope = context.videoIDs {
                // Then as many as an unscoped search keeps: every window of a short video would merge into one
                // moment the length of the video, which the answerer cannot quote from.
                hits.removeAll { !scope.contains(chunks.video($0.row)) }
                hits = Array(hits.prefix(settings.candidates))
            }
            if let ownWeight = settings.neighbourhoodOwnWeight {
                hits = NeighbourhoodScoring.rescore(hits, query: query, index: lexical, chunks: chunks, ownWeight: ownWeight)
            }
            return hits
        }
        var lexicalHits = lexicalSearch(query)
        if let feedback = settings.feedback, context.foldedTerms.isEmpty, let best = lexicalHits.first,
           feedback.expands(query, bestRow: best.row, index: lexical) {
            let windows = try lexicalHits.prefix(feedback.documents).map { hit in
                (text: SearchHit.text(of: try segments(of: chunks.video(hit.row), from: chunks.startMs[hit.row], to: chunks.endMs[hit.row])),
                 score: hit.score)
            }
            let expanded = feedback.expand(query, windows: windows, analyzer: analyzer, index: lexical)
            if expanded != query { lexicalHits = feedback.merge(lexicalHits, lexicalSearch(expanded)) }
        }
        if let best = lexicalHits.first?.score, best > 0 {
            for hit in lexicalHits {
                fused[hit.row, default: 0] += settings.lexicalWeight * Double(hit.score / best) / (settings.rrfK + 1)
            }
        }
        var semanticQuery: [Float]?
        if let matrix = pack.chunkEmbeddings, let own = queryVector ?? embedded(question, dimension: matrix.columns) {
            // An embeddings endpoint serves a model that carries meaning, like the embedders that say so.
            let semantic = embedder?.semanticQueries == true || (embedder == nil && queryVector != nil)
            let query = semantic ? context.folding(into: own) : own
            if query.contains(where: { $0 != 0 }) {
                if semantic { semanticQuery = query }
                var nearest = nearestChunks(query, in: matrix, candidates: candidates)
                if let scope = context.videoIDs {
                    nearest.removeAll { !scope.contains(chunks.video($0.row)) }
                    nearest = Array(nearest.prefix(settings.candidates))
                }
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
        if context.threadVideoBoost > 0, !context.threadVideos.isEmpty {
            for row in fused.keys where context.threadVideos.contains(chunks.video(row)) {
                fused[row, default: 0] += context.threadVideoBoost / (settings.rrfK + 1)
            }
        }
        let ranked = fused.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        let moments = MomentMerger.merge(ranked.map { (videoID: chunks.video($0.key), startMs: chunks.startMs[$0.key],
                                                       endMs: chunks.endMs[$0.key], score: Float($0.value), row: $0.key) },
                                         limit: topK)
        return RankedMoments(moments: moments, notes: !fromEndpoint || pack.chunkEmbeddings == nil ? notes : [],
                             scores: fused, query: semanticQuery)
    }

    /// The moments of `ranked` at `range`, resolved to their titles and transcript segments (with their windows'
    /// scores when it has them).
    public func hits(_ ranked: RankedMoments, _ range: Range<Int>) throws -> [SearchHit] {
        let range = range.clamped(to: ranked.moments.indices)
        return try ranked.moments[range].map { try resolve($0, scores: ranked.scores, query: ranked.query) }
    }

    /// The best `candidates` chunks for a question vector: exactly from the bucket index when the question has
    /// few non-zero entries, else through the HNSW graph when the pack has one, else by the full exact scan.
    func nearestChunks(_ query: [Float], in matrix: NpyMatrix, candidates: Int? = nil) -> [ScoredRow] {
        let k = candidates ?? settings.candidates
        if let buckets, query.lazy.filter({ $0 != 0 }).count * 4 <= matrix.columns {
            return buckets.topK(query, k: k, matrix: matrix)
        }
        if let graph {
            return ANNSearch.topK(query, in: matrix, graph: graph, k: k, ef: max(k, settings.annEf))
        }
        return VectorSearch.topK(query, in: matrix, k: k)
    }

    /// BM25 inverse document frequency of an analyzed term. A term the pack never uses gets the highest
    /// weight: a question whose key word appears nowhere is not answered by the pack.
    public func idf(_ term: String) -> Double { lexical.idf(term) }

    /// The question's terms as the answerer weighs them (`QuestionTerms`), with their rarity in this pack.
    /// Folded terms of a `context` are content the thread established (a follow-up's own words are few): they
    /// count as content words, but their rarity is scaled by their folded weight, so the question's own words
    /// still lead the choice of sentences.
    public func questionTerms(_ question: String, context: RetrievalContext = RetrievalContext()) -> QuestionTerms {
        let own = lexicalQuery(question)
        let ownTexts = Set(own.terms.map(\.text))
        return QuestionTerms(own.terms.map {
            .init(text: $0.text, weight: $0.weight, idf: idf($0.text), known: lexical.documentFrequency($0.text) > 0)
        } + (context.judgesWithFoldedTerms ? context.foldedTerms : []).filter { !ownTexts.contains($0.text) }.map {
            .init(text: $0.text, weight: 1, idf: idf($0.text) * $0.weight, known: lexical.documentFrequency($0.text) > 0)
        })
    }

    /// Dot product of `query` with a chunk's vector (the cosine, for normalised vectors); nil without vectors.
    func similarity(_ query: [Float], row: Int) -> Double? {
        guard let matrix = pack.chunkEmbeddings, row < matrix.rows, query.count == matrix.columns else { return nil }
        let vector = matrix.row(row)
        var dot: Float = 0
        for d in 0..<query.count { dot += vector[d] * query[d] }
        return Double(dot)
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

    /// The last questions embedded by the pack's embedder, newest last: a conversation folds an earlier turn's
    /// vector in without embedding it again.
    private var recentVectors: [(text: String, vector: [Float])] = []

    /// The pack embedder's vector for `text` (kept among the recent ones); nil without an embedder.
    func embedded(_ text: String, dimension: Int) -> [Float]? {
        if let kept = recentVectors.last(where: { $0.text == text }), kept.vector.count == dimension { return kept.vector }
        guard let vector = embedder?.makeSession().embed([text], dimension: dimension) else { return nil }
        recentVectors.append((text, vector))
        if recentVectors.count > 8 { recentVectors.removeFirst() }
        return vector
    }

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

    /// The texts of the chunk windows at matrix rows `rows` (ascending): row i is the i-th chunk by id, so one
    /// ordered read from the first row asked to the last.
    func chunkTexts(_ rows: [Int]) throws -> [Int: String] {
        guard let first = rows.first, let last = rows.last else { return [:] }
        let wanted = Set(rows)
        let statement = try pack.database.prepare("SELECT text FROM micro_chunk ORDER BY chunk_id LIMIT ? OFFSET ?")
        statement.bind(1, last - first + 1)
        statement.bind(2, first)
        var texts: [Int: String] = [:]
        var row = first
        while try statement.step() {
            if wanted.contains(row) { texts[row] = statement.string(0) ?? "" }
            row += 1
        }
        return texts
    }

    /// The video's title and link, the segments the moment covers and its windows with their `scores` (and their
    /// similarity with a semantic `query`); without scores (a phrase's or a topic's moments) no windows are listed.
    func resolve(_ moment: Moment, scores: [Int: Double]? = nil, query: [Float]? = nil) throws -> SearchHit {
        let video = try statement(&videoStatement, "SELECT title, url FROM video WHERE video_id = ?")
        video.bind(1, moment.videoID)
        var title = "", url = ""
        if try video.step() { title = video.string(0) ?? ""; url = video.string(1) ?? "" }
        let covered = try segments(of: moment.videoID, from: moment.startMs, to: moment.endMs)
        let windows = scores.map { scores in
            moment.chunkRows.map { row in
                SearchHit.Window(startMs: Int(chunks.startMs[row]), endMs: Int(chunks.endMs[row]), score: scores[row] ?? 0,
                                 similarity: query.flatMap { similarity($0, row: row) })
            }.sorted { $0.score > $1.score }
        } ?? []
        return SearchHit(videoID: moment.videoID, title: title, url: url, startMs: moment.startMs, endMs: moment.endMs,
                         score: Double(moment.score), segments: covered, windows: windows)
    }

    /// The transcript segments of a video overlapping `startMs..<endMs`, in order.
    func segments(of videoID: String, from startMs: Int, to endMs: Int) throws -> [SearchHit.Segment] {
        // A zero-length segment counts as lasting a millisecond (as in `MicroChunker`): one at the moment's start is in it.
        let segments = try statement(&segmentStatement, hasVideoSpans ? """
            SELECT t.segment_id, t.text, t.start_ms, t.end_ms FROM ytce_video_span s JOIN transcript_segment t
              ON t.segment_id BETWEEN s.first_segment_id AND s.first_segment_id + s.segment_count - 1
            WHERE s.video_id = ?1 AND t.start_ms < ?3 AND max(t.end_ms, t.start_ms + 1) > ?2 ORDER BY t.segment_id
            """ : """
            SELECT segment_id, text, start_ms, end_ms FROM transcript_segment
            WHERE video_id = ?1 AND start_ms < ?3 AND max(end_ms, start_ms + 1) > ?2 ORDER BY segment_id
            """)
        segments.bind(1, videoID)
        segments.bind(2, startMs)
        segments.bind(3, endMs)
        var covered: [SearchHit.Segment] = []
        while try segments.step() {
            let id = segments.int64(0)
            covered.append(SearchHit.Segment(
                id: id, startMs: try PackTime.read(segments, 2, name: "start_ms", table: "transcript_segment", rowID: id, pack: pack.source),
                endMs: try PackTime.read(segments, 3, name: "end_ms", table: "transcript_segment", rowID: id, pack: pack.source),
                text: segments.string(1) ?? ""))
        }
        return covered
    }
}
