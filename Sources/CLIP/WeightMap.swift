import TensorCore

/// Filling a module tree from a safetensors file by the tree's own parameter names: every entry
/// is checked, and missing, unexpected and mis-shaped tensors are reported together instead of
/// trusting names.
public enum WeightMap {
    /// Loads every parameter of `module` from `file`; keys for which `ignoring` is true may be
    /// present without a parameter.
    public static func load(_ module: some Module, from file: SafeTensorsFile, ignoring: (String) -> Bool = { _ in false }) throws {
        let named = module.namedParameters()
        var missing: [String] = [], misshaped: [String] = []
        for (key, p) in named {
            guard let e = file.entries[key] else { missing.append(key); continue }
            // A scalar may be stored as [] or [1].
            let fits = e.shape == p.shape || (p.shape.isEmpty && e.shape == [1])
            if !fits { misshaped.append("\(key) is \(e.shape), expected \(p.shape)"); continue }
            p.value = try file.tensor(key).reshaped(p.shape)
        }
        let known = Set(named.map(\.name))
        let unexpected = file.entries.keys.filter { !known.contains($0) && !ignoring($0) }.sorted()
        if !missing.isEmpty || !misshaped.isEmpty || !unexpected.isEmpty {
            throw CLIPError.weights(path: file.path, missing: missing, unexpected: unexpected, misshaped: misshaped)
        }
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
