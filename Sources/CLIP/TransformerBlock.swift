import TensorCore

/// What one call adds to one block, at AIM's adapter positions: a serial branch on the attention
/// output before its residual add, and a parallel branch fed by ln_2's output whose result is
/// added to the residual beside the MLP's. Passed with each forward call, never stored on the
/// shared frozen block, so one backbone serves several adapter sets (streams, threads) at once.
public struct BlockAdapters: Sendable {
    public var afterAttention: (@Sendable (Variable, Tape) -> Variable)?
    public var besideMLP: (@Sendable (Variable, Tape) -> Variable)?

    public init(afterAttention: (@Sendable (Variable, Tape) -> Variable)? = nil, besideMLP: (@Sendable (Variable, Tape) -> Variable)? = nil) {
        self.afterAttention = afterAttention
        self.besideMLP = besideMLP
    }
}

/// A pre-LN residual block: x + Attn(LN₁(x)), then x + MLP(LN₂(x)), in Hugging Face's layout
/// (`layer_norm1`, `self_attn.{q,k,v,out}_proj`, `layer_norm2`, `mlp.fc1`, `mlp.fc2`).
public struct TransformerBlock: Module {
    public let layerNorm1: LayerNormalization
    public let attention: SelfAttention
    public let layerNorm2: LayerNormalization
    public let mlp: MLP

    init(_ p: ParameterPath, width: Int, mlpWidth: Int, heads: Int, eps: Float, activation: Activation) {
        layerNorm1 = LayerNormalization(p("layer_norm1"), width: width, eps: eps)
        attention = SelfAttention(p("self_attn"), width: width, heads: heads)
        layerNorm2 = LayerNormalization(p("layer_norm2"), width: width, eps: eps)
        mlp = MLP(p("mlp"), width: width, hidden: mlpWidth, activation: activation)
    }

    /// x: [B, T, D]. `pass` is set when the block is recomputed in backward (`Tape.recomputed`):
    /// the products of the attention's projections and of fc1 may be kept from the first run
    /// (`keptBytes`), and the replay skips fc2's product, whose value it never reads.
    public func forward(_ x: Variable, tape t: Tape, causal: Bool, adapters: BlockAdapters? = nil, pass: RecomputePass = .plain) -> Variable {
        var a = attention(layerNorm1(x, tape: t), tape: t, causal: causal, pass: pass)
        if let serial = adapters?.afterAttention { a = serial(a, t) }
        let x1 = t.add(x, a)
        let h2 = layerNorm2(x1, tape: t)
        var m = mlp(h2, tape: t, pass: pass)
        if let parallel = adapters?.besideMLP { m = t.add(m, parallel(h2, t)) }
        return t.add(x1, m)
    }

    /// Bytes of the products the block keeps for its replay when it keeps them, for `tokens` rows.
    public func keptBytes(tokens: Int) -> Int {
        tokens * (attention.productWidth + mlp.fc1.outFeatures) * MemoryLayout<Float>.size
    }
}
