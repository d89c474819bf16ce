/// Numerically stable softmax over the last axis (the row maximum is subtracted first).
public func softmax(_ x: Tensor) -> Tensor {
    let d = x.shape.last ?? 1
    let rows = x.count / max(d, 1)
    var out = Tensor(uninitialized: x.shape)
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
    if d < 16 {
        var row = [Float](repeating: 0, count: 16)
        row.withUnsafeMutableBufferPointer { softmaxPadded($0.baseAddress!, src, dst, d) }
        return
    }
    var mv = Vec16(repeating: -.infinity), i = 0
    while i + 16 <= d { mv = VectorMath.max(mv, VectorMath.load(src + i)); i += 16 }
    mv = VectorMath.max(mv, VectorMath.load(src + d - 16))
    var m = VectorMath.horizontalMax(mv)
    if m == -.infinity { m = 0 }  // a fully masked row stays all zeros instead of NaN
    // exp(x − m), written and summed in one pass; the ragged end is one overlapping vector
    // computed before the row is overwritten (src and dst may alias) and counted only for its new lanes.
    let rem = d % 16
    let tail = VectorMath.expClamped(VectorMath.load(src + d - 16) - m)
    var acc = tail * VectorMath.lastLanes(rem)
    i = 0
    while i + 16 <= d {
        let e = VectorMath.expClamped(VectorMath.load(src + i) - m)
        VectorMath.store(e, dst + i)
        acc += e
        i += 16
    }
    VectorMath.store(tail, dst + d - 16)
    let total = acc.sum()
    let inv = total > 0 ? 1 / total : 0
    VectorMath.map(dst, dst, d) { $0 * inv }
}

/// Softmax of a short row through a 16-wide scratch row padded with −∞.
@inline(__always)
func softmaxPadded(_ scratch: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ d: Int) {
    scratch.update(repeating: -.infinity, count: 16)
    scratch.update(from: src, count: d)
    softmaxRow(scratch, scratch, 16)
    dst.update(from: scratch, count: d)
}

/// dx = y ⊙ (dy − Σ dy·y) for each row of a softmax output y.
func softmaxBackward(_ y: Tensor, _ dy: Tensor) -> Tensor {
    let d = y.shape.last ?? 1
    let rows = y.count / max(d, 1)
    var dx = Tensor(uninitialized: y.shape)
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
