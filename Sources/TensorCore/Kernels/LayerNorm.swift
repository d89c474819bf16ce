/// Layer normalisation over the last axis: y = (x − μ)/√(σ² + eps)·γ + β, with the biased
/// variance as in PyTorch. Statistics use two passes (mean, then centred squares) so rows with a
/// large mean keep their precision.
public struct LayerNormResult {
    public var output: Tensor
    /// Per-row mean and 1/√(σ² + eps), kept for the backward pass.
    var mean: [Float]
    var rstd: [Float]
}

public func layerNorm(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Float = 1e-5) -> Tensor {
    layerNormWithStats(x, gamma: gamma, beta: beta, eps: eps).output
}

func layerNormWithStats(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Float) -> LayerNormResult {
    let d = x.shape.last ?? 1
    check(gamma.map { $0.shape == [d] } ?? true, "layerNorm: gamma \(gamma!.shape) does not match width \(d)")
    check(beta.map { $0.shape == [d] } ?? true, "layerNorm: beta \(beta!.shape) does not match width \(d)")
    let rows = x.count / max(d, 1)
    var out = Tensor(uninitialized: x.shape)
    var means = [Float](repeating: 0, count: rows), rstds = [Float](repeating: 0, count: rows)
    let g = gamma ?? Tensor(repeating: 1, shape: [d]), b = beta ?? Tensor(zeros: [d])
    x.withUnsafeBufferPointer { px in
        g.withUnsafeBufferPointer { pg in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    means.withUnsafeMutableBufferPointer { pm in
                        rstds.withUnsafeMutableBufferPointer { pr in
                            let (src, dst, gp, bp, mp, rp) = (px.baseAddress!, po.baseAddress!, pg.baseAddress!,
                                                              pb.baseAddress!, pm.baseAddress!, pr.baseAddress!)
                            parallelChunks(rows, minPerChunk: max(1, 16_384 / max(d, 1))) { range in
                                for r in range {
                                    let row = src + r * d
                                    let (mu, rstd) = rowStatistics(row, d, eps)
                                    mp[r] = mu; rp[r] = rstd
                                    let y = dst + r * d
                                    var i = 0
                                    while i + 16 <= d {
                                        let v = UnsafeRawPointer(row + i).loadUnaligned(as: Vec16.self)
                                        let gv = UnsafeRawPointer(gp + i).loadUnaligned(as: Vec16.self)
                                        let bv = UnsafeRawPointer(bp + i).loadUnaligned(as: Vec16.self)
                                        UnsafeMutableRawPointer(y + i).storeBytes(of: (v - mu) * rstd * gv + bv, as: Vec16.self)
                                        i += 16
                                    }
                                    while i < d { y[i] = (row[i] - mu) * rstd * gp[i] + bp[i]; i += 1 }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return LayerNormResult(output: out, mean: means, rstd: rstds)
}

/// Mean and 1/√(var + eps) of one row; two passes (mean, then centred squares) like PyTorch.
@inline(__always)
func rowStatistics(_ row: UnsafePointer<Float>, _ d: Int, _ eps: Float) -> (Float, Float) {
    var acc = Vec16(), i = 0, tail: Float = 0
    while i + 16 <= d { acc += UnsafeRawPointer(row + i).loadUnaligned(as: Vec16.self); i += 16 }
    while i < d { tail += row[i]; i += 1 }
    let mu = (acc.sum() + tail) / Float(d)
    var sq = Vec16(); i = 0; tail = 0
    while i + 16 <= d {
        let c = UnsafeRawPointer(row + i).loadUnaligned(as: Vec16.self) - mu
        sq += c * c
        i += 16
    }
    while i < d { let c = row[i] - mu; tail += c * c; i += 1 }
    let variance = (sq.sum() + tail) / Float(d)
    return (mu, 1 / (variance + eps).squareRoot())
}

extension Tape {
    /// Differentiable layer norm over the last axis; gamma/beta may be frozen or absent.
    public func layerNorm(_ x: Variable, gamma: Variable?, beta: Variable?, eps: Float = 1e-5) -> Variable {
        let r = layerNormWithStats(x.value, gamma: gamma?.value, beta: beta?.value, eps: eps)
        var inputs = [x]
        if let gamma { inputs.append(gamma) }
        if let beta { inputs.append(beta) }
        return record(r.output, inputs: inputs) { dy, needs in
            let d = x.shape.last ?? 1, rows = x.value.count / Swift.max(d, 1)
            var dx = Tensor(zeros: x.shape), dg = Tensor(zeros: [d]), db = Tensor(zeros: [d])
            let g = gamma?.value ?? Tensor(repeating: 1, shape: [d])
            x.value.withUnsafeBufferPointer { px in
                dy.withUnsafeBufferPointer { pd in
                    g.withUnsafeBufferPointer { pg in
                        dx.withUnsafeMutableBufferPointer { pdx in
                            dg.withUnsafeMutableBufferPointer { pdg in
                                db.withUnsafeMutableBufferPointer { pdb in
                                    for row in 0..<rows {
                                        let xr = px.baseAddress! + row * d, dr = pd.baseAddress! + row * d
                                        let mu = r.mean[row], rstd = r.rstd[row]
                                        // x̂ = (x − μ)·rstd; dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = dy·γ
                                        var sumG: Float = 0, sumGX: Float = 0
                                        for i in 0..<d {
                                            let xh = (xr[i] - mu) * rstd, gh = dr[i] * pg[i]
                                            sumG += gh; sumGX += gh * xh
                                            pdg[i] += dr[i] * xh
                                            pdb[i] += dr[i]
                                        }
                                        let mG = sumG / Float(d), mGX = sumGX / Float(d)
                                        let out = pdx.baseAddress! + row * d
                                        for i in 0..<d {
                                            let xh = (xr[i] - mu) * rstd
                                            out[i] = rstd * (dr[i] * pg[i] - mG - xh * mGX)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            var grads: [Tensor?] = [needs[0] ? dx : nil]
            if gamma != nil { grads.append(dg) }
            if beta != nil { grads.append(db) }
            return grads
        }
    }
}
