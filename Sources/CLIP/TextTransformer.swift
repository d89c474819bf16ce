import TensorCore

/// CLIP's text tower: token and positional embeddings, causal pre-LN blocks, ln_final, and the
/// feature at each sequence's end-of-text position (the largest id, as CLIP's reference takes it).
public struct TextTransformer: Module {
    public let config: CLIPConfig.Text
    public let tokenEmbedding, positionEmbedding: Parameter
    public let blocks: [TransformerBlock]
    public let finalNorm: LayerNormalization

    init(_ p: ParameterPath, _ c: CLIPConfig.Text) {
        config = c
        tokenEmbedding = p.parameter("embeddings.token_embedding.weight", [c.vocabSize, c.width])
        positionEmbedding = p.parameter("embeddings.position_embedding.weight", [c.contextLength, c.width])
        blocks = (0..<c.layers).map {
            TransformerBlock(p("encoder.layers.\($0)"), width: c.width, mlpWidth: c.mlpWidth, heads: c.heads,
                             eps: c.layerNormEps, activation: c.activation)
        }
        finalNorm = LayerNormalization(p("final_layer_norm"), width: c.width, eps: c.layerNormEps)
    }

    /// Token sequences (each [SOT] … [EOT], at most the context length; shorter ones are padded
    /// after EOT, which the causal mask keeps from mattering) → [B, width] features. `adapters[i]`
    /// joins block i for this call only.
    public func forward(_ ids: [[Int]], tape t: Tape, adapters: [Int: BlockAdapters] = [:],
                        hiddenStates: ((Int, Tensor) -> Void)? = nil) -> Variable {
        let length = ids.map(\.count).max() ?? 0
        check(!ids.isEmpty && ids.allSatisfy { !$0.isEmpty } && length <= config.contextLength,
              "token sequences must have 1…\(config.contextLength) ids")
        check(ids.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 < config.vocabSize } },
              "a token id is outside the vocabulary of \(config.vocabSize)")
        let padded = ids.map { $0 + Array(repeating: 0, count: length - $0.count) }
        let eot = ids.map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! }
        var x = t.embedding(t.parameter(tokenEmbedding), ids: padded)
        x = t.add(x, t.slice(t.parameter(positionEmbedding), axis: 0, 0..<length))
        hiddenStates?(0, x.value)
        for (i, block) in blocks.enumerated() {
            x = block.forward(x, tape: t, causal: true, adapters: adapters[i])
            hiddenStates?(i + 1, x.value)
        }
        x = finalNorm(x, tape: t)
        let rows = eot.enumerated().map { b, pos in t.slice(t.slice(x, axis: 0, b..<(b + 1)), axis: 1, pos..<(pos + 1)) }
        return t.reshape(t.concat(rows, axis: 0), [ids.count, config.width])
    }
}
