import TensorCore

extension CLIPModel {
    /// The same model for `imageSize`-pixel images: patches grow in proportion, so the token grid,
    /// the position embeddings and everything after the patch embedding stay as they are, and each
    /// filter is resampled so that it sees a larger image as the original filter sees that image
    /// area-averaged down to the original size (exactly so for that resize: each new patch covers
    /// the old patch's footprint). A start for training at a higher resolution without starting over.
    public func resizingPatches(to imageSize: Int) throws -> CLIPModel {
        let old = config.vision
        guard imageSize > 0, imageSize * old.patchSize % old.imageSize == 0 else {
            throw CLIPError.badConfig(path: "--image-size", reason: "\(imageSize) pixels do not make a whole number of pixels per patch on the \(old.imageSize / old.patchSize)-patch grid")
        }
        var config = self.config
        config.vision.imageSize = imageSize
        config.vision.patchSize = imageSize * old.patchSize / old.imageSize
        let model = CLIPModel(config: config)
        let source = Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.name, $0.parameter) })
        for (name, p) in model.namedParameters() {
            let value = source[name]!.value
            p.value = p.value.shape == value.shape ? value : Self.resampledFilters(value, to: config.vision.patchSize)
        }
        return model
    }

    /// Filters [O, C, P, P] → [O, C, Q, Q] with W' = Dᵀ W D per channel, where D [P, Q] averages
    /// Q pixels down to P (row p: each pixel's overlap with p's footprint, divided by its width).
    static func resampledFilters(_ w: Tensor, to q: Int) -> Tensor {
        let (o, c, p) = (w.shape[0], w.shape[1], w.shape[2])
        let r = Double(q) / Double(p)
        var d = [Double](repeating: 0, count: p * q)
        for i in 0..<p {
            for j in 0..<q { d[i * q + j] = max(0, min(Double(i + 1) * r, Double(j + 1)) - max(Double(i) * r, Double(j))) / r }
        }
        var out = [Float](repeating: 0, count: o * c * q * q)
        w.withUnsafeBufferPointer { src in
            for f in 0..<(o * c) {
                let filter = src.baseAddress! + f * p * p
                for y in 0..<q {
                    for x in 0..<q {
                        var sum = 0.0
                        for a in 0..<p where d[a * q + y] != 0 {
                            for b in 0..<p where d[b * q + x] != 0 { sum += d[a * q + y] * Double(filter[a * p + b]) * d[b * q + x] }
                        }
                        out[(f * q + y) * q + x] = Float(sum)
                    }
                }
            }
        }
        return Tensor(shape: [o, c, q, q], values: out)
    }
}
