/// Turns texts into fixed-size vectors. A pack's manifest names the embedder (`embedding_model_id`,
/// `embedding_dim`) its vectors were made with; queries must use the same one.
public protocol Embedder: Sendable {
    var modelID: String { get }
    var dimension: Int { get }
    /// A worker for one thread: sessions may keep caches and are not shared between threads.
    func makeSession() -> any EmbeddingSession
    /// True when a question's vector has few non-zero entries (feature hashing: one per word), so an exact
    /// search reads only those columns of a column-major copy (`ColumnMatrix`) instead of needing a graph.
    var sparseQueries: Bool { get }
    /// True when the vectors carry meaning (a trained sentence encoder): the retriever then fuses them with BM25
    /// using weights measured for semantic vectors instead of letting them only nudge the lexical ranking.
    var semanticQueries: Bool { get }
    /// For sessions that wait on the network (an embeddings endpoint): how many lanes a build should run, more than
    /// cores, so that requests from many videos are in flight at once. Nil: one lane per worker.
    var blockingLanes: Int? { get }
    /// Why vectors could not be computed, once that happened (an endpoint that failed after its retries); a build
    /// checks it after every batch of videos and stops. Local embedders never fail.
    var failure: EmbedderProblem? { get }
}

extension Embedder {
    public var sparseQueries: Bool { false }
    public var semanticQueries: Bool { false }
    public var blockingLanes: Int? { nil }
    public var failure: EmbedderProblem? { nil }
}

public protocol EmbeddingSession: AnyObject {
    /// Writes the vector of `text` into `out[offset ..< offset + dimension]`.
    func embed(_ text: String, into out: inout [Float], at offset: Int)

    /// Vectors of micro-chunks, row after row. A chunk's text is its segments' texts joined by spaces;
    /// embedders whose vector of a joined text derives from its parts can skip re-reading overlapping text.
    func embedChunks(_ chunks: [MicroChunk], of segments: [TranscriptSegment], dimension: Int) -> [Float]

    /// Vectors of `texts`, row after row; embedders that batch (MiniLM) do it in fewer passes.
    func embed(_ texts: [String], dimension: Int) -> [Float]
}

extension EmbeddingSession {
    public func embedChunks(_ chunks: [MicroChunk], of segments: [TranscriptSegment], dimension: Int) -> [Float] {
        embed(chunks.map(\.text), dimension: dimension)
    }

    /// Vectors of `texts`, row after row.
    public func embed(_ texts: [String], dimension: Int) -> [Float] {
        var out = [Float](repeating: 0, count: texts.count * dimension)
        for (i, text) in texts.enumerated() { embed(text, into: &out, at: i * dimension) }
        return out
    }
}

public struct EmbedderProblem: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public enum EmbedderRegistry {
    /// The embedder a model id names, checked against the dimension the pack or config declares.
    /// `modelDirectory` is where the user said a model's files are (`--model-dir`, config `embedding.model_dir`).
    public static func embedder(modelID: String, dimension: Int, modelDirectory: String? = nil) throws(EmbedderProblem) -> any Embedder {
        if modelID.hasPrefix("hash-") {
            guard let n = Int(modelID.dropFirst(5)), n > 0 else {
                throw EmbedderProblem(message: "embedding model '\(modelID)' is not of the form hash-<dim>")
            }
            guard n == dimension else {
                throw EmbedderProblem(message: "embedding model '\(modelID)' makes \(n)-dimensional vectors but embedding_dim is \(dimension)")
            }
            return HashEmbedder(dimension: n)
        }
        if MiniLMEmbedder.names(modelID) {
            guard dimension == MiniLMEmbedder.expectedDimension else {
                throw EmbedderProblem(message: "embedding model '\(modelID)' makes \(MiniLMEmbedder.expectedDimension)-dimensional vectors but embedding_dim is \(dimension)")
            }
            do throws(MiniLMError) {
                let model = try MiniLMEmbedder.shared(locator: MiniLMModelLocator(explicitDirectory: modelDirectory))
                guard model.dimension == dimension else {
                    throw MiniLMError("\(model.directory.path): the model makes \(model.dimension)-dimensional vectors, not \(dimension)")
                }
                return model
            } catch {
                throw EmbedderProblem(message: error.message)
            }
        }
        throw EmbedderProblem(message: "ytce cannot compute embeddings for model '\(modelID)' (it knows hash-<dim> and sentence-transformers/all-MiniLM-L6-v2)")
    }
}
