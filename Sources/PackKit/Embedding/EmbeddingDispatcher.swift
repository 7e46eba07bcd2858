import Foundation
import HTTPKit

/// Sends texts to an embeddings endpoint in batches, with up to `concurrency` requests in flight, for any number of
/// build threads at once. Texts wait in one queue; whenever a request slot is free, the next `batchSize` texts go
/// (so batches are full while the endpoint is the bottleneck, and nobody waits for a batch to fill). A text already
/// cached is not sent, nor one already queued or in flight (the same text asked twice is paid once). Every answered
/// batch is stored in the cache before anyone sees it. The first failure (after the endpoint's own retries) stops
/// everything: every waiting caller gets it.
final class EmbeddingDispatcher: @unchecked Sendable {
    let endpoint: EmbeddingEndpoint
    let cache: EmbeddingCache?
    let batchSize: Int
    let concurrency: Int
    let dimension: Int
    private let cancellation = HTTPCancellation()

    // Guarded by `lock`.
    private let lock = NSLock()
    private var queue: [(key: [UInt8], text: String)] = []
    private var head = 0
    private var waiting: [[UInt8]: [(ticket: Ticket, slot: Int)]] = [:]
    private var inFlight = 0
    private var failureValue: EmbedderProblem?
    private var counts = EmbeddingStatistics()

    init(endpoint: EmbeddingEndpoint, cache: EmbeddingCache?, batchSize: Int, concurrency: Int, dimension: Int) {
        self.endpoint = endpoint
        self.cache = cache
        self.batchSize = max(1, batchSize)
        self.concurrency = max(1, concurrency)
        self.dimension = dimension
    }

    var failure: EmbedderProblem? { lock.withLock { failureValue } }
    var statistics: EmbeddingStatistics { lock.withLock { counts } }

    /// The vectors of `texts` (row after row), waiting for those not cached; the first failure instead.
    /// `isCancelled` is looked at while waiting: when it says so, everything stops.
    func vectors(_ texts: [String], isCancelled: () -> Bool) -> Result<[Float], EmbedderProblem> {
        let ticket = Ticket(count: texts.count, dimension: dimension)
        let keys = texts.map { EmbeddingCache.key(model: endpoint.model, text: $0) }
        var cached: [(Int, [Float])] = []
        var cacheProblem: EmbedderProblem?
        lock.withLock {
            if let failureValue { ticket.fail(failureValue); return }
            for (slot, key) in keys.enumerated() {
                if waiting[key] != nil {
                    waiting[key]?.append((ticket, slot))
                    continue
                }
                do {
                    if let vector = try cache?.vector(key, dimension: dimension) {
                        cached.append((slot, vector))
                        counts.cached += 1
                        continue
                    }
                } catch {
                    cacheProblem = EmbedderProblem(message: "\(error)")
                }
                waiting[key] = [(ticket, slot)]
                queue.append((key, texts[slot]))
            }
        }
        for (slot, vector) in cached { ticket.fill(slot, vector) }
        if let cacheProblem { fail(cacheProblem) }
        pump()
        return ticket.wait(isCancelled: isCancelled, onCancel: { self.fail(EmbedderProblem(message: "cancelled")) })
    }

    /// Starts requests while slots are free and texts wait.
    private func pump() {
        var batches: [[(key: [UInt8], text: String)]] = []
        lock.withLock {
            while inFlight < concurrency && head < queue.count && failureValue == nil {
                let end = min(queue.count, head + batchSize)
                batches.append(Array(queue[head..<end]))
                head = end
                inFlight += 1
            }
            if head > 4096 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
        }
        for batch in batches {
            Task { await self.send(batch) }
        }
    }

    private func send(_ batch: [(key: [UInt8], text: String)]) async {
        do {
            let reply = try await endpoint.embed(batch.map(\.text), cancellation: cancellation)
            if let wrong = reply.vectors.first(where: { $0.count != dimension }) {
                throw EmbedderProblem(message: "\(endpoint.baseURL)/embeddings: model '\(endpoint.model)' returned \(wrong.count)-dimensional vectors after \(dimension)-dimensional ones")
            }
            do { try cache?.store(zip(batch, reply.vectors).map { ($0.key, $1) }) } catch {
                throw EmbedderProblem(message: error.description)
            }
            var delivered: [(Ticket, Int, [Float])] = []
            lock.withLock {
                counts.requests += 1
                counts.computed += batch.count
                counts.promptTokens += reply.promptTokens ?? 0
                for (entry, vector) in zip(batch, reply.vectors) {
                    for waiter in waiting.removeValue(forKey: entry.key) ?? [] { delivered.append((waiter.ticket, waiter.slot, vector)) }
                }
                inFlight -= 1
            }
            for (ticket, slot, vector) in delivered { ticket.fill(slot, vector) }
        } catch let error as LLMError {
            lock.withLock { inFlight -= 1 }
            fail(EmbedderProblem(message: error.kind == .cancelled ? "cancelled" : "\(endpoint.baseURL)/embeddings: \(error.message)"))
        } catch let problem as EmbedderProblem {
            lock.withLock { inFlight -= 1 }
            fail(problem)
        } catch {
            lock.withLock { inFlight -= 1 }
            fail(EmbedderProblem(message: "\(error)"))
        }
        pump()
    }

    /// Stops everything: requests in flight are cancelled, every waiting caller gets `problem` (the first one kept).
    func fail(_ problem: EmbedderProblem) {
        var tickets: [Ticket] = []
        let first: EmbedderProblem = lock.withLock {
            if failureValue == nil { failureValue = problem }
            tickets = waiting.values.flatMap { $0.map(\.ticket) }
            waiting.removeAll()
            queue.removeAll()
            head = 0
            return failureValue ?? problem
        }
        cancellation.cancel()
        for ticket in tickets { ticket.fail(first) }
    }

    /// One caller's texts: filled slot by slot, from any thread; the caller waits for the last one.
    final class Ticket: @unchecked Sendable {
        private let condition = NSCondition()
        private var remaining: Int
        private var rows: [Float]
        private let dimension: Int
        private var problem: EmbedderProblem?

        init(count: Int, dimension: Int) {
            remaining = count
            self.dimension = dimension
            rows = [Float](repeating: 0, count: count * dimension)
        }

        func fill(_ slot: Int, _ vector: [Float]) {
            condition.lock()
            defer { condition.unlock() }
            guard vector.count == dimension else { return }
            let base = slot * dimension
            rows.withUnsafeMutableBufferPointer { out in
                for k in 0..<dimension { out[base + k] = vector[k] }
            }
            remaining -= 1
            if remaining == 0 { condition.broadcast() }
        }

        func fail(_ problem: EmbedderProblem) {
            condition.lock()
            if self.problem == nil { self.problem = problem }
            condition.broadcast()
            condition.unlock()
        }

        func wait(isCancelled: () -> Bool, onCancel: () -> Void) -> Result<[Float], EmbedderProblem> {
            condition.lock()
            while remaining > 0 && problem == nil {
                if isCancelled() {
                    condition.unlock()
                    onCancel()
                    condition.lock()
                    continue
                }
                _ = condition.wait(until: Date().addingTimeInterval(0.1))
            }
            defer { condition.unlock() }
            if let problem { return .failure(problem) }
            return .success(rows)
        }
    }
}

/// What an embeddings endpoint did for a build.
public struct EmbeddingStatistics: Sendable, Equatable {
    /// Vectors found in the cache.
    public var cached = 0
    /// Vectors the endpoint computed.
    public var computed = 0
    public var requests = 0
    /// The endpoint's own count of input tokens (0 when it reports none).
    public var promptTokens = 0
}
