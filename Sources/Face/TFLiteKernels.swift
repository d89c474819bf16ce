import Foundation
import TensorCore

/// NHWC float kernels with TFLite's semantics (SAME padding puts the smaller half before).
enum TFLiteKernels {
    /// Output size and leading padding along one axis.
    static func window(_ size: Int, kernel: Int, stride: Int, dilation: Int, same: Bool) -> (out: Int, pad: Int) {
        let effective = (kernel - 1) * dilation + 1
        if !same { return ((size - effective) / stride + 1, 0) }
        let out = (size + stride - 1) / stride
        let total = max((out - 1) * stride + effective - size, 0)
        return (out, total / 2)
    }

    /// A sliding window over an H×W image: the output size, the leading padding and, for each
    /// output position, the input positions its taps read (taps in the padding are skipped).
    struct Window {
        let h: Int, w: Int, kh: Int, kw: Int, stride: (Int, Int), dilation: (Int, Int)
        let oh: Int, ow: Int, ph: Int, pw: Int

        init(height h: Int, width w: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int) = (1, 1), same: Bool) {
            self.h = h; self.w = w; (kh, kw) = kernel; self.stride = stride; self.dilation = dilation
            (oh, ph) = TFLiteKernels.window(h, kernel: kernel.0, stride: stride.0, dilation: dilation.0, same: same)
            (ow, pw) = TFLiteKernels.window(w, kernel: kernel.1, stride: stride.1, dilation: dilation.1, same: same)
        }

