import TensorCore

/// INT8 weights with one scale per output channel (zero points are 0: symmetric).
struct QuantizedWeights: Sendable {
    let shape: [Int]
    let values: [Int8]
    let scales: [Float]
    let axis: Int
}

/// LiteRT's hybrid (dynamic-range) convolutions: float activations are quantized per image to
/// INT8 with an asymmetric range that always contains 0, convolved with the INT8 weights in
/// integer arithmetic, and scaled back to float per output channel. Emulating this rather than
/// dequantizing the weights keeps outputs equal to LiteRT's reference kernels (rounding included),
/// not merely close to them.
enum HybridKernels {
    /// One image quantized: values, scale and zero point (LiteRT's AsymmetricQuantizeFloats:
    /// the range is computed in double, the zero point nudged to [−128, 127] and rounded half away
    /// from zero).
    struct QuantizedInput {
        let values: [Int32]
        let scale: Float
        let zeroPoint: Int32
    }

    /// Non-finite activations (only a corrupt model makes them; the fuzzer did) are left out of
    /// the range and clamped to its ends, NaN to the zero point, instead of trapping in Int32().
    static func quantize(_ x: ArraySlice<Float>) -> QuantizedInput {
        let finite = x.lazy.filter(\.isFinite)
        let rmin = Double(min(0, finite.min() ?? 0)), rmax = Double(max(0, finite.max() ?? 0))
        let scale = (rmax - rmin) / 255
        guard rmin != rmax, scale.isFinite, scale > 0 else { return QuantizedInput(values: [Int32](repeating: 0, count: x.count), scale: 1, zeroPoint: 0) }
        let fromMin = -128 - rmin / scale, fromMax = 127 - rmax / scale
        let zeroDouble = 128 + abs(rmin / scale) < 127 + abs(rmax / scale) ? fromMin : fromMax
        let zero: Int32 = zeroDouble <= -128 ? -128 : zeroDouble >= 127 ? 127 : Int32(zeroDouble.rounded())
        let storedScale = Float(scale)
        let inverse = Float(1.0 / Double(storedScale))
        let values = x.map { v -> Int32 in
            let f = (Float(zero) + v * inverse).rounded()
            return f.isNaN ? zero : Int32(min(127, max(-128, f)))
        }
        return QuantizedInput(values: values, scale: storedScale, zeroPoint: zero)
    }

    /// CONV_2D with filter [O, KH, KW, I]: acc = Σ w·(q − zp); out = acc·s_w[o]·s_x + bias.
    static func conv(_ x: Tensor, filter: QuantizedWeights, bias: Tensor?, stride: (Int, Int), dilation: (Int, Int), same: Bool, relu: Bool) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (filter.shape[0], filter.shape[1], filter.shape[2])
        let win = TFLiteKernels.Window(height: h, width: w, kernel: (kh, kw), stride: stride, dilation: dilation, same: same)
        let (oh, ow) = (win.oh, win.ow)
        let b = bias?.scalars ?? [Float](repeating: 0, count: o)
        let input = x.scalars
        let weights = filter.values.map(Int32.init)
        var out = [Float](repeating: 0, count: n * oh * ow * o)
        for img in 0..<n {
            let q = quantize(input[(img * h * w * c)..<((img + 1) * h * w * c)])
            // Centred once (q − zp), then every output is an integer dot product over valid taps.
            let centred = q.values.map { $0 &- q.zeroPoint }
            centred.withUnsafeBufferPointer { xs in
                weights.withUnsafeBufferPointer { ws in
                    out.withUnsafeMutableBufferPointer { dst in
                        for y in 0..<oh {
                            for xx in 0..<ow {
                                for oc in 0..<o {
                                    var acc: Int32 = 0
                                    win.forEachTap(y, xx) { i, j, sy, sx in
                                        let s = xs.baseAddress! + (sy * w + sx) * c, f = ws.baseAddress! + ((oc * kh + i) * kw + j) * c
                                        for k in 0..<c { acc &+= f[k] &* s[k] }
                                    }
                                    var v = Float(acc) * filter.scales[oc] * q.scale + b[oc]
                                    if relu { v = max(v, 0) }
                                    dst[((img * oh + y) * ow + xx) * o + oc] = v
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, oh, ow, o], values: out)
    }

    /// DEPTHWISE_CONV_2D with filter [1, KH, KW, C·m]: out = acc·(s_w[k]·s_x) + bias (LiteRT
    /// groups the two scales first here, unlike CONV_2D).
    static func depthwise(_ x: Tensor, filter: QuantizedWeights, bias: Tensor?, stride: (Int, Int), dilation: (Int, Int), same: Bool,
                          relu: Bool, multiplier: Int) -> Tensor {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw, oc) = (filter.shape[1], filter.shape[2], filter.shape[3])
        let win = TFLiteKernels.Window(height: h, width: w, kernel: (kh, kw), stride: stride, dilation: dilation, same: same)
        let (oh, ow) = (win.oh, win.ow)
        let b = bias?.scalars ?? [Float](repeating: 0, count: oc)
        let input = x.scalars
        let weights = filter.values.map(Int32.init)
        var out = [Float](repeating: 0, count: n * oh * ow * oc)
        var acc = [Int32](repeating: 0, count: oc)
        for img in 0..<n {
            let q = quantize(input[(img * h * w * c)..<((img + 1) * h * w * c)])
            let centred = q.values.map { $0 &- q.zeroPoint }
            centred.withUnsafeBufferPointer { xs in
                weights.withUnsafeBufferPointer { ws in
                    acc.withUnsafeMutableBufferPointer { a in
                        for y in 0..<oh {
                            for xx in 0..<ow {
                                for k in 0..<oc { a[k] = 0 }
                                win.forEachTap(y, xx) { i, j, sy, sx in
                                    let s = xs.baseAddress! + (sy * w + sx) * c, f = ws.baseAddress! + (i * kw + j) * oc
                                    if multiplier == 1 {
                                        for k in 0..<oc { a[k] &+= f[k] &* s[k] }
                                    } else {
                                        for k in 0..<oc { a[k] &+= f[k] &* s[k / multiplier] }
                                    }
                                }
                                let base = ((img * oh + y) * ow + xx) * oc
                                for k in 0..<oc {
                                    var v = Float(a[k]) * (filter.scales[k] * q.scale) + b[k]
                                    if relu { v = max(v, 0) }
                                    out[base + k] = v
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, oh, ow, oc], values: out)
    }
}
