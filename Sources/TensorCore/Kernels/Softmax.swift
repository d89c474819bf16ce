/// Numerically stable softmax over the last axis (the row maximum is subtracted first).
public func softmax(_ x: Tensor) -> Tensor {
    let d = x.shape.last ?? 1
    let rows = x.count / max(d, 1)
    var out = Tensor(zeros: x.shape)
    x.withUnsafeBufferPointer { px in
        out.withUnsafeMutableBufferPointer { po in
            let (src, dst) = (px.baseAddress!, po.baseAddress!)
            parallelChunks(rows, minPerChunk: max(1, 16_384 / max(d, 1))) { range in
                for r in range { softmaxRow(src + r * d, dst + r * d, d) }
            }
        }
    }
    return out
}

/// Softmax of one row of length `d`, `src` and `dst` may alias.
@inline(__always)
func softmaxRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ d: Int) {
    var m = -Float.infinity
    for i in 0..<d { m = Swift.max(m, src[i]) }
    if m == -.infinity { m = 0 }  // a fully masked row stays all zeros instead of NaN
    VectorMath.map(src, dst, d) { VectorMath.exp($0 - m) }
    var total: Float = 0
    var acc = Vec16(), i = 0
    while i + 16 <= d { acc += UnsafeRawPointer(dst + i).loadUnaligned(as: Vec16.self); i += 16 }
    while i < d { total += dst[i]; i += 1 }
    total += acc.sum()
    let inv = total > 0 ? 1 / total : 0
    VectorMath.map(dst, dst, d) { $0 * inv }
}

/// dx = y ⊙ (dy − Σ dy·y) for each row of a softmax output y.
func softmaxBackward(_ y: Tensor, _ dy: Tensor) -> Tensor {
    let d = y.shape.last ?? 1
    let rows = y.count / max(d, 1)
    var dx = Tensor(zeros: y.shape)
    y.withUnsafeBufferPointer { py in
        dy.withUnsafeBufferPointer { pd in
            dx.withUnsafeMutableBufferPointer { po in
                let (ys, ds, out) = (py.baseAddress!, pd.baseAddress!, po.baseAddress!)
                parallelChunks(rows, minPerChunk: max(1, 16_384 / max(d, 1))) { range in
                    for r in range { softmaxBackwardRow(ys + r * d, ds + r * d, out + r * d, d) }
                }
            }
        }
    }
    return dx
}

@inline(__always)
func softmaxBackwardRow(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ d: Int) {
    var dot: Float = 0
    for i in 0..<d { dot += y[i] * dy[i] }
    VectorMath.map2(y, dy, dx, d) { $0 * ($1 - dot) }
}

extension Tape {
    public func softmax(_ x: Variable) -> Variable {
        let y = TensorCore.softmax(x.value)
        return record(y, inputs: [x]) { dy, _ in [softmaxBackward(y, dy)] }
    }
}
