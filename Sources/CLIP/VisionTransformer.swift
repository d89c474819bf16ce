import TensorCore

/// OpenAI CLIP's image tower: patch embedding (a convolution with stride = kernel, computed as one
/// matrix product over flattened patches), class token, positional embedding, ln_pre, pre-LN
/// blocks, ln_post on the class token. The projection lives in `CLIPModel`.
public final class VisionTransformer {
    public let config: CLIPConfig.Vision
    public let patchWeight, classEmbedding, positionEmbedding, preNormWeight, preNormBias, postNormWeight, postNormBias: Parameter
    public let blocks: [TransformerBlock]

    init(_ c: CLIPConfig.Vision) {
        config = c
        func p(_ name: String, _ shape: [Int]) -> Parameter { Parameter("vision.\(name)", Tensor(zeros: shape), trainable: false) }
        patchWeight = p("patch_embed.weight", [c.width, 3, c.patchSize, c.patchSize])
        classEmbedding = p("class_embed", [c.width])
        positionEmbedding = p("pos_embed", [c.tokens, c.width])
        preNormWeight = p("ln_pre.weight", [c.width]); preNormBias = p("ln_pre.bias", [c.width])
        postNormWeight = p("ln_post.weight", [c.width]); postNormBias = p("ln_post.bias", [c.width])
        blocks = (0..<c.layers).map {
            TransformerBlock(prefix: "vision.blocks.\($0)", width: c.width, mlpWidth: c.mlpWidth, heads: c.heads,
                             eps: c.layerNormEps, activation: c.activation)
        }
    }

    public var parameters: [Parameter] {
        [patchWeight, classEmbedding, positionEmbedding, preNormWeight, preNormBias] + blocks.flatMap(\.parameters)
            + [postNormWeight, postNormBias]
    }

    /// Images [B, 3, S, S] → patch rows [B, N, 3·P·P], each flattened channel-major like the
    /// convolution weight.
    public func patchify(_ images: Tensor) -> Tensor {
        let (b, s, p) = (images.shape[0], config.imageSize, config.patchSize)
        check(images.rank == 4 && images.shape[1] == 3 && images.shape[2] == s && images.shape[3] == s,
                     "images must be [B, 3, \(s), \(s)], got \(images.shape)")
        let g = s / p, rowLen = 3 * p * p
        var out = Tensor(zeros: [b, g * g, rowLen])
        images.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for n in 0..<b {
                    for gy in 0..<g {
                        for gx in 0..<g {
                            let row = dst.baseAddress! + ((n * g + gy) * g + gx) * rowLen
                            for c in 0..<3 {
                                for ky in 0..<p {
                                    let from = src.baseAddress! + ((n * 3 + c) * s + gy * p + ky) * s + gx * p
                                    (row + (c * p + ky) * p).update(from: from, count: p)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Class-token features after ln_post, [B, width]; optionally every layer's hidden states.
    public func forward(_ images: Tensor, tape t: Tape, hiddenStates: ((Int, Tensor) -> Void)? = nil) -> Variable {
        let b = images.shape[0], d = config.width
        let w = t.reshape(t.parameter(patchWeight), [d, 3 * config.patchSize * config.patchSize])
        let patches = t.linear(t.constant(patchify(images)), weight: w)
        let cls = t.reshape(t.parameter(classEmbedding), [1, 1, d])
        var x = t.concat([t.concat(Array(repeating: cls, count: b), axis: 0), patches], axis: 1)
        x = t.add(x, t.parameter(positionEmbedding))
        x = t.layerNorm(x, gamma: t.parameter(preNormWeight), beta: t.parameter(preNormBias), eps: config.layerNormEps)
        hiddenStates?(0, x.value)
        for (i, block) in blocks.enumerated() {
            x = block.forward(x, tape: t, causal: false)
            hiddenStates?(i + 1, x.value)
        }
        let first = t.reshape(t.slice(x, axis: 1, 0..<1), [b, d])
        return t.layerNorm(first, gamma: t.parameter(postNormWeight), beta: t.parameter(postNormBias), eps: config.layerNormEps)
    }
}
