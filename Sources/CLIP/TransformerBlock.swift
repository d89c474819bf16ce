import TensorCore

/// Points where adapters attach to a block without copying it: a serial hook on the attention
/// output before its residual add, and a parallel branch fed by ln_2's output whose result is added
/// to the residual next to the MLP's (AIM's S-Adapter and MLP-Adapter positions).
public struct BlockHooks {
    public var afterAttention: ((Variable, Tape) -> Variable)?
    public var besideMLP: ((Variable, Tape) -> Variable)?

    public init(afterAttention: ((Variable, Tape) -> Variable)? = nil, besideMLP: ((Variable, Tape) -> Variable)? = nil) {
        self.afterAttention = afterAttention
        self.besideMLP = besideMLP
    }
}

/// A pre-LN residual block: x + Attn(LN₁(x)), then x + MLP(LN₂(x)), with separate q/k/v/out
/// projections (Hugging Face's layout) and the configured activation.
public final class TransformerBlock {
    public let ln1Weight, ln1Bias, qWeight, qBias, kWeight, kBias, vWeight, vBias, outWeight, outBias: Parameter
    public let ln2Weight, ln2Bias, fc1Weight, fc1Bias, fc2Weight, fc2Bias: Parameter
    public let heads: Int
    public let eps: Float
    public let activation: Activation
    public var hooks = BlockHooks()

    init(prefix: String, width: Int, mlpWidth: Int, heads: Int, eps: Float, activation: Activation) {
        func p(_ name: String, _ shape: [Int]) -> Parameter { Parameter("\(prefix).\(name)", Tensor(zeros: shape), trainable: false) }
        ln1Weight = p("ln_1.weight", [width]); ln1Bias = p("ln_1.bias", [width])
        qWeight = p("attn.q.weight", [width, width]); qBias = p("attn.q.bias", [width])
        kWeight = p("attn.k.weight", [width, width]); kBias = p("attn.k.bias", [width])
        vWeight = p("attn.v.weight", [width, width]); vBias = p("attn.v.bias", [width])
        outWeight = p("attn.out.weight", [width, width]); outBias = p("attn.out.bias", [width])
        ln2Weight = p("ln_2.weight", [width]); ln2Bias = p("ln_2.bias", [width])
        fc1Weight = p("mlp.fc1.weight", [mlpWidth, width]); fc1Bias = p("mlp.fc1.bias", [mlpWidth])
        fc2Weight = p("mlp.fc2.weight", [width, mlpWidth]); fc2Bias = p("mlp.fc2.bias", [width])
        self.heads = heads
        self.eps = eps
        self.activation = activation
    }

    public var parameters: [Parameter] {
        [ln1Weight, ln1Bias, qWeight, qBias, kWeight, kBias, vWeight, vBias, outWeight, outBias,
         ln2Weight, ln2Bias, fc1Weight, fc1Bias, fc2Weight, fc2Bias]
    }

    /// x: [B, T, D].
    public func forward(_ x: Variable, tape t: Tape, causal: Bool) -> Variable {
        let h = t.layerNorm(x, gamma: t.parameter(ln1Weight), beta: t.parameter(ln1Bias), eps: eps)
        let q = t.linear(h, weight: t.parameter(qWeight), bias: t.parameter(qBias))
        let k = t.linear(h, weight: t.parameter(kWeight), bias: t.parameter(kBias))
        let v = t.linear(h, weight: t.parameter(vWeight), bias: t.parameter(vBias))
        var a = t.linear(t.attention(query: q, key: k, value: v, heads: heads, causal: causal),
                         weight: t.parameter(outWeight), bias: t.parameter(outBias))
        if let hook = hooks.afterAttention { a = hook(a, t) }
        let x1 = t.add(x, a)
        let h2 = t.layerNorm(x1, gamma: t.parameter(ln2Weight), beta: t.parameter(ln2Bias), eps: eps)
        var m = t.linear(t.activation(activation, t.linear(h2, weight: t.parameter(fc1Weight), bias: t.parameter(fc1Bias))),
                         weight: t.parameter(fc2Weight), bias: t.parameter(fc2Bias))
        if let hook = hooks.besideMLP { m = t.add(m, hook(h2, t)) }
        return t.add(x1, m)
    }
}
