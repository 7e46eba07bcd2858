import CBLAS
import Foundation

/// The forward pass of a `BertModel` over a batch of token sequences, with its scratch memory. Sequences are
/// packed row after row without padding: the dense layers run as one matrix product over every token of the
/// batch (better use of the BLAS kernels than one short sequence at a time) and attention runs per sequence,
/// so no token ever attends to padding or to another sequence. One encoder per thread.
final class BertEncoder {
    let model: BertModel
    private var capacity = 0      // tokens the buffers hold
    private var scoreCapacity = 0 // floats in `scores`
    private var hidden = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var qkv = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var context = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var projected = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var intermediate = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var scores = UnsafeMutablePointer<Float>.allocate(capacity: 1)

    /// Only once OpenBLAS is loaded (`MiniLMEmbedder` loads it).
    init(model: BertModel) {
        self.model = model
    }

    deinit {
        for buffer in [hidden, qkv, context, projected, intermediate, scores] { buffer.deallocate() }
    }

    /// Mean-pooled (every token, [CLS] and [SEP] included), L2-normalised vectors of `sequences`, row after row
    /// into `out` (`sequences.count × hidden` floats). Ids must be below the vocabulary size; sequences at most
    /// `maxPositions` long and not empty (the tokenizer guarantees both).
    func embed(_ sequences: [[Int32]], into out: UnsafeMutablePointer<Float>) {
        let c = model.config
        let h = c.hidden
        let total = sequences.reduce(0) { $0 + $1.count }
        let longest = sequences.map(\.count).max() ?? 0
        reserve(tokens: total, longest: longest)

        // Embeddings: word + position + token type 0, then LayerNorm.
        var row = 0
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                let target = hidden + row * h
                let word = model.wordEmbeddings.pointer + Int(min(max(id, 0), Int32(c.vocabularySize - 1))) * h
                let pos = model.positionEmbeddings.pointer + min(position, c.maxPositions - 1) * h
                let type = model.tokenTypeEmbeddings.pointer
                for j in 0..<h { target[j] = word[j] + pos[j] + type[j] }
                row += 1
            }
        }
        Kernels.layerNorm(hidden, rows: total, width: h, weight: model.embeddingNormWeight.pointer,
                          bias: model.embeddingNormBias.pointer, epsilon: c.layerNormEpsilon)

        let scale = 1 / Float(c.headSize).squareRoot()
        for layer in model.layers {
            // Query, key and value side by side in each row of `qkv` (row stride 3·hidden).
            Self.linear(hidden, rows: total, inputs: h, weight: layer.queryWeight, bias: layer.queryBias, outputs: h, into: qkv, stride: 3 * h)
            Self.linear(hidden, rows: total, inputs: h, weight: layer.keyWeight, bias: layer.keyBias, outputs: h, into: qkv + h, stride: 3 * h)
            Self.linear(hidden, rows: total, inputs: h, weight: layer.valueWeight, bias: layer.valueBias, outputs: h, into: qkv + 2 * h, stride: 3 * h)
            var offset = 0
            for sequence in sequences {
                attention(rows: sequence.count, at: offset, scale: scale)
                offset += sequence.count
            }
            Self.linear(context, rows: total, inputs: h, weight: layer.attentionOutWeight, bias: layer.attentionOutBias, outputs: h, into: projected)
            Kernels.add(hidden, into: projected, count: total * h)
            Kernels.layerNorm(projected, rows: total, width: h, weight: layer.attentionNormWeight.pointer,
                              bias: layer.attentionNormBias.pointer, epsilon: c.layerNormEpsilon)
            swap(&hidden, &projected)  // hidden = attention block output
            Self.linear(hidden, rows: total, inputs: h, weight: layer.intermediateWeight, bias: layer.intermediateBias,
                        outputs: c.intermediate, into: intermediate)
            Kernels.gelu(intermediate, count: total * c.intermediate)
            Self.linear(intermediate, rows: total, inputs: c.intermediate, weight: layer.outputWeight, bias: layer.outputBias,
                        outputs: h, into: projected)
            Kernels.add(hidden, into: projected, count: total * h)
            Kernels.layerNorm(projected, rows: total, width: h, weight: layer.outputNormWeight.pointer,
                              bias: layer.outputNormBias.pointer, epsilon: c.layerNormEpsilon)
            swap(&hidden, &projected)
        }

        row = 0
        for (s, sequence) in sequences.enumerated() {
            Kernels.meanPoolNormalize(hidden + row * h, rows: sequence.count, width: h, into: out + s * h)
            row += sequence.count
        }
    }

    /// Self-attention of one sequence (rows `offset ..< offset + rows` of `qkv`), every head, into `context`.
    private func attention(rows n: Int, at offset: Int, scale: Float) {
        let c = model.config
        let h = c.hidden, d = c.headSize
        let stride = Int32(3 * h)
        for head in 0..<c.heads {
            let q = qkv + offset * 3 * h + head * d
            let k = q + h
            let v = q + 2 * h
            ytce_sgemm(0, 1, Int32(n), Int32(n), Int32(d),
                        scale, q, stride, k, stride, 0, scores, Int32(n))
            Kernels.softmaxRows(scores, rows: n, width: n)
            ytce_sgemm(0, 0, Int32(n), Int32(d), Int32(n),
                        1, scores, Int32(n), v, stride, 0, context + offset * h + head * d, Int32(h))
        }
    }

    /// `out[rows × outputs] = input[rows × inputs] · weightᵀ + bias` (weight is `[outputs, inputs]`; rows of `out`
    /// are `stride` apart, `outputs` by default).
    /// With few rows (a question) OpenBLAS spends most of a product packing the weight matrix; in blocks of 32
    /// outputs it takes its small-matrix kernels, which read the weights in place (measured 1.4× faster at 22
    /// rows), and the blocks are shared between two threads. Long batches (build lanes, one per core) go whole.
    private static func linear(_ input: UnsafeMutablePointer<Float>, rows: Int, inputs: Int, weight: FloatTensor, bias: FloatTensor,
                               outputs: Int, into out: UnsafeMutablePointer<Float>, stride: Int? = nil) {
        let ldc = stride ?? outputs
        for r in 0..<rows { (out + r * ldc).update(from: bias.pointer, count: outputs) }
        let source = UncheckedPointer(input), target = UncheckedPointer(out)
        let weights = UncheckedPointer(UnsafeMutablePointer(mutating: weight.pointer))
        let block = rows <= smallRows && outputs % smallBlock == 0 ? smallBlock : outputs
        let blocks = outputs / block
        let parts = blocks > 1 && splitThreads > 1 ? splitThreads : 1
        let product: @Sendable (Int) -> Void = { part in
            for b in Swift.stride(from: part, to: blocks, by: parts) {
                let first = b * block
                ytce_sgemm(0, 1, Int32(rows), Int32(block), Int32(inputs),
                            1, source.pointer, Int32(inputs), weights.pointer + first * inputs, Int32(inputs), 1,
                            target.pointer + first, Int32(ldc))
            }
        }
        if parts == 1 { product(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: product) }
    }

    /// Batches of at most this many tokens are short (see `linear`).
    static let smallRows = 48
    static let smallBlock = 32
    /// Threads sharing a short product; `YTCE_MINILM_SPLIT=1` turns the split off (for measurements).
    static let splitThreads = ProcessInfo.processInfo.environment["YTCE_MINILM_SPLIT"].flatMap { Int($0) }
        ?? min(2, ProcessInfo.processInfo.activeProcessorCount)

    private func reserve(tokens: Int, longest: Int) {
        let c = model.config
        if tokens > capacity {
            let n = max(tokens, capacity * 3 / 2, 64)
            for buffer in [hidden, qkv, context, projected, intermediate] { buffer.deallocate() }
            hidden = .allocate(capacity: n * c.hidden)
            projected = .allocate(capacity: n * c.hidden)
            context = .allocate(capacity: n * c.hidden)
            qkv = .allocate(capacity: n * 3 * c.hidden)
            intermediate = .allocate(capacity: n * c.intermediate)
            capacity = n
        }
        if longest * longest > scoreCapacity {
            scores.deallocate()
            scoreCapacity = longest * longest
            scores = .allocate(capacity: scoreCapacity)
        }
    }
}

/// A pointer handed to the two halves of a split matrix product, which write disjoint columns.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
