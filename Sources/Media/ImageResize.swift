import TensorCore
/// How a centre crop places an odd margin (see `RGBImage.centerCropped`).
public enum CenterCropRounding: String, Codable, Sendable {
    /// torchvision's CenterCrop: round(margin / 2), half to even.
    case halfToEven
    /// transformers' CLIPImageProcessor: margin // 2.
    case floor
}

/// Resampling filters, as Pillow defines them.
public enum ResampleFilter: Sendable {
    /// Triangle, support 1 (what DFER-CLIP's loaders use).
    case bilinear
    /// Keys cubic with a = −0.5, support 2 (what CLIP's own preprocessing uses).
    case bicubic

    var support: Double { self == .bilinear ? 1 : 2 }

    func weight(_ x: Double) -> Double {
        let t = abs(x)
        switch self {
        case .bilinear: return t < 1 ? 1 - t : 0
        case .bicubic:
            let a = -0.5
            if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
            if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
            return 0
        }
    }
}

/// Resizing exactly as Pillow does it (and so as torchvision's `Resize` on PIL images): the filter
/// widened by the scale factor when shrinking (antialiasing), 22-bit fixed-point weights, a
/// horizontal pass into an 8-bit intermediate, then a vertical pass.
extension RGBImage {
    public func resizedBilinear(width outW: Int, height outH: Int) -> RGBImage {
        resized(width: outW, height: outH, filter: .bilinear)
    }

    public func resized(width outW: Int, height outH: Int, filter: ResampleFilter) -> RGBImage {
        check(outW > 0 && outH > 0, "resize to an empty size \(outW)×\(outH)")
        if outW == width && outH == height { return self }
        var image = self
        if outW != width {
            image = image.resampledHorizontally(ResampleCoefficients(inSize: width, outSize: outW, filter: filter))
        }
        if outH != height {
            image = image.resampledVertically(ResampleCoefficients(inSize: height, outSize: outH, filter: filter))
        }
        return image
    }

    /// torchvision's `Resize(size)` with an int: the shorter side becomes `size`, the other keeps
    /// the aspect ratio (truncated, as torchvision computes it).
    public func resizedShorterSide(to size: Int, filter: ResampleFilter = .bilinear) -> RGBImage {
        let (w, h) = width <= height ? (size, Int(Double(size) * Double(height) / Double(width)))
                                     : (Int(Double(size) * Double(width) / Double(height)), size)
        return resized(width: w, height: h, filter: filter)
    }

    /// The central `size`×`size` region. With an odd margin the two references differ by a pixel:
    /// torchvision's `CenterCrop` (OpenAI CLIP, open_clip) rounds margin/2 half to even,
    /// transformers' `CLIPImageProcessor` floors it.
    public func centerCropped(_ size: Int, rounding: CenterCropRounding = .halfToEven) -> RGBImage {
        func offset(_ margin: Int) -> Int {
            let half = Double(margin) / 2
            return rounding == .floor ? Int(half.rounded(.down)) : Int(half.rounded(.toNearestOrEven))
        }
        return cropped(x: max(0, offset(width - size)), y: max(0, offset(height - size)), width: min(size, width), height: min(size, height))
    }

    func resampledHorizontally(_ c: ResampleCoefficients) -> RGBImage {
        var out = [UInt8](repeating: 0, count: c.outSize * height * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * width * 3, outRow = y * c.outSize * 3
                    for x in 0..<c.outSize {
                        let (start, count) = c.bounds[x]
                        let k = x * c.kernelSize
                        var r = ResampleCoefficients.half, g = r, b = r
                        for i in 0..<count {
                            let w = c.weights[k + i], p = row + (start + i) * 3
                            r += Int(src[p]) * w; g += Int(src[p + 1]) * w; b += Int(src[p + 2]) * w
                        }
                        dst[outRow + x * 3] = ResampleCoefficients.clip8(r)
                        dst[outRow + x * 3 + 1] = ResampleCoefficients.clip8(g)
                        dst[outRow + x * 3 + 2] = ResampleCoefficients.clip8(b)
                    }
                }
            }
        }
        return RGBImage(width: c.outSize, height: height, pixels: out)
    }

    func resampledVertically(_ c: ResampleCoefficients) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * c.outSize * 3)
        let stride = width * 3
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<c.outSize {
                    let (start, count) = c.bounds[y]
                    let k = y * c.kernelSize
                    for i in 0..<stride {
                        var acc = ResampleCoefficients.half
                        for j in 0..<count { acc += Int(src[(start + j) * stride + i]) * c.weights[k + j] }
                        dst[y * stride + i] = ResampleCoefficients.clip8(acc)
                    }
                }
            }
        }
        return RGBImage(width: width, height: c.outSize, pixels: out)
    }
}

/// Per-output-pixel source ranges and fixed-point weights of Pillow's bilinear filter.
struct ResampleCoefficients {
    static let precisionBits = 32 - 8 - 2
    static let half = 1 << (precisionBits - 1)

    let outSize: Int
    let kernelSize: Int
    /// (first source index, number of taps) per output index.
    var bounds: [(Int, Int)]
    var weights: [Int]

    init(inSize: Int, outSize: Int, filter: ResampleFilter) {
        self.outSize = outSize
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        kernelSize = Int(support.rounded(.up)) * 2 + 1
        bounds = []
        weights = [Int](repeating: 0, count: outSize * kernelSize)
        var k = [Double](repeating: 0, count: kernelSize)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let ss = 1 / filterScale
            let xmin = max(Int(center - support + 0.5), 0)
            let xmax = min(Int(center + support + 0.5), inSize) - xmin
            var total = 0.0
            for x in 0..<xmax {
                k[x] = filter.weight((Double(x + xmin) - center + 0.5) * ss)
                total += k[x]
            }
            for x in 0..<xmax {
                let w = total != 0 ? k[x] / total : k[x]
                let scaled = w * Double(1 << Self.precisionBits)
                weights[xx * kernelSize + x] = w < 0 ? Int(-0.5 + scaled) : Int(0.5 + scaled)
            }
            bounds.append((xmin, xmax))
        }
    }

    @inline(__always)
    static func clip8(_ v: Int) -> UInt8 {
        let shifted = v >> precisionBits
        return UInt8(clamping: shifted)
    }
}
