/// Reductions along one axis. The tensor is viewed as [outer, n, inner]; the axis (n) is removed.
struct AxisSplit {
    let outer: Int, n: Int, inner: Int
    let reducedShape: [Int]

    init(_ shape: [Int], axis: Int) {
        let a = axis < 0 ? axis + shape.count : axis
        check(a >= 0 && a < shape.count, "axis \(axis) out of range for shape \(shape)")
        outer = shape[..<a].reduce(1, *)
        n = shape[a]
        inner = shape[(a + 1)...].reduce(1, *)
        var s = shape
        s.remove(at: a)
        reducedShape = s
    }
}

/// Sum along `axis` (negative counts from the end).
public func sum(_ x: Tensor, axis: Int) -> Tensor {
    let s = AxisSplit(x.shape, axis: axis)
    var out = Tensor(zeros: s.reducedShape)
    x.withUnsafeBufferPointer { px in
        out.withUnsafeMutableBufferPointer { po in
            for o in 0..<s.outer {
                let dst = po.baseAddress! + o * s.inner
                for i in 0..<s.n {
                    let src = px.baseAddress! + (o * s.n + i) * s.inner
                    VectorMath.map2(dst, src, dst, s.inner, +)
                }
            }
        }
    }
    return out
}

/// Mean along `axis`.
public func mean(_ x: Tensor, axis: Int) -> Tensor {
    let n = AxisSplit(x.shape, axis: axis).n   // n = 0 gives NaN, as in PyTorch
    return affine(sum(x, axis: axis), scale: 1 / Float(n))
}

/// Max along `axis`, with the index of the (first) maximum of each slice.
public func max(_ x: Tensor, axis: Int) -> (values: Tensor, indices: [Int]) {
    let s = AxisSplit(x.shape, axis: axis)
    check(s.n > 0, "max over an empty axis of \(x.shape)")
    var out = Tensor(uninitialized: s.reducedShape)
    var indices = [Int](repeating: 0, count: s.outer * s.inner)
    x.withUnsafeBufferPointer { px in
        out.withUnsafeMutableBufferPointer { po in
            for o in 0..<s.outer {
                for j in 0..<s.inner {
                    var best = px[o * s.n * s.inner + j], arg = 0
                    for i in 1..<s.n {
                        let v = px[(o * s.n + i) * s.inner + j]
                        if v > best || (best.isNaN == false && v.isNaN) { best = v; arg = i }
                    }
                    po[o * s.inner + j] = best
                    indices[o * s.inner + j] = arg
                }
            }
        }
    }
    return (out, indices)
}

/// Sum of all elements, accumulated in Double so large tensors keep their precision.
public func sumAll(_ x: Tensor) -> Float {
    x.withUnsafeBufferPointer { p in
        var total = 0.0
        var i = 0
        while i + 16 <= p.count {
            let v = UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: Vec16.self)
            total += Double(v.sum())
            i += 16
        }
        while i < p.count { total += Double(p[i]); i += 1 }
        return Float(total)
    }
}

/// Broadcasts `g` (the reduced shape) back along `axis` of `shape`, times `scale`.
func expandAlong(_ g: Tensor, axis: Int, to shape: [Int], scale: Float = 1) -> Tensor {
    let s = AxisSplit(shape, axis: axis)
    var out = Tensor(uninitialized: shape)
    g.withUnsafeBufferPointer { pg in
        out.withUnsafeMutableBufferPointer { po in
            for o in 0..<s.outer {
                for i in 0..<s.n {
                    let dst = po.baseAddress! + (o * s.n + i) * s.inner
                    VectorMath.map(pg.baseAddress! + o * s.inner, dst, s.inner) { $0 * scale }
                }
            }
        }
    }
    return out
}

extension Tape {
    public func sum(_ x: Variable, axis: Int) -> Variable {
        record(TensorCore.sum(x.value, axis: axis), inputs: [x]) { dy, _ in
            [expandAlong(dy, axis: axis, to: x.shape)]
        }
    }

    public func mean(_ x: Variable, axis: Int) -> Variable {
        let n = AxisSplit(x.shape, axis: axis).n
        return record(TensorCore.mean(x.value, axis: axis), inputs: [x]) { dy, _ in
            [expandAlong(dy, axis: axis, to: x.shape, scale: 1 / Float(n))]
        }
    }

    /// Max along an axis; the gradient goes to the first maximal element of each slice.
    public func max(_ x: Variable, axis: Int) -> Variable {
        let (values, indices) = TensorCore.max(x.value, axis: axis)
        return record(values, inputs: [x]) { dy, _ in
            let s = AxisSplit(x.shape, axis: axis)
            var dx = Tensor(zeros: x.shape)
            dy.withUnsafeBufferPointer { pd in
                dx.withUnsafeMutableBufferPointer { px in
                    for o in 0..<s.outer {
                        for j in 0..<s.inner {
                            px[(o * s.n + indices[o * s.inner + j]) * s.inner + j] = pd[o * s.inner + j]
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// Sum of all elements, as a scalar variable.
    public func sumAll(_ x: Variable) -> Variable {
        record(Tensor(scalar: TensorCore.sumAll(x.value)), inputs: [x]) { dy, _ in
            [Tensor(repeating: dy.item, shape: x.shape)]
        }
    }

    /// Mean of all elements, as a scalar variable.
    public func meanAll(_ x: Variable) -> Variable {
        let n = Float(x.value.count)
        return record(Tensor(scalar: TensorCore.sumAll(x.value) / n), inputs: [x]) { dy, _ in
            [Tensor(repeating: dy.item / n, shape: x.shape)]
        }
    }
}
