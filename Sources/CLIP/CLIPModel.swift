import Foundation
import TensorCore

/// Both CLIP towers and their projections into the shared embedding space. Weights are frozen by
/// default (adapters are trained instead).
public final class CLIPModel {
    public let config: CLIPConfig
    public let vision: VisionTransformer
    public let text: TextTransformer
    public let visualProjection: Parameter
    public let textProjection: Parameter
    public let logitScale: Parameter

    public init(config: CLIPConfig) {
        self.config = config
        vision = VisionTransformer(config.vision)
        text = TextTransformer(config.text)
        visualProjection = Parameter("visual_projection.weight", Tensor(zeros: [config.projectionDim, config.vision.width]), trainable: false)
        textProjection = Parameter("text_projection.weight", Tensor(zeros: [config.projectionDim, config.text.width]), trainable: false)
        logitScale = Parameter("logit_scale", Tensor(zeros: []), trainable: false)
    }

    public var parameters: [Parameter] { vision.parameters + text.parameters + [visualProjection, textProjection, logitScale] }

    /// Fills every weight from `DeterministicParameters` by its Hugging Face name, so that the
    /// Python reference builds the identical model without weight files.
    public func fillDeterministic(seed: UInt64 = 0) {
        for (p, key) in WeightMap.huggingFace(self) {
            let r = WeightMap.deterministicRange(key: key, shape: p.shape)
            p.value = DeterministicParameters.tensor(key, p.shape, scale: r.scale, offset: r.offset, seed: seed)
        }
    }

    /// Loads a Hugging Face `CLIPModel` folder (config.json + model.safetensors; F32, F16 or BF16).
    public static func load(huggingFaceFolder dir: String) throws -> CLIPModel {
        let config = try CLIPConfig(huggingFaceConfig: dir + "/config.json")
        let path = dir + "/model.safetensors"
        guard FileManager.default.fileExists(atPath: path) else { throw CLIPError.missingFile(path: path, what: "model.safetensors") }
        let file = try SafeTensorsFile(path: path)
        let model = CLIPModel(config: config)
        let map = WeightMap.huggingFace(model)
        var missing: [String] = [], misshaped: [String] = []
        for (p, key) in map {
            guard let e = file.entries[key] else { missing.append(key); continue }
            // A scalar may be stored as [] or [1].
            let fits = e.shape == p.shape || (p.shape.isEmpty && e.shape == [1])
            if !fits { misshaped.append("\(key) is \(e.shape), expected \(p.shape)"); continue }
            p.value = try file.tensor(key).reshaped(p.shape)
        }
        let known = Set(map.map(\.key))
        let unexpected = file.entries.keys.filter { !known.contains($0) && !WeightMap.ignorable($0) }.sorted()
        if !missing.isEmpty || !misshaped.isEmpty || !unexpected.isEmpty {
            throw CLIPError.weights(path: path, missing: missing, unexpected: unexpected, misshaped: misshaped)
        }
        return model
    }

    /// Refuses a tokenizer whose ids the text tower cannot embed (a vocabulary from another model).
    public func checkTokenizer(_ tokenizer: BPETokenizer, path: String) throws {
        let largest = tokenizer.encoder.values.max() ?? 0
        guard largest < config.text.vocabSize else {
            throw CLIPError.badConfig(path: path, reason: "the tokenizer has ids up to \(largest), the model's vocab_size is \(config.text.vocabSize) (vocabulary from another model?)")
        }
    }

    /// Projected image embeddings [B, projectionDim] of images [B, 3, S, S] (not normalised).
    public func encodeImages(_ images: Tensor, tape: Tape = Tape(recording: false)) -> Variable {
        tape.linear(vision.forward(images, tape: tape), weight: tape.parameter(visualProjection))
    }

    /// Projected text embeddings [B, projectionDim] of token sequences (not normalised).
    public func encodeTexts(_ ids: [[Int]], tape: Tape = Tape(recording: false)) -> Variable {
        tape.linear(text.forward(ids, tape: tape), weight: tape.parameter(textProjection))
    }
}
