/// Multi-head scaled dot-product attention on already projected q, k, v:
/// for each head h, softmax(Q_h·K_hᵀ/√d_h + mask)·V_h, heads concatenated along the width.
/// Shapes: q [B, Tq, D] (or [Tq, D]), k and v [B, Tk, D]; the output has q's shape.
/// Heads are read in place with a leading dimension of D, so no reshuffling copies are made.
public struct AttentionResult {
    public var output: Tensor
    /// Attention probabilities [B, H, Tq, Tk], kept for the backward pass and for visualisation.
    public var probabilities: Tensor
}

public func attention(query q: Tensor, key k: Tensor, value v: Tensor, heads: Int, causal: Bool = false) -> AttentionResult {
    let g = AttentionGeometry(q: q.shape, k: k.shape, v: v.shape, heads: heads)
    var out = Tensor(uninitialized: q.shape)
    var probs = Tensor(uninitialized: [g.batch, heads, g.tq, g.tk])
    q.withUnsafeBufferPointer { pq in
        k.withUnsafeBufferPointer { pk in
            v.withUnsafeBufferPointer { pv in
                out.withUnsafeMutableBufferPointer { po in
                    probs.withUnsafeMutableBufferPointer { pp in
                        // (batch, head) pairs side by side: each writes its own probabilities and
                        // its own head's columns of the output.
                        parallelChunks(g.batch * heads, minPerChunk: 1) { pairs in
                            for bh in pairs {
                                let (b, h) = (bh / heads, bh % heads)
                                let qh = pq.baseAddress! + g.qOffset(b, h), kh = pk.baseAddress! + g.kOffset(b, h)
                                let vh = pv.baseAddress! + g.kOffset(b, h)
                                let p = pp.baseAddress! + bh * g.tq * g.tk
                                BLAS.gemm(transB: true, m: g.tq, n: g.tk, k: g.headDim, alpha: g.scale,
                                          a: qh, lda: g.width, b: kh, ldb: g.width, c: p, ldc: g.tk, parallel: false)
                                for i in 0..<g.tq {
                                    let row = p + i * g.tk
                                    if causal { for j in (i + 1)..<max(i + 1, g.tk) { row[j] = -.infinity } }
                                    softmaxRow(row, row, g.tk)
                                }
                                BLAS.gemm(m: g.tq, n: g.headDim, k: g.tk, a: p, lda: g.tk, b: vh, ldb: g.width,
                                          c: po.baseAddress! + g.qOffset(b, h), ldc: g.width, parallel: false)
                            }
                        }
                    }
                }
            }
        }
    }
    return AttentionResult(output: out, probabilities: probs)
}

/// Sizes and offsets shared by the forward and backward passes.
struct AttentionGeometry {
    let batch: Int, tq: Int, tk: Int, width: Int, heads: Int, headDim: Int
    let scale: Float

    init(q: [Int], k: [Int], v: [Int], heads: Int) {
        check(q.count == 2 || q.count == 3, "attention: q must be [T, D] or [B, T, D], got \(q)")
        check(k == v && k.count == q.count, "attention: k \(k) and v \(v) must match and have q's rank")
        check(q.last == k.last, "attention: q width \(q.last!) differs from k width \(k.last!)")
        let w = q.last!
        check(heads > 0 && w % heads == 0, "attention: width \(w) is not divisible by \(heads) heads")
        batch = q.count == 3 ? q[0] : 1
        check(q.count == 2 || k[0] == batch, "attention: batch of q \(q) and k \(k) differ")
        tq = q[q.count - 2]; tk = k[k.count - 2]; width = w; self.heads = heads
        headDim = w / heads
        scale = 1 / Float(headDim).squareRoot()
    }

    func qOffset(_ b: Int, _ h: Int) -> Int { b * tq * width + h * headDim }
    func kOffset(_ b: Int, _ h: Int) -> Int { b * tk * width + h * headDim }
}

extension Tape {
    /// Differentiable multi-head attention (see `attention(query:key:value:heads:causal:)`).
    public func attention(query q: Variable, key k: Variable, value v: Variable, heads: Int, causal: Bool = false) -> Variable {
        let r = TensorCore.attention(query: q.value, key: k.value, value: v.value, heads: heads, causal: causal)
        let probs = r.probabilities
        return record(r.output, inputs: [q, k, v]) { dout, _ in
            let g = AttentionGeometry(q: q.shape, k: k.shape, v: v.shape, heads: heads)
            var dq = Tensor(zeros: q.shape), dk = Tensor(zeros: k.shape), dv = Tensor(zeros: v.shape)
            var dScores = [Float](repeating: 0, count: g.tq * g.tk)
            q.value.withUnsafeBufferPointer { pq in
            k.value.withUnsafeBufferPointer { pk in
            v.value.withUnsafeBufferPointer { pv in
            dout.withUnsafeBufferPointer { pdo in
            probs.withUnsafeBufferPointer { pp in
            dq.withUnsafeMutableBufferPointer { pdq in
            dk.withUnsafeMutableBufferPointer { pdk in
            dv.withUnsafeMutableBufferPointer { pdv in
            dScores.withUnsafeMutableBufferPointer { pds in
                let ds = pds.baseAddress!
                for b in 0..<g.batch {
                    for h in 0..<heads {
                        let qo = g.qOffset(b, h), ko = g.kOffset(b, h)
                        let p = pp.baseAddress! + (b * heads + h) * g.tq * g.tk
                        let doh = pdo.baseAddress! + qo
                        // dV = Pᵀ·dO
                        BLAS.gemm(transA: true, m: g.tk, n: g.headDim, k: g.tq, a: p, lda: g.tk,
                                  b: doh, ldb: g.width, c: pdv.baseAddress! + ko, ldc: g.width)
                        // dP = dO·Vᵀ, then through the softmax: dS = P ⊙ (dP − Σ dP·P)
                        BLAS.gemm(transB: true, m: g.tq, n: g.tk, k: g.headDim, a: doh, lda: g.width,
                                  b: pv.baseAddress! + ko, ldb: g.width, c: ds, ldc: g.tk)
                        for i in 0..<g.tq { softmaxBackwardRow(p + i * g.tk, ds + i * g.tk, ds + i * g.tk, g.tk) }
                        // dQ = dS·K·scale, dK = dSᵀ·Q·scale
                        BLAS.gemm(m: g.tq, n: g.headDim, k: g.tk, alpha: g.scale, a: ds, lda: g.tk,
                                  b: pk.baseAddress! + ko, ldb: g.width, c: pdq.baseAddress! + qo, ldc: g.width)
                        BLAS.gemm(transA: true, m: g.tk, n: g.headDim, k: g.tq, alpha: g.scale, a: ds, lda: g.tk,
                                  b: pq.baseAddress! + qo, ldb: g.width, c: pdk.baseAddress! + ko, ldc: g.width)
                    }
                }
            }}}}}}}}}
            return [dq, dk, dv]
        }
    }
}
