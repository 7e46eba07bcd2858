import Foundation

/// Passes on, as it streams, only the text of an answer that will be kept. `LLMAnswerer` asks the model again when
/// a draft cites nothing, and that draft is discarded; so a draft is held back until it cites something (from then
/// on it cannot be discarded, and the rest flows as it comes), and a draft that ends without a citation is passed
/// on only if it is the answer kept (`finish`).
public final class KeptAnswerStream: @unchecked Sendable {
    private let lock = NSLock()
    private let output: @Sendable (String) -> Void
    // Guarded by `lock`.
    private var held = ""
    private var flowing = false

    /// `output` receives the kept text, in pieces.
    public init(output: @escaping @Sendable (String) -> Void) {
        self.output = output
    }

    /// A piece of the draft being written (`LLMAnswerer.answer`'s `onDelta`).
    public func delta(_ piece: String) {
        lock.withLock {
            if flowing { output(piece); return }
            held += piece
            guard !CitationParser.citations(in: held).isEmpty else { return }
            flowing = true
            output(held)
            held = ""
        }
    }

    /// The draft is discarded: the model is asked again (`LLMAnswerer.answer`'s `onRetry`).
    public func discardDraft() {
        lock.withLock {
            held = ""
            flowing = false
        }
    }

    /// The answer is complete: what is still held is the kept answer's.
    public func finish() {
        lock.withLock {
            if !held.isEmpty { output(held) }
            held = ""
        }
    }
}
