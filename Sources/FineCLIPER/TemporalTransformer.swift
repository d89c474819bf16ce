import TensorCore

/// DFER-CLIP's temporal model (`Temporal_Transformer_Cls`, §3.4): a learnable class token before
/// the T frame embeddings, a learnable positional embedding, pre-LN blocks of bias-free fused-qkv
/// attention and a tanh-GELU feed-forward, and the class token's output. Keys as DFER-CLIP's
/// checkpoints: `cls_token` [1, 1, D], `pos_embedding` [1, T+1, D],
/// `temporal_transformer.layers.N.0.{norm, fn.to_qkv, fn.to_out.0}`, `….N.1.{norm, fn.net.0, fn.net.3}`.
public struct TemporalTransformer: Module {
    public struct Layer: Module {
        public let attentionNorm: LayerNormalization
        public let attention: SelfAttention
        public let feedForwardNorm: LayerNormalization
        public let feedForward: MLP
    }

    public let classToken: Parameter
    public let positionEmbedding: Parameter
    public let layers: [Layer]
    public let width: Int

    public init(_ path: ParameterPath, width: Int, config c: FineCLIPERConfig.Temporal) {
        self.width = width
        classToken = path.parameter("cls_token", [1, 1, width], trainable: true)
        positionEmbedding = path.parameter("pos_embedding", [1, c.maxFrames + 1, width], trainable: true)
        layers = (0..<c.layers).map { i in
            let p = path("temporal_transformer.layers.\(i)")
            return Layer(attentionNorm: LayerNormalization(p("0.norm"), width: width, trainable: true),
                         attention: SelfAttention(p("0.fn"), width: width, heads: c.heads, headWidth: c.headWidth, layout: .fused, trainable: true),
                         feedForwardNorm: LayerNormalization(p("1.norm"), width: width, trainable: true),
                         feedForward: MLP(p("1.fn"), width: width, hidden: c.mlpWidth, activation: .geluTanh, names: ("net.0", "net.3"), trainable: true))
        }
    }

    public var maxFrames: Int { positionEmbedding.shape[1] - 1 }

    /// PyTorch's defaults, as DFER-CLIP leaves them: class token and positions N(0, 1), linear
    /// layers U(±1/√fan_in) for weights and biases, layer norms 1 and 0.
    public func initialize(seed: UInt64) {
        for p in parameters {
            var g = SeededGenerator(seed: seed ^ DeterministicParameters.nameHash(p.name))
            if p === classToken || p === positionEmbedding {
                p.value = Tensor.normal(p.shape, using: &g)
            } else if p.name.hasSuffix("norm.weight") {
                p.value = Tensor(repeating: 1, shape: p.shape)
            } else if p.name.hasSuffix("norm.bias") {
                p.value = Tensor(zeros: p.shape)
            } else {
                let fanIn = p.name.hasSuffix(".bias") ? linearFanIn(bias: p) : p.shape[1]
                let bound = 1 / Float(fanIn).squareRoot()
                p.value = Tensor.uniform(p.shape, low: -bound, high: bound, using: &g)
            }
        }
    }

    func linearFanIn(bias: Parameter) -> Int {
        let weightName = String(bias.name.dropLast("bias".count)) + "weight"
        return parameters.first { $0.name == weightName }?.shape[1] ?? bias.shape[0]
    }

    /// x: [B, T, D] frame embeddings (T ≤ maxFrames) → [B, D], the class token's output.
    public func callAsFunction(_ x: Variable, tape t: Tape) -> Variable {
        let b = x.shape[0], frames = x.shape[1], d = width
        check(x.shape.count == 3 && x.shape[2] == d && frames >= 1 && frames <= maxFrames,
              "temporal model: frames \(x.shape) must be [B, 1…\(maxFrames), \(d)]")
        let cls = t.concat(Array(repeating: t.parameter(classToken), count: b), axis: 0)
        var h = t.concat([cls, x], axis: 1)
        let positions = t.reshape(t.slice(t.parameter(positionEmbedding), axis: 1, 0..<(frames + 1)), [frames + 1, d])
        h = t.add(h, positions)
        for layer in layers {
            h = t.add(h, layer.attention(layer.attentionNorm(h, tape: t), tape: t))
            h = t.add(h, layer.feedForward(layer.feedForwardNorm(h, tape: t), tape: t))
        }
        return t.reshape(t.slice(h, axis: 1, 0..<1), [b, d])
    }
}
