/// Concatenation and slicing along any axis (copies; slicing the first axis for free is `rows`).
public func concat(_ parts: [Tensor], axis: Int) -> Tensor {
    check(!parts.isEmpty, "concat of no tensors")
    let first = parts[0].shape
    let a = axis < 0 ? axis + first.count : axis
    check(a >= 0 && a < first.count, "concat: axis \(axis) out of range for \(first)")
    for p in parts {
        var s = p.shape, f = first
        check(s.count == f.count, "concat: ranks differ, \(p.shape) vs \(first)")
        s[a] = 0; f[a] = 0
        check(s == f, "concat: shapes \(p.shape) and \(first) differ outside axis \(a)")
    }
    var shape = first
    shape[a] = parts.reduce(0) { $0 + $1.shape[a] }
    let outer = first[..<a].reduce(1, *), inner = first[(a + 1)...].reduce(1, *)
    var out = Tensor(uninitialized: shape)
    out.withUnsafeMutableBufferPointer { po in
        let rowOut = shape[a] * inner
        var start = 0
        for p in parts {
            let block = p.shape[a] * inner
            p.withUnsafeBufferPointer { pp in
                for o in 0..<outer {
                    (po.baseAddress! + o * rowOut + start).update(from: pp.baseAddress! + o * block, count: block)
                }
            }
            start += block
        }
    }
    return out
}

/// Elements `range` along `axis`.
public func slice(_ x: Tensor, axis: Int, _ range: Range<Int>) -> Tensor {
    let s = AxisSplit(x.shape, axis: axis)
    check(range.lowerBound >= 0 && range.upperBound <= s.n, "slice \(range) out of range for axis \(axis) of \(x.shape)")
    var shape = x.shape
    shape[axis < 0 ? axis + shape.count : axis] = range.count
    var out = Tensor(uninitialized: shape)
    let block = range.count * s.inner
    x.withUnsafeBufferPointer { px in
        out.withUnsafeMutableBufferPointer { po in
            for o in 0..<s.outer {
                (po.baseAddress! + o * block).update(from: px.baseAddress! + (o * s.n + range.lowerBound) * s.inner, count: block)
            }
        }
    }
    return out
}

extension Tape {
    public func concat(_ parts: [Variable], axis: Int) -> Variable {
        let y = TensorCore.concat(parts.map(\.value), axis: axis)
        return record(y, inputs: parts) { dy, needs in
            var start = 0
            return parts.enumerated().map { i, p in
                let a = axis < 0 ? axis + p.shape.count : axis
                let n = p.shape[a]
                defer { start += n }
                return needs[i] ? TensorCore.slice(dy, axis: axis, start..<(start + n)) : nil
            }
        }
    }

    public func slice(_ x: Variable, axis: Int, _ range: Range<Int>) -> Variable {
        record(TensorCore.slice(x.value, axis: axis, range), inputs: [x]) { dy, _ in
            let s = AxisSplit(x.shape, axis: axis)
            var dx = Tensor(zeros: x.shape)
            let block = range.count * s.inner
            dy.withUnsafeBufferPointer { pd in
                dx.withUnsafeMutableBufferPointer { px in
                    for o in 0..<s.outer {
                        (px.baseAddress! + (o * s.n + range.lowerBound) * s.inner).update(from: pd.baseAddress! + o * block, count: block)
                    }
                }
            }
            return [dx]
        }
    }

    /// The same values with another shape (free; the gradient is reshaped back).
    public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
        record(x.value.reshaped(shape), inputs: [x]) { dy, _ in [dy.reshaped(x.shape)] }
    }
}
