import TensorCore

/// CLIP's text tower: token and positional embeddings, causal pre-LN blocks, ln_final, and the
/// feature at each sequence's end-of-text position (the largest id, as CLIP's reference takes it).
public final class TextTransformer {
    public let config: CLIPConfig.Text
    public let tokenEmbedding, positionEmbedding, finalNormWeight, finalNormBias: Parameter
    public let blocks: [TransformerBlock]

    init(_ c: CLIPConfig.Text) {
        config = c
        func p(_ name: String, _ shape: [Int]) -> Parameter { Parameter("text.\(name)", Tensor(zeros: shape), trainable: false) }
        tokenEmbedding = p("token_embed", [c.vocabSize, c.width])
        positionEmbedding = p("pos_embed", [c.contextLength, c.width])
        finalNormWeight = p("ln_final.weight", [c.width]); finalNormBias = p("ln_final.bias", [c.width])
        blocks = (0..<c.layers).map {
            TransformerBlock(prefix: "text.blocks.\($0)", width: c.width, mlpWidth: c.mlpWidth, heads: c.heads,
                             eps: c.layerNormEps, activation: c.activation)
        }
    }

    public var parameters: [Parameter] {
        [tokenEmbedding, positionEmbedding] + blocks.flatMap(\.parameters) + [finalNormWeight, finalNormBias]
    }

    /// Token sequences (each [SOT] … [EOT], at most the context length; shorter ones are padded
    /// after EOT, which the causal mask keeps from mattering) → [B, width] features.
    public func forward(_ ids: [[Int]], tape t: Tape, hiddenStates: ((Int, Tensor) -> Void)? = nil) -> Variable {
        let length = ids.map(\.count).max() ?? 0
        check(length > 0 && length <= config.contextLength, "token sequences must have 1…\(config.contextLength) ids")
        let padded = ids.map { $0 + Array(repeating: 0, count: length - $0.count) }
        let eot = ids.map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }! }
        var x = t.embedding(t.parameter(tokenEmbedding), ids: padded)
        x = t.add(x, t.slice(t.parameter(positionEmbedding), axis: 0, 0..<length))
        hiddenStates?(0, x.value)
        for (i, block) in blocks.enumerated() {
            x = block.forward(x, tape: t, causal: true)
            hiddenStates?(i + 1, x.value)
        }
        x = t.layerNorm(x, gamma: t.parameter(finalNormWeight), beta: t.parameter(finalNormBias), eps: config.layerNormEps)
        let rows = eot.enumerated().map { b, pos in t.slice(t.slice(x, axis: 0, b..<(b + 1)), axis: 1, pos..<(pos + 1)) }
        return t.reshape(t.concat(rows, axis: 0), [ids.count, config.width])
    }
}
