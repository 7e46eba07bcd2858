import Foundation

/// One question put to several packs at once (`pack ask --pack A --pack B`, `pack search` over several packs, the
/// explorer's `:compare`): the packs are opened and searched in parallel, one thread each, so two packs take
/// about the time of the slower one rather than of both. A config is read as `pack ask` reads it for one pack:
/// its answer block, its embeddings endpoint (when it serves a pack's model), its model folder and its model.
public enum PackComparison {
    /// One pack's side: its label (the channel's title; the path too when two channels share a title) and its
    /// answer, written offline or by the config's model from that pack's evidence only, so every citation
    /// belongs to the channel named above it.
    public struct Side: Sendable {
        public var label: String
        public var path: String
        public var answer: AskResult
    }

    /// Each pack's answer to `question`, in the order the packs were given: retrieval and evidence as
    /// `QuestionAnswerer` makes them for one pack, then the offline answer or the config's model, the packs'
    /// model calls in flight together. Cancelling the task stops the model calls.
    public static func ask(_ question: String, packs: [String], cache: PackCache, config: PackConfig = PackConfig(),
                           environment: [String: String] = [:], modelDirectory: String? = nil,
                           configName: String = "config") async throws -> [Side] {
        let llm = try LLMSettings.resolve(config.llm, file: configName)
        let model = LLMClients.make(llm, environment: environment).map { AnswerModel(client: $0, settings: llm) }
        let opened = try open(packs, cache: cache, modelDirectory: modelDirectory ?? config.embedding.modelDirectory)
        let vectors = try await endpointVectors(question, for: opened, config: config, environment: environment)
        let prepared = try inParallel(packs) { i in
            let retriever = opened[i].retriever
            var prepared = try QuestionAnswerer(pack: retriever.pack, retriever: retriever, settings: config.answer)
                .prepare(question, queryVector: vectors.vectors[i], forModel: model != nil)
            if let note = vectors.notes[i] { prepared.notes.append(note) }
            return prepared
        }
        let answers = try await withThrowingTaskGroup(of: (Int, AskResult).self) { group in
            for (i, question) in prepared.enumerated() {
                group.addTask {
                    do { return (i, try await question.complete(model: model)) }
                    catch { throw PackComparisonError(pack: packs[i], underlying: error) }
                }
            }
            var answers = [AskResult?](repeating: nil, count: prepared.count)
            for try await (i, answer) in group { answers[i] = answer }
            return answers.compactMap { $0 }
        }
        return zip(opened, answers).map { side, answer in Side(label: side.label, path: side.path, answer: answer) }
    }

    /// The question's vector from the config's embeddings endpoint, asked once, for the packs built with the model
    /// it serves; for the others nil and a note saying why it is not used (their retrievers embed the question
    /// themselves when they can), as `pack ask` does for one pack.
    static func endpointVectors(_ question: String, for opened: [Opened], config: PackConfig,
                                environment: [String: String]) async throws -> (vectors: [[Float]?], notes: [String?]) {
        guard let endpoint = EmbeddingEndpoint.from(config.embedding, environment: environment) else {
            return (opened.map { _ in nil }, opened.map { _ in nil })
        }
        let served = opened.map { endpoint.serves(modelID: $0.retriever.pack.manifest.embeddingModelID) }
        var vector: [Float]?
        if served.contains(true) {
            vector = try await endpoint.embed(question)
        }
        let notes = zip(opened, served).map { side, served in
            served ? nil : "the config's embeddings endpoint serves '\(endpoint.model)', not the pack's model '\(side.retriever.pack.manifest.embeddingModelID)': not used"
        }
        return (served.map { $0 ? vector : nil }, notes)
    }

    /// The packs' moments for `query` (as `Retriever.find`), merged into one ranking (`CrossPackRanking`), with
    /// each pack's notes prefixed by its label.
    /// `config` as `pack search` reads it for one pack: the embeddings endpoint and the model folder.
    public static func search(_ query: String, packs: [String], cache: PackCache, config: PackConfig = PackConfig(),
                              environment: [String: String] = [:], modelDirectory: String? = nil,
                              topK: Int) async throws -> (hits: [PackHit], notes: [String]) {
        let opened = try open(packs, cache: cache, modelDirectory: modelDirectory ?? config.embedding.modelDirectory)
        let vectors = try await endpointVectors(query, for: opened, config: config, environment: environment)
        let found = try inParallel(packs) { i in
            var found = try opened[i].retriever.find(query, topK: topK, queryVector: vectors.vectors[i])
            if let note = vectors.notes[i] { found.notes.append(note) }
            return found
        }
        let hits = CrossPackRanking.merge(zip(opened, found).map { (pack: $0.label, retriever: $0.retriever, hits: $1.hits) }, question: query, topK: topK)
        return (hits, zip(opened, found).flatMap { side, result in result.notes.map { "\(side.label): \($0)" } })
    }

    /// An open pack of a comparison with its retriever and label.
    struct Opened {
        var path: String
        var label: String
        var retriever: Retriever
    }

    /// Opens each pack with its retriever, the packs in parallel; the first pack that fails fails the whole (its
    /// error names it).
    static func open(_ packs: [String], cache: PackCache, modelDirectory: String?) throws -> [Opened] {
        let opened = try inParallel(packs) { i in
            let pack = try ChannelPack.open(packs[i], options: .init(cache: cache))
            return (pack.manifest.channelTitle, try Retriever(pack: pack, cache: cache, modelDirectory: modelDirectory))
        }
        let names = labels(titles: opened.map(\.0), paths: packs)
        return zip(zip(packs, names), opened).map { Opened(path: $0.0, label: $0.1, retriever: $1.1) }
    }

    /// `body(i)` for each pack `paths[i]`, one thread each; results in the packs' order. The first pack that fails
    /// fails the whole, its error naming the pack (`PackComparisonError`).
    static func inParallel<T>(_ paths: [String], _ body: (Int) throws -> T) throws -> [T] {
        let slots = ResultSlots<Result<T, Error>>(count: paths.count)
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: paths.count) { i in slots.set(i, Result { try body(i) }) }
        }
        return try zip(slots.values(), paths).map { result, path in
            try result.mapError { $0 is PackComparisonError ? $0 : PackComparisonError(pack: path, underlying: $0) }.get()
        }
    }

    /// Labels for the packs: their titles, with the path added where two packs share one (or a pack has none).
    static func labels(titles: [String], paths: [String]) -> [String] {
        zip(titles, paths).map { title, path in
            title.isEmpty ? path : titles.filter({ $0 == title }).count > 1 ? "\(title) (\(path))" : title
        }
    }
}

/// A pack of a comparison that could not be opened or searched: names the pack.
public struct PackComparisonError: Error, Sendable, CustomStringConvertible {
    public let pack: String
    public let underlying: any Error
    public var description: String { underlying is PackError ? "\(underlying)" : "\(pack): \(underlying)" }
}
