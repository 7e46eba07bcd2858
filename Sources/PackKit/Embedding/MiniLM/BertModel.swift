import Foundation

/// The shape of a BERT encoder, from the model folder's `config.json` (MiniLM-L6: 6 layers, hidden 384, 12 heads).
struct BertConfig: Sendable, Equatable {
    var vocabularySize = 30522
    var hidden = 384
    var layers = 6
    var heads = 12
    var intermediate = 1536
    var maxPositions = 512
    var typeVocabularySize = 2
    var layerNormEpsilon: Float = 1e-12

    var headSize: Int { hidden / heads }

    static func load(_ url: URL) throws(MiniLMError) -> BertConfig {
        let data: Data
        do { data = try InputFile.read(url.path, limit: 1 << 20) } catch {
            throw MiniLMError("\(url.path): cannot read the model config (\(error.reason))")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(data) } catch { throw MiniLMError("\(url.path): invalid JSON (\(error.reason))") }
        guard case .object(let o) = json else { throw MiniLMError("\(url.path): the model config is not a JSON object") }
        var config = BertConfig()
        func int(_ key: String, _ target: inout Int) throws(MiniLMError) {
            guard let value = o[key] else { return }
            guard let n = value.intValue, n > 0 else { throw MiniLMError("\(url.path): '\(key)' must be a positive integer") }
            target = n
        }
        try int("vocab_size", &config.vocabularySize)
        try int("hidden_size", &config.hidden)
        try int("num_hidden_layers", &config.layers)
        try int("num_attention_heads", &config.heads)
        try int("intermediate_size", &config.intermediate)
        try int("max_position_embeddings", &config.maxPositions)
        try int("type_vocab_size", &config.typeVocabularySize)
        if let eps = o["layer_norm_eps"]?.doubleValue {
            guard eps.isFinite, eps > 0 else { throw MiniLMError("\(url.path): 'layer_norm_eps' must be a positive number, found \(eps)") }
            config.layerNormEpsilon = Float(eps)
        }
        if let act = o["hidden_act"]?.stringValue, act != "gelu" {
            throw MiniLMError("\(url.path): hidden_act '\(act)' is not supported (only the erf GELU, 'gelu')")
        }
        if let kind = o["position_embedding_type"]?.stringValue, kind != "absolute" {
            throw MiniLMError("\(url.path): position_embedding_type '\(kind)' is not supported (only 'absolute')")
        }
        guard config.hidden % config.heads == 0 else {
            throw MiniLMError("\(url.path): hidden_size \(config.hidden) is not a multiple of num_attention_heads \(config.heads)")
        }
        return config
    }
}

/// One encoder layer's weights, used in place from the mapped file. Linear weights are PyTorch's `[out, in]`.
struct BertLayer: Sendable {
    var queryWeight: FloatTensor
    var queryBias: FloatTensor
    var keyWeight: FloatTensor
    var keyBias: FloatTensor
    var valueWeight: FloatTensor
    var valueBias: FloatTensor
    var attentionOutWeight: FloatTensor
    var attentionOutBias: FloatTensor
    var attentionNormWeight: FloatTensor
    var attentionNormBias: FloatTensor
    var intermediateWeight: FloatTensor
    var intermediateBias: FloatTensor
    var outputWeight: FloatTensor
    var outputBias: FloatTensor
    var outputNormWeight: FloatTensor
    var outputNormBias: FloatTensor
}

/// A BERT encoder's weights, memory-mapped from `model.safetensors` (see `BertEncoder` for the forward pass).
final class BertModel: Sendable {
    let config: BertConfig
    let wordEmbeddings: FloatTensor
    let positionEmbeddings: FloatTensor
    let tokenTypeEmbeddings: FloatTensor
    let embeddingNormWeight: FloatTensor
    let embeddingNormBias: FloatTensor
    let layers: [BertLayer]

    init(config: BertConfig, weights file: SafeTensorsFile) throws(MiniLMError) {
        self.config = config
        let h = config.hidden, i = config.intermediate
        // Both naming schemes occur: BertModel checkpoints ("embeddings.…") and BertForX ones ("bert.embeddings.…").
        let prefix = file.entries["embeddings.word_embeddings.weight"] == nil && file.entries["bert.embeddings.word_embeddings.weight"] != nil
            ? "bert." : ""
        func tensor(_ name: String, _ shape: [Int]) throws(MiniLMError) -> FloatTensor {
            try file.floats(prefix + name, shape: shape)
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [config.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [config.maxPositions, h])
        tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [config.typeVocabularySize, h])
        embeddingNormWeight = try tensor("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try tensor("embeddings.LayerNorm.bias", [h])
        var layers: [BertLayer] = []
        for l in 0..<config.layers {
            let p = "encoder.layer.\(l)."
            layers.append(BertLayer(
                queryWeight: try tensor(p + "attention.self.query.weight", [h, h]),
                queryBias: try tensor(p + "attention.self.query.bias", [h]),
                keyWeight: try tensor(p + "attention.self.key.weight", [h, h]),
                keyBias: try tensor(p + "attention.self.key.bias", [h]),
                valueWeight: try tensor(p + "attention.self.value.weight", [h, h]),
                valueBias: try tensor(p + "attention.self.value.bias", [h]),
                attentionOutWeight: try tensor(p + "attention.output.dense.weight", [h, h]),
                attentionOutBias: try tensor(p + "attention.output.dense.bias", [h]),
                attentionNormWeight: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                attentionNormBias: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                intermediateWeight: try tensor(p + "intermediate.dense.weight", [i, h]),
                intermediateBias: try tensor(p + "intermediate.dense.bias", [i]),
                outputWeight: try tensor(p + "output.dense.weight", [h, i]),
                outputBias: try tensor(p + "output.dense.bias", [h]),
                outputNormWeight: try tensor(p + "output.LayerNorm.weight", [h]),
                outputNormBias: try tensor(p + "output.LayerNorm.bias", [h])))
        }
        self.layers = layers
    }
}
