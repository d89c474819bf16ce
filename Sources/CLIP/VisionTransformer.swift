import TensorCore

/// OpenAI CLIP's image tower: patch embedding (a convolution with stride = kernel, computed as one
/// matrix product over flattened patches), class token, positional embedding, ln_pre, pre-LN
/// blocks, ln_post on the class token. The projection lives in `CLIPModel`.
public struct VisionTransformer: Module {
    public let config: CLIPConfig.Vision
    public let patchWeight, classEmbedding, positionEmbedding: Parameter
    public let preNorm, postNorm: LayerNormalization
    public let blocks: [TransformerBlock]

    init(_ p: ParameterPath, _ c: CLIPConfig.Vision) {
        config = c
        patchWeight = p.parameter("embeddings.patch_embedding.weight", [c.width, 3, c.patchSize, c.patchSize])
        classEmbedding = p.parameter("embeddings.class_embedding", [c.width])
        positionEmbedding = p.parameter("embeddings.position_embedding.weight", [c.tokens, c.width])
        preNorm = LayerNormalization(p("pre_layrnorm"), width: c.width, eps: c.layerNormEps)
        blocks = (0..<c.layers).map {
            TransformerBlock(p("encoder.layers.\($0)"), width: c.width, mlpWidth: c.mlpWidth, heads: c.heads,
                             eps: c.layerNormEps, activation: c.activation)
        }
        postNorm = LayerNormalization(p("post_layernorm"), width: c.width, eps: c.layerNormEps)
    }

    /// Images [B, 3, S, S] → patch rows [B, N, 3·P·P], each flattened channel-major like the
    /// convolution weight.
    public func patchify(_ images: Tensor) -> Tensor {
        let (s, p) = (config.imageSize, config.patchSize)
        check(images.rank == 4 && images.shape[1] == 3 && images.shape[2] == s && images.shape[3] == s,
              "images must be [B, 3, \(s), \(s)], got \(images.shape)")
        let b = images.shape[0], g = s / p, rowLen = 3 * p * p
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

    /// Class-token features after ln_post, [B, width]; `adapters[i]` joins block i for this call
    /// only. With `recompute` on, each block keeps only its input for backward and runs again
    /// there (gradient checkpointing), the blocks that fit its budget also keeping their large
    /// products (`keptBlocks`). Optionally every layer's hidden states.
    public func forward(_ images: Tensor, tape t: Tape, adapters: [Int: BlockAdapters] = [:], recompute: Recomputation = .off,
                        hiddenStates: ((Int, Tensor) -> Void)? = nil) -> Variable {
        let patches = patchify(images)
        let b = images.shape[0], d = config.width
        let w = t.reshape(t.parameter(patchWeight), [d, 3 * config.patchSize * config.patchSize])
        let tokens = t.linear(t.constant(patches), weight: w)
        let cls = t.reshape(t.parameter(classEmbedding), [1, 1, d])
        var x = t.concat([t.concat(Array(repeating: cls, count: b), axis: 0), tokens], axis: 1)
        x = t.add(x, t.parameter(positionEmbedding))
        x = preNorm(x, tape: t)
        hiddenStates?(0, x.value)
        let kept = keptBlocks(images: b, adapters: adapters, recompute: recompute)
        for (i, block) in blocks.enumerated() {
            if recompute.isOn {
                let a = adapters[i]
                x = t.recomputed([x], trainable: a != nil, keep: kept.contains(i)) { inner, xs, pass in
                    block.forward(xs[0], tape: inner, causal: false, adapters: a, pass: pass)
                }
            } else {
                x = block.forward(x, tape: t, causal: false, adapters: adapters[i])
            }
            hiddenStates?(i + 1, x.value)
        }
        return postNorm(t.reshape(t.slice(x, axis: 1, 0..<1), [b, d]), tape: t)
    }

    /// The blocks that keep their products for the replay under `recompute`: from the first that
    /// backward reaches (the first with adapters, as images need no gradient), as many as the
    /// budget holds.
    public func keptBlocks(images: Int, adapters: [Int: BlockAdapters], recompute: Recomputation) -> Range<Int> {
        guard case let .blocks(budget) = recompute, let first = adapters.keys.min(), first < blocks.count else { return 0..<0 }
        let count = budget / max(1, blocks[first].keptBytes(tokens: images * config.tokens))
        return first..<min(blocks.count, first + count)
    }

    /// The bytes that `forward` keeps for the replay under `recompute`.
    public func keptBytes(images: Int, adapters: [Int: BlockAdapters], recompute: Recomputation) -> Int {
        keptBlocks(images: images, adapters: adapters, recompute: recompute).reduce(0) { $0 + blocks[$1].keptBytes(tokens: images * config.tokens) }
    }
}
