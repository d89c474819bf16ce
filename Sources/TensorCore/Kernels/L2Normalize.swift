/// x / max(‖x‖₂, eps) over the last axis, as PyTorch's `F.normalize` (used before cosine scores).
public func l2Normalize(_ x: Tensor, eps: Float = 1e-12) -> Tensor {
    l2NormalizeWithNorms(x, eps: eps).0
}

func l2NormalizeWithNorms(_ x: Tensor, eps: Float) -> (Tensor, [Float]) {
    let d = x.shape.last ?? 1, rows = x.count / max(d, 1)
    var out = Tensor(uninitialized: x.shape)
    var norms = [Float](repeating: 0, count: rows)
    x.withUnsafeBufferPointer { px in
        out.withUnsafeMutableBufferPointer { po in
            for r in 0..<rows {
                let row = px.baseAddress! + r * d
                var acc: Double = 0
                for i in 0..<d { acc += Double(row[i]) * Double(row[i]) }
                let norm = Float(acc.squareRoot())
                norms[r] = norm
                let inv = 1 / max(norm, eps)
                VectorMath.map(row, po.baseAddress! + r * d, d) { $0 * inv }
            }
        }
    }
    return (out, norms)
}

extension Tape {
    public func l2Normalize(_ x: Variable, eps: Float = 1e-12) -> Variable {
        let (y, norms) = l2NormalizeWithNorms(x.value, eps: eps)
        return record(y, inputs: [x]) { dy, _ in
            // Above eps: dx = (dy − y·⟨dy, y⟩)/‖x‖; below, the divisor is the constant eps.
            let d = x.shape.last ?? 1
            var dx = Tensor(zeros: x.shape)
            y.withUnsafeBufferPointer { py in
                dy.withUnsafeBufferPointer { pd in
                    dx.withUnsafeMutableBufferPointer { px in
                        for r in 0..<norms.count {
                            let yr = py.baseAddress! + r * d, dr = pd.baseAddress! + r * d
                            let out = px.baseAddress! + r * d
                            if norms[r] > eps {
                                var dot: Float = 0
                                for i in 0..<d { dot += yr[i] * dr[i] }
                                let inv = 1 / norms[r]
                                for i in 0..<d { out[i] = (dr[i] - yr[i] * dot) * inv }
                            } else {
                                for i in 0..<d { out[i] = dr[i] / eps }
                            }
                        }
                    }
                }
            }
            return [dx]
        }
    }
}
