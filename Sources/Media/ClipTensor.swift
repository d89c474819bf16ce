import TensorCore

/// Frames as the model's input: a [T, 3, H, W] Float tensor of pixels / 255, as DFER-CLIP's
/// ToTorchFormatTensor makes it; CLIP's mean/std normalisation is a switch, off by default
/// because DFER-CLIP's loaders never apply it (FINECLIPER.md §1.3).
public enum ClipTensor {
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public static let clipStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    public static func make(_ frames: [RGBImage], normalize: Bool = false) -> Tensor {
        guard let first = frames.first else { return Tensor(zeros: [0, 3, 0, 0]) }
        let (w, h) = (first.width, first.height)
        check(frames.allSatisfy { $0.width == w && $0.height == h }, "clip frames differ in size")
        var t = Tensor(zeros: [frames.count, 3, h, w])
        let plane = w * h
        t.withUnsafeMutableBufferPointer { out in
            for (i, f) in frames.enumerated() {
                for c in 0..<3 {
                    let scale = normalize ? 1 / (255 * clipStd[c]) : 1 / 255
                    let shift = normalize ? -clipMean[c] / clipStd[c] : 0
                    let base = (i * 3 + c) * plane
                    f.pixels.withUnsafeBufferPointer { px in
                        for p in 0..<plane { out[base + p] = Float(px[p * 3 + c]) * scale + shift }
                    }
                }
            }
        }
        return t
    }
}
