import Foundation
import TensorCore

/// Both CLIP towers and their projections into the shared embedding space, named by Hugging
/// Face's `CLIPModel` keys. Weights are frozen (adapters are trained instead); a loaded model is
/// only read, so one instance serves any number of threads.
public final class CLIPModel: Module, @unchecked Sendable {
    public let config: CLIPConfig
    public let vision: VisionTransformer
    public let text: TextTransformer
    public let visualProjection: Parameter
    public let textProjection: Parameter
    public let logitScale: Parameter

    public init(config: CLIPConfig) {
        self.config = config
        let root = ParameterPath()
        vision = VisionTransformer(root("vision_model"), config.vision)
        text = TextTransformer(root("text_model"), config.text)
        visualProjection = root.parameter("visual_projection.weight", [config.projectionDim, config.vision.width])
        textProjection = root.parameter("text_projection.weight", [config.projectionDim, config.text.width])
        logitScale = root.parameter("logit_scale", [])
    }

    /// Fills every weight from `DeterministicParameters` by its Hugging Face name, so that the
    /// Python reference builds the identical model without weight files.
    public func fillDeterministic(seed: UInt64 = 0) {
        for (key, p) in namedParameters() {
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
        try WeightMap.load(model, from: file, ignoring: WeightMap.ignorable)
        return model
    }

    /// Writes a Hugging Face `CLIPModel` folder (config.json + model.safetensors, F32) that
    /// `load(huggingFaceFolder:)` and transformers read. The folder is built beside `dir` and
    /// renamed into place, replacing an older one only once the new one is complete.
    public func save(huggingFaceFolder dir: String, metadata: [String: String] = [:]) throws {
        let fm = FileManager.default
        let target = (dir as NSString).standardizingPath
        let staging = target + ".partial-\(getpid())"
        try? fm.removeItem(atPath: staging)
        do {
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try AtomicFile.write(try config.huggingFaceJSON(), to: staging + "/config.json")
            var writer = SafeTensorsWriter(metadata: metadata.merging(["format": "pt"]) { a, _ in a })
            for (key, p) in namedParameters() { writer.add(key, p.value) }
            try writer.write(to: staging + "/model.safetensors")
            let old = target + ".old-\(getpid())"
            if fm.fileExists(atPath: target) { try fm.moveItem(atPath: target, toPath: old) }
            try fm.moveItem(atPath: staging, toPath: target)
            try? fm.removeItem(atPath: old)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    /// Refuses a tokenizer whose ids the text tower cannot embed (a vocabulary from another model).
    public func checkTokenizer(_ tokenizer: BPETokenizer, path: String) throws {
        let largest = tokenizer.encoder.values.max() ?? 0
        guard largest < config.text.vocabSize else {
            throw CLIPError.badConfig(path: path, reason: "the tokenizer has ids up to \(largest), the model's vocab_size is \(config.text.vocabSize) (vocabulary from another model?)")
        }
    }

    /// Projected image embeddings [B, projectionDim] of images [B, 3, S, S] (not normalised).
    public func encodeImages(_ images: Tensor, tape: Tape = Tape(recording: false), adapters: [Int: BlockAdapters] = [:],
                             recompute: Recomputation = .off) -> Variable {
        tape.linear(vision.forward(images, tape: tape, adapters: adapters, recompute: recompute), weight: tape.parameter(visualProjection))
    }

    /// Projected text embeddings [B, projectionDim] of token sequences (not normalised).
    public func encodeTexts(_ ids: [[Int]], tape: Tape = Tape(recording: false), adapters: [Int: BlockAdapters] = [:]) -> Variable {
        tape.linear(text.forward(ids, tape: tape, adapters: adapters), weight: tape.parameter(textProjection))
    }
}
