import CBLAS
import Foundation

/// all-MiniLM-L6-v2 (sentence-transformers) computed natively: WordPiece ids → 6-layer BERT → mean pooling over
/// every token ([CLS] and [SEP] included) → L2 normalisation; texts past 256 tokens are truncated.
public final class MiniLMEmbedder: Embedder {
    public static let canonicalModelID = "sentence-transformers/all-MiniLM-L6-v2"
    public static let expectedDimension = 384

    public let modelID: String
    public let dimension: Int
    public let directory: URL
    public let tokenizer: WordPieceTokenizer
    let model: BertModel
    public let maxTokens: Int

    /// Its vectors carry meaning: the retriever gives them a real say next to BM25 (see `Retriever.Settings`).
    public var semanticQueries: Bool { true }

    /// True for ids that name this model: `all-MiniLM-L6-v2` with or without an owner prefix, any case.
    public static func names(_ modelID: String) -> Bool {
        let id = modelID.lowercased()
        return id == "all-minilm-l6-v2" || id == "sentence-transformers/all-minilm-l6-v2"
    }

    /// Loads the model folder (config.json, vocab.txt, model.safetensors).
    public init(directory: URL, maxTokens: Int = WordPieceTokenizer.defaultMaxLength) throws(MiniLMError) {
        for file in MiniLMModelLocator.requiredFiles where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path) {
            throw MiniLMError("\(directory.path): the model folder lacks \(file); \(MiniLMModelLocator.howToGet)")
        }
        let config = try BertConfig.load(directory.appendingPathComponent("config.json"))
        let tokenizer = try WordPieceTokenizer(vocabularyFile: directory.appendingPathComponent("vocab.txt"))
        guard tokenizer.vocabularySize == config.vocabularySize else {
            throw MiniLMError("\(directory.appendingPathComponent("vocab.txt").path): \(tokenizer.vocabularySize) tokens but config.json's vocab_size is \(config.vocabularySize)")
        }
        // OpenBLAS, single-threaded: ytce parallelises across sequences itself (one encoder per build lane), and
        // OpenBLAS's own threads fighting those lanes for the two cores only slow both down.
        if let problem = ytce_blas_load() { throw MiniLMError(String(cString: problem)) }
        let weights = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        model = try BertModel(config: config, weights: weights)
        self.tokenizer = tokenizer
        self.directory = directory
        self.dimension = config.hidden
        self.maxTokens = min(maxTokens, config.maxPositions)
        modelID = Self.canonicalModelID
    }

    /// The model found by `locator`, loaded once per process and folder (packs and sessions share the weights).
    public static func shared(locator: MiniLMModelLocator = MiniLMModelLocator()) throws(MiniLMError) -> MiniLMEmbedder {
        let directory = try locator.locate()
        return try loaded.value(for: directory.standardizedFileURL.path) { () throws(MiniLMError) in try MiniLMEmbedder(directory: directory) }
    }

    private static let loaded = LoadedModels()

    public func makeSession() -> any EmbeddingSession { MiniLMSession(embedder: self) }

    /// Token ids of `text` as the model sees them (`[CLS] … [SEP]`, truncated).
    public func tokenIDs(_ text: String) -> [Int32] { tokenizer.encode(text, maxLength: maxTokens) }
}

/// One thread's worker: the encoder's scratch memory is reused from text to text.
final class MiniLMSession: EmbeddingSession {
    let embedder: MiniLMEmbedder
    private let encoder: BertEncoder
    /// Tokens per forward pass when embedding many texts: big enough for efficient matrix products, small enough
    /// that the scratch memory stays a few MB.
    static let batchTokens = 1024

    init(embedder: MiniLMEmbedder) {
        self.embedder = embedder
        encoder = BertEncoder(model: embedder.model)
    }

    func embed(_ text: String, into out: inout [Float], at offset: Int) {
        let ids = embedder.tokenIDs(text)
        let width = embedder.dimension
        guard offset >= 0, offset + width <= out.count else { return }
        out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            encoder.embed([ids], into: base + offset)
        }
    }

    func embedChunks(_ chunks: [MicroChunk], of segments: [TranscriptSegment], dimension: Int) -> [Float] {
        embedBatch(chunks.map(\.text))
    }

    func embed(_ texts: [String], dimension: Int) -> [Float] { embedBatch(texts) }

    /// Vectors of `texts`, row after row; the texts are embedded in batches of about `batchTokens` tokens.
    func embedBatch(_ texts: [String]) -> [Float] {
        let width = embedder.dimension
        var out = [Float](repeating: 0, count: texts.count * width)
        let sequences = texts.map(embedder.tokenIDs)
        out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < sequences.count {
                var end = start, tokens = 0
                while end < sequences.count && (end == start || tokens + sequences[end].count <= Self.batchTokens) {
                    tokens += sequences[end].count
                    end += 1
                }
                encoder.embed(Array(sequences[start..<end]), into: base + start * width)
                start = end
            }
        }
        return out
    }
}

extension MiniLMEmbedder {
    /// Vectors of many texts at once (batched forward passes), row after row.
    public func embedBatch(_ texts: [String]) -> [Float] {
        MiniLMSession(embedder: self).embedBatch(texts)
    }
}

/// Models loaded so far, by folder; a lock (not an actor) because the registry is synchronous.
final class LoadedModels: @unchecked Sendable {
    private let lock = NSLock()
    private var models: [String: MiniLMEmbedder] = [:]

    func value(for key: String, load: () throws(MiniLMError) -> MiniLMEmbedder) throws(MiniLMError) -> MiniLMEmbedder {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[key] { return model }
        let model = try load()
        models[key] = model
        return model
    }
}
