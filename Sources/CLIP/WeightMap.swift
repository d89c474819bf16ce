import TensorCore

/// Which tensor of a Hugging Face `CLIPModel` state dict fills each of our parameters. Declared once
/// per configuration; loading checks every entry (missing, unexpected and mis-shaped tensors are
/// reported together) instead of trusting names.
public enum WeightMap {
    public static func huggingFace(_ m: CLIPModel) -> [(parameter: Parameter, key: String)] {
        var map: [(Parameter, String)] = []
        func block(_ b: TransformerBlock, _ prefix: String) {
            map += [(b.ln1Weight, "\(prefix).layer_norm1.weight"), (b.ln1Bias, "\(prefix).layer_norm1.bias"),
                    (b.qWeight, "\(prefix).self_attn.q_proj.weight"), (b.qBias, "\(prefix).self_attn.q_proj.bias"),
                    (b.kWeight, "\(prefix).self_attn.k_proj.weight"), (b.kBias, "\(prefix).self_attn.k_proj.bias"),
                    (b.vWeight, "\(prefix).self_attn.v_proj.weight"), (b.vBias, "\(prefix).self_attn.v_proj.bias"),
                    (b.outWeight, "\(prefix).self_attn.out_proj.weight"), (b.outBias, "\(prefix).self_attn.out_proj.bias"),
                    (b.ln2Weight, "\(prefix).layer_norm2.weight"), (b.ln2Bias, "\(prefix).layer_norm2.bias"),
                    (b.fc1Weight, "\(prefix).mlp.fc1.weight"), (b.fc1Bias, "\(prefix).mlp.fc1.bias"),
                    (b.fc2Weight, "\(prefix).mlp.fc2.weight"), (b.fc2Bias, "\(prefix).mlp.fc2.bias")]
        }
        let v = m.vision, t = m.text
        map += [(v.patchWeight, "vision_model.embeddings.patch_embedding.weight"),
                (v.classEmbedding, "vision_model.embeddings.class_embedding"),
                (v.positionEmbedding, "vision_model.embeddings.position_embedding.weight"),
                (v.preNormWeight, "vision_model.pre_layrnorm.weight"), (v.preNormBias, "vision_model.pre_layrnorm.bias")]
        for (i, b) in v.blocks.enumerated() { block(b, "vision_model.encoder.layers.\(i)") }
        map += [(v.postNormWeight, "vision_model.post_layernorm.weight"), (v.postNormBias, "vision_model.post_layernorm.bias"),
                (t.tokenEmbedding, "text_model.embeddings.token_embedding.weight"),
                (t.positionEmbedding, "text_model.embeddings.position_embedding.weight")]
        for (i, b) in t.blocks.enumerated() { block(b, "text_model.encoder.layers.\(i)") }
        map += [(t.finalNormWeight, "text_model.final_layer_norm.weight"), (t.finalNormBias, "text_model.final_layer_norm.bias"),
                (m.visualProjection, "visual_projection.weight"), (m.textProjection, "text_projection.weight"),
                (m.logitScale, "logit_scale")]
        return map
    }

    /// Keys Hugging Face stores that carry no weights (position id buffers).
    static func ignorable(_ key: String) -> Bool { key.hasSuffix("position_ids") }

    /// The deterministic value rule shared with Tests/Reference/clip_reference.py: layer-norm
    /// weights 1 ± 0.1, biases ±0.02, embeddings ±0.02 (class embedding ±0.1), logit_scale
    /// ln(100), other weights ±1/√fan_in.
    public static func deterministicRange(key: String, shape: [Int]) -> (scale: Float, offset: Float) {
        if key == "logit_scale" { return (0, 4.6052) }
        let isNorm = key.contains("layer_norm") || key.contains("layernorm") || key.contains("layrnorm")
        if isNorm && key.hasSuffix(".weight") { return (0.1, 1) }
        if key.hasSuffix(".bias") { return (0.02, 0) }
        if key.hasSuffix("class_embedding") { return (0.1, 0) }
        if key.contains("embeddings.") && !key.contains("patch_embedding") { return (0.02, 0) }
        let fanIn = shape.dropFirst().reduce(1, *)
        return (Float(1) / Float(fanIn).squareRoot(), 0)
    }
}
