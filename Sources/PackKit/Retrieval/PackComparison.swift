import Foundation

/// One question put to several packs at once (`pack ask --pack A --pack B`, `pack search` over several packs, the
/// explorer's `:compare`): the packs are opened and searched in parallel, one thread each, so two packs take
/// about the time of the slower one rather than of both; side by side (`ask`) or as one answer (`combine`). A config is read as `pack ask` reads it for one pack:
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
        try await ask(question, engines: try engines(packs, cache: cache, config: config, environment: environment,
                                                     modelDirectory: modelDirectory, configName: configName))
    }

    /// Opens each pack as an `AskEngine` (as `pack ask` opens one), the packs in parallel; the first that fails
    /// fails the whole, its error naming it.
    public static func engines(_ packs: [String], cache: PackCache, config: PackConfig = PackConfig(), environment: [String: String] = [:],
                               modelDirectory: String? = nil, configName: String = "config") throws -> [AskEngine] {
        _ = try LLMSettings.resolve(config.llm, file: configName)
        return try inParallel(packs) { i in
            try AskEngine(path: packs[i], cache: cache, config: config, environment: environment, modelDirectory: modelDirectory, configName: configName)
        }
    }

    /// Each engine's answer to `question`, in the engines' order, each as that engine answers now (its model, or
    /// offline after `:offline`): packs already open (the explorer's) are not opened again.
    public static func ask(_ question: String, engines: [AskEngine]) async throws -> [Side] {
        let paths = engines.map(\.packPath)
        let names = labels(titles: engines.map(\.channelTitle), paths: paths)
        let vectors = try await withThrowingTaskGroup(of: (Int, [Float]?).self) { group in
            for (i, engine) in engines.enumerated() {
                group.addTask {
                    do { return (i, try await engine.endpointVector(question)) }
                    catch { throw PackComparisonError(pack: paths[i], underlying: error) }
                }
            }
            var vectors = [[Float]?](repeating: nil, count: engines.count)
            for try await (i, vector) in group { vectors[i] = vector }
            return vectors
        }
        // Read once: evidence is prepared for the model that then writes the answer, even if `:offline` comes between.
        let models = engines.map(\.answeringModel)
        let prepared = try inParallel(paths) { i in
            try engines[i].prepare(question, vector: vectors[i], forModel: models[i] != nil, context: RetrievalContext())
        }
        let answers = try await withThrowingTaskGroup(of: (Int, AskResult).self) { group in
            for (i, question) in prepared.enumerated() {
                let model = models[i]
                group.addTask {
                    do { return (i, try await question.complete(model: model)) }
                    catch { throw PackComparisonError(pack: paths[i], underlying: error) }
                }
            }
            var answers = [AskResult?](repeating: nil, count: prepared.count)
            for try await (i, answer) in group { answers[i] = answer }
            return answers.compactMap { $0 }
        }
        return zip(zip(names, paths), answers).map { Side(label: $0.0, path: $0.1, answer: $1) }
    }

    /// One answer over several packs, its sources labelled by channel (`pack ask --together`, `:compare --together`).
    public struct Combined: Sendable {
        public struct Source: Sendable {
            /// The channel's label, as the side's.
            public var pack: String
            public var source: Answer.Source
        }
        public var question: String
        /// Each channel that answers, best first, its answer under its label; or that none does.
        public var text: String
        public var sources: [Source]
        public var isGrounded: Bool
        /// The packs' notes, each named by its label.
        public var notes: [String]
        /// The channels in the answer's order, with their comparable scores (`CrossPackRanking`); 0 for a channel
        /// that holds nothing that answers.
        public var ranking: [(pack: String, score: Double)]

        /// The sources numbered, each named by its channel.
        public var listing: String {
            (["Citations:"] + sources.enumerated().map { i, s in "[\(i + 1)] [\(s.pack)] \(s.source.line)" }).joined(separator: "\n")
        }

        /// How the channels ranked, and what the scores mean.
        public var scoresNote: String {
            "scores compare across channels: " + ranking.map { "\($0.pack) \(String(format: "%.2f", $0.score))" }.joined(separator: ", ")
                + " (the share of the question's words the best moment says, each word weighted by its rarity over the packs together)"
        }
    }

    /// The answer of `sides` as one: each channel's answer (written from its own evidence, so a citation is always
    /// its channel's) in the order of the comparable score of its best evidence (`CrossPackRanking` over every
    /// side's moments), the channels that hold nothing left out of the text and named at its end.
    public static func combine(_ sides: [Side], engines: [AskEngine]) -> Combined {
        // `CrossPackRanking` reads only the retrievers' lexical indexes, which are read-only after opening.
        let merged = CrossPackRanking.merge(zip(sides, engines).map { (pack: $0.label, retriever: $1.rankingRetriever, hits: $0.answer.hits) },
                                            question: sides.first?.answer.question ?? "", topK: Int.max)
        var best: [String: Double] = [:]
        for hit in merged where best[hit.pack] == nil { best[hit.pack] = hit.score }
        let order = sides.indices.sorted { a, b in
            let (x, y) = (sides[a], sides[b])
            if x.answer.isGrounded != y.answer.isGrounded { return x.answer.isGrounded }
            let (sx, sy) = (best[x.label] ?? 0, best[y.label] ?? 0)
            return sx != sy ? sx > sy : a < b
        }
        let answering = order.filter { sides[$0].answer.isGrounded }
        let silent = order.filter { !sides[$0].answer.isGrounded }.map { sides[$0].label }
        var text = answering.map { "\(sides[$0].label): \(sides[$0].answer.text)" }.joined(separator: "\n\n")
        if answering.isEmpty {
            text = "None of these packs holds anything that answers the question (\(sides.map(\.label).joined(separator: ", ")))."
        } else if !silent.isEmpty {
            text += "\n\nNothing in \(silent.joined(separator: ", ")) answers this."
        }
        return Combined(question: sides.first?.answer.question ?? "", text: text,
                        sources: answering.flatMap { i in sides[i].answer.sources.map { Combined.Source(pack: sides[i].label, source: $0) } },
                        isGrounded: !answering.isEmpty,
                        notes: sides.flatMap { side in side.answer.notes.map { "\(side.label): \($0)" } },
                        ranking: order.map { (sides[$0].label, sides[$0].answer.isGrounded ? best[sides[$0].label] ?? 0 : 0) })
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
