/// Multi-head self-attention with an output projection, in either of the two layouts our
/// checkpoints use: separate q/k/v projections with biases (Hugging Face CLIP: `q_proj`, `k_proj`,
/// `v_proj`, `out_proj`), or one fused bias-free projection (DFER-CLIP's temporal transformer:
/// `to_qkv`, `to_out.0`). Scale 1/√(head width).
public struct SelfAttention: Module, Sendable {
    public enum Layout: Sendable { case separate, fused }

    public let q, k, v: Linear?
    public let qkv: Linear?
    public let out: Linear
    public let heads: Int

    /// Floats per token of the products a recomputed block may keep: the projections' outputs.
    public var productWidth: Int { [q, k, v, qkv, out].compactMap { $0?.outFeatures }.reduce(0, +) }

    public init(_ path: ParameterPath, width: Int, heads: Int, headWidth: Int? = nil, layout: Layout = .separate, trainable: Bool = false) {
        let inner = (headWidth ?? width / heads) * heads
        check(inner % heads == 0 && inner > 0, "attention width \(inner) must divide into \(heads) heads")
        self.heads = heads
        switch layout {
        case .separate:
            q = Linear(path("q_proj"), in: width, out: inner, trainable: trainable)
            k = Linear(path("k_proj"), in: width, out: inner, trainable: trainable)
            v = Linear(path("v_proj"), in: width, out: inner, trainable: trainable)
            qkv = nil
            out = Linear(path("out_proj"), in: inner, out: width, trainable: trainable)
        case .fused:
            q = nil; k = nil; v = nil
            qkv = Linear(path("to_qkv"), in: width, out: 3 * inner, bias: false, trainable: trainable)
            out = Linear(path("to_out.0"), in: inner, out: width, trainable: trainable)
        }
    }

    /// x: [B, T, D] → [B, T, D]. In a recomputed block (`pass`) the projections' products may be
    /// kept from the first run for the replay.
    public func callAsFunction(_ x: Variable, tape t: Tape, causal: Bool = false, pass: RecomputePass = .plain) -> Variable {
        let query: Variable, key: Variable, value: Variable
        if let qkv {
            let fused = qkv(x, tape: t, pass: pass)
            let inner = fused.shape.last! / 3
            query = t.slice(fused, axis: 2, 0..<inner)
            key = t.slice(fused, axis: 2, inner..<(2 * inner))
            value = t.slice(fused, axis: 2, (2 * inner)..<(3 * inner))
        } else {
            query = q!(x, tape: t, pass: pass); key = k!(x, tape: t, pass: pass); value = v!(x, tape: t, pass: pass)
        }
        return out(t.attention(query: query, key: key, value: value, heads: heads, causal: causal), tape: t, pass: pass)
    }
}
