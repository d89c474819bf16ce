import Foundation

/// Binary elementwise arithmetic with broadcasting over the last axes: the second operand's shape
/// must equal the first's or be a suffix of it (a bias [D] on [B, T, D], a row [T, D] on [B, T, D]).
public enum BinaryOp: Sendable {
    case add, subtract, multiply

    @inlinable @inline(__always)
    func apply(_ x: Vec16, _ y: Vec16) -> Vec16 {
        switch self {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        }
    }
}

/// Whether `small` broadcasts onto `big` over its last axes.
func broadcasts(_ small: [Int], onto big: [Int]) -> Bool {
    small.count <= big.count && Array(big.suffix(small.count)) == small
}

/// a ∘ b where b's shape is a suffix of a's (or equal). Vectorised, and split over both cores
/// when large.
public func elementwise(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
    check(broadcasts(b.shape, onto: a.shape),
                 "elementwise \(op): shape \(b.shape) does not broadcast onto \(a.shape)")
    var out = Tensor(uninitialized: a.shape)
    let inner = b.count
    guard inner > 0 else { return out }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { po in
                let (xa, xb, xo) = (pa.baseAddress!, pb.baseAddress!, po.baseAddress!)
                if inner == a.count {
                    parallelChunks(inner) { r in
                        VectorMath.map2(xa + r.lowerBound, xb + r.lowerBound, xo + r.lowerBound, r.count, op.apply)
                    }
                } else {
                    let outer = a.count / inner
                    parallelChunks(outer, minPerChunk: max(1, 32_768 / inner)) { rows in
                        for r in rows {
                            VectorMath.map2(xa + r * inner, xb, xo + r * inner, inner, op.apply)
                        }
                    }
                }
            }
        }
    }
    return out
}

public func + (a: Tensor, b: Tensor) -> Tensor { broadcastCommutative(.add, a, b) }
public func - (a: Tensor, b: Tensor) -> Tensor { elementwise(.subtract, a, b) }
public func * (a: Tensor, b: Tensor) -> Tensor { broadcastCommutative(.multiply, a, b) }

/// For commutative operations either operand may be the one that broadcasts.
func broadcastCommutative(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
    broadcasts(b.shape, onto: a.shape) ? elementwise(op, a, b) : elementwise(op, b, a)
}

/// α·x + β, elementwise.
public func affine(_ x: Tensor, scale alpha: Float, shift beta: Float = 0) -> Tensor {
    unaryMap(x) { $0 * alpha + beta }
}

public func * (x: Tensor, s: Float) -> Tensor { affine(x, scale: s) }
public func * (s: Float, x: Tensor) -> Tensor { affine(x, scale: s) }

/// Applies a vector function to every element (vectorised, both cores for large tensors).
@inlinable
public func unaryMap(_ x: Tensor, _ f: @escaping (Vec16) -> Vec16) -> Tensor {
    var out = Tensor(uninitialized: x.shape)
    x.withUnsafeBufferPointer { px in
        out.withUnsafeMutableBufferPointer { po in
            let (src, dst) = (px.baseAddress!, po.baseAddress!)
            parallelChunks(x.count) { r in
                VectorMath.map(src + r.lowerBound, dst + r.lowerBound, r.count, f)
            }
        }
    }
    return out
}

/// Applies a vector function of two same-shaped tensors elementwise.
@inlinable
public func binaryMap(_ a: Tensor, _ b: Tensor, _ f: @escaping (Vec16, Vec16) -> Vec16) -> Tensor {
    check(a.shape == b.shape, "binaryMap: shapes differ, \(a.shape) vs \(b.shape)")
    var out = Tensor(uninitialized: a.shape)
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { po in
                let (xa, xb, xo) = (pa.baseAddress!, pb.baseAddress!, po.baseAddress!)
                parallelChunks(a.count) { r in
                    VectorMath.map2(xa + r.lowerBound, xb + r.lowerBound, xo + r.lowerBound, r.count, f)
                }
            }
        }
    }
    return out
}

extension Tensor {
    /// self += other·alpha in place (same shape); used to accumulate gradients.
    public mutating func addScaled(_ other: Tensor, _ alpha: Float = 1) {
        check(shape == other.shape, "addScaled: shapes differ, \(shape) vs \(other.shape)")
        let n = count
        other.withUnsafeBufferPointer { po in
            withUnsafeMutableBufferPointer { ps in
                let (src, dst) = (po.baseAddress!, ps.baseAddress!)
                parallelChunks(n) { r in
                    VectorMath.map2(dst + r.lowerBound, src + r.lowerBound, dst + r.lowerBound, r.count) { $0 + $1 * alpha }
                }
            }
        }
    }
}

extension Tape {
    /// a + b with b broadcast over a's last axes (either order).
    public func add(_ a: Variable, _ b: Variable) -> Variable {
        if !broadcasts(b.shape, onto: a.shape) { return add(b, a) }
        return record(a.value + b.value, inputs: [a, b]) { dy, needs in
            [needs[0] ? dy : nil, needs[1] ? reduceToShape(dy, b.shape) : nil]
        }
    }

    /// a − b with b broadcast over a's last axes.
    public func subtract(_ a: Variable, _ b: Variable) -> Variable {
        record(a.value - b.value, inputs: [a, b]) { dy, needs in
            [needs[0] ? dy : nil, needs[1] ? reduceToShape(affine(dy, scale: -1), b.shape) : nil]
        }
    }

    /// a · b elementwise with b broadcast over a's last axes (either order).
    public func multiply(_ a: Variable, _ b: Variable) -> Variable {
        if !broadcasts(b.shape, onto: a.shape) { return multiply(b, a) }
        return record(a.value * b.value, inputs: [a, b]) { dy, needs in
            [needs[0] ? dy * b.value : nil,
             needs[1] ? reduceToShape(dy * a.value, b.shape) : nil]
        }
    }

    /// α·x.
    public func scale(_ x: Variable, _ alpha: Float) -> Variable {
        record(affine(x.value, scale: alpha), inputs: [x]) { dy, _ in [affine(dy, scale: alpha)] }
    }
}

/// Sums a gradient over the leading axes that broadcasting added, back to `shape`.
func reduceToShape(_ g: Tensor, _ shape: [Int]) -> Tensor {
    if g.shape == shape { return g }
    let inner = shape.reduce(1, *)
    if inner == 0 || g.count == 0 { return Tensor(zeros: shape) }
    return sum(g.reshaped([-1, inner]), axis: 0).reshaped(shape)
}

extension Tape {
    /// x · exp(s) for a scalar variable s: CLIP's learnable logit scale, kept as a logarithm so
    /// that it stays positive.
    public func scale(_ x: Variable, byExponentOf s: Variable) -> Variable {
        check(s.value.count == 1, "scale(byExponentOf:): the scale must be a scalar, got \(s.shape)")
        let factor = Foundation.exp(s.value.item)
        let y = affine(x.value, scale: factor)
        return record(y, inputs: [x, s]) { dy, needs in
            var ds: Tensor? = nil
            if needs[1] {
                var dot = 0.0
                dy.withUnsafeBufferPointer { pd in y.withUnsafeBufferPointer { py in for i in 0..<pd.count { dot += Double(pd[i]) * Double(py[i]) } } }
                ds = Tensor(shape: s.shape, values: [Float(dot)])
            }
            return [needs[0] ? affine(dy, scale: factor) : nil, ds]
        }
    }
}