        /// `body(i, j, sy, sx)` for every tap (i, j) of output (y, x) that lands inside the input at (sy, sx).
        @inline(__always) func forEachTap(_ y: Int, _ x: Int, _ body: (Int, Int, Int, Int) -> Void) {
            for i in 0..<kh {
                let sy = y * stride.0 - ph + i * dilation.0
                guard sy >= 0 && sy < h else { continue }
                for j in 0..<kw {
                    let sx = x * stride.1 - pw + j * dilation.1
                    guard sx >= 0 && sx < w else { continue }
                    body(i, j, sy, sx)
                }
            }
        }
    }

    /// CONV_2D: filter [O, KH, KW, I]; im2col rows (kh, kw, i) then one GEMM per image.
    static func conv(_ x: Tensor, filter: Tensor, bias: Tensor?, stride: (Int, Int), dilation: (Int, Int), same: Bool, relu: Bool) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (filter.shape[0], filter.shape[1], filter.shape[2])
        let win = Window(height: h, width: w, kernel: (kh, kw), stride: stride, dilation: dilation, same: same)
        let (oh, ow) = (win.oh, win.ow)
        let weight = filter.reshaped([o, kh * kw * c])
        var outputs: [Tensor] = []
        for b in 0..<n {
            let image = x.row(b)
            let columns: Tensor
            if kh == 1 && kw == 1 && stride == (1, 1) {
                columns = image.reshaped([h * w, c])
            } else {
                var cols = Tensor(zeros: [oh * ow, kh * kw * c])
                image.withUnsafeBufferPointer { src in
                    cols.withUnsafeMutableBufferPointer { dst in
                        for y in 0..<oh {
                            for xx in 0..<ow {
                                let row = dst.baseAddress! + (y * ow + xx) * kh * kw * c
                                win.forEachTap(y, xx) { i, j, sy, sx in
                                    (row + (i * kw + j) * c).update(from: src.baseAddress! + (sy * w + sx) * c, count: c)
                                }
                            }
                        }
                    }
                }
                columns = cols
            }
            var y = linear(columns, weight: weight, bias: bias)
            if relu { y = activation(.relu, y) }
            outputs.append(y.reshaped([1, oh, ow, o]))
        }
        return n == 1 ? outputs[0] : concat(outputs, axis: 0)
    }

    /// CONV_2D summed as LiteRT's reference kernel sums it — per output, taps in (row, column,
    /// channel) order, then the bias — so the result does not depend on which CPU-specific
    /// kernel OpenBLAS picks. Hybrid models need this: their small float convolutions feed an
    /// on-the-fly quantization, where a last-bit difference can move a value across a rounding
    /// step (single_face's fer outputs moved by 1.2e-4 with OpenBLAS's FMA kernels).
    static func convInOrder(_ x: Tensor, filter: Tensor, bias: Tensor?, stride: (Int, Int), dilation: (Int, Int), same: Bool, relu: Bool) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (filter.shape[0], filter.shape[1], filter.shape[2])
        let win = Window(height: h, width: w, kernel: (kh, kw), stride: stride, dilation: dilation, same: same)
        let (oh, ow) = (win.oh, win.ow)
        let b = bias?.scalars ?? [Float](repeating: 0, count: o)
        let input = x.scalars, weights = filter.scalars
        var out = [Float](repeating: 0, count: n * oh * ow * o)
        input.withUnsafeBufferPointer { xs in
            weights.withUnsafeBufferPointer { ws in
                for img in 0..<n {
                    let image = xs.baseAddress! + img * h * w * c
                    for y in 0..<oh {
                        for xx in 0..<ow {
                            for oc in 0..<o {
                                var total: Float = 0
                                win.forEachTap(y, xx) { i, j, sy, sx in
                                    let s = image + (sy * w + sx) * c, f = ws.baseAddress! + ((oc * kh + i) * kw + j) * c
                                    for k in 0..<c { total += s[k] * f[k] }
                                }
                                let v = total + b[oc]
                                out[((img * oh + y) * ow + xx) * o + oc] = relu ? max(v, 0) : v
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, oh, ow, o], values: out)
    }

    /// DEPTHWISE_CONV_2D: filter [1, KH, KW, C·multiplier].
    static func depthwise(_ x: Tensor, filter: Tensor, bias: Tensor?, stride: (Int, Int), dilation: (Int, Int), same: Bool,
                          relu: Bool, multiplier: Int) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw, oc) = (filter.shape[1], filter.shape[2], filter.shape[3])
        let win = Window(height: h, width: w, kernel: (kh, kw), stride: stride, dilation: dilation, same: same)
        let (oh, ow) = (win.oh, win.ow)
        var out = Tensor(zeros: [n, oh, ow, oc])
        let b = bias?.scalars ?? [Float](repeating: 0, count: oc)
        x.withUnsafeBufferPointer { src in
            filter.withUnsafeBufferPointer { f in
                out.withUnsafeMutableBufferPointer { dst in
                    for img in 0..<n {
                        for y in 0..<oh {
                            for xx in 0..<ow {
                                let o = dst.baseAddress! + ((img * oh + y) * ow + xx) * oc
                                for k in 0..<oc { o[k] = b[k] }
                                win.forEachTap(y, xx) { i, j, sy, sx in
                                    let s = src.baseAddress! + ((img * h + sy) * w + sx) * c
                                    let fw = f.baseAddress! + (i * kw + j) * oc
                                    if multiplier == 1 {
                                        for k in 0..<oc { o[k] += s[k] * fw[k] }
                                    } else {
                                        for k in 0..<oc { o[k] += s[k / multiplier] * fw[k] }
                                    }
                                }
                                if relu { for k in 0..<oc where o[k] < 0 { o[k] = 0 } }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// MAX_POOL_2D (padding cells are ignored, as TFLite does).
    static func maxPool(_ x: Tensor, size: (Int, Int), stride: (Int, Int), same: Bool, relu: Bool) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let win = Window(height: h, width: w, kernel: size, stride: stride, same: same)
        let (oh, ow) = (win.oh, win.ow)
        var out = Tensor(repeating: -.infinity, shape: [n, oh, ow, c])
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for img in 0..<n {
                    for y in 0..<oh {
                        for xx in 0..<ow {
                            let o = dst.baseAddress! + ((img * oh + y) * ow + xx) * c
                            win.forEachTap(y, xx) { _, _, sy, sx in
                                let s = src.baseAddress! + ((img * h + sy) * w + sx) * c
                                for k in 0..<c { o[k] = max(o[k], s[k]) }
                            }
                            if relu { for k in 0..<c where o[k] < 0 { o[k] = 0 } }
                        }
                    }
                }
            }
        }
        return out
    }

    /// MEAN: a float sum in row-major order per output element, then one division (LiteRT's
    /// reference order, so results agree to the last bit on small reductions).
    static func mean(_ x: Tensor, axes: [Int], keepDims: Bool) -> Tensor {
        let reduced = Set(axes)
        let kept = x.shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element }
        let count = x.shape.enumerated().filter { reduced.contains($0.offset) }.reduce(1) { $0 * $1.element }
        var sums = [Float](repeating: 0, count: kept.reduce(1, *))
        let values = x.scalars
        var index = [Int](repeating: 0, count: x.rank)
        for v in values {
            var o = 0
            for d in 0..<x.rank { o = o * kept[d] + (reduced.contains(d) ? 0 : index[d]) }
            sums[o] += v
            var d = x.rank - 1
            while d >= 0 { index[d] += 1; if index[d] < x.shape[d] { break }; index[d] = 0; d -= 1 }
        }
        let shape = keepDims ? kept : x.shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
        return Tensor(shape: shape, values: sums.map { $0 / Float(max(count, 1)) })
    }

    /// SOFTMAX over the last axis: exp((x − max)·β) / Σ.
    static func softmax(_ x: Tensor, beta: Float) -> Tensor {
        let depth = x.shape.last ?? 1
        var values = x.scalars
        for start in stride(from: 0, to: values.count, by: max(depth, 1)) {
            let row = start..<(start + depth)
            let top = values[row].max() ?? 0
            var total: Float = 0
            for i in row { total += exp((values[i] - top) * beta) }
            for i in row { values[i] = exp((values[i] - top) * beta) / total }
        }
        return Tensor(shape: x.shape, values: values)
    }

    /// PAD with zeros; `p` holds (before, after) per dimension.
    static func pad(_ x: Tensor, _ p: [Int]) -> Tensor {
        check(p.count == 2 * x.rank, "PAD: \(p.count / 2) padding pairs for a rank-\(x.rank) tensor")
        let shape = x.shape.enumerated().map { $0.element + p[2 * $0.offset] + p[2 * $0.offset + 1] }
        var out = Tensor(zeros: shape)
        let inner = x.shape.last!
        let rows = x.count / max(inner, 1)
        x.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    // Multi-index of row r (all but the last dimension), shifted by the padding.
                    var rest = r, offset = p[2 * (x.rank - 1)], step = shape.last!
                    for d in Swift.stride(from: x.rank - 2, through: 0, by: -1) {
                        offset += (rest % x.shape[d] + p[2 * d]) * step
                        rest /= x.shape[d]
                        step *= shape[d]
                    }
                    (dst.baseAddress! + offset).update(from: src.baseAddress! + r * inner, count: inner)
                }
            }
        }
        return out
    }
}
