import Foundation
import TensorCore

/// Sizes of a CLIP model; readable from a Hugging Face `config.json` (missing keys take the
/// library's defaults) and written into the project's checkpoints.
public struct CLIPConfig: Codable, Equatable, Sendable {
    public struct Vision: Codable, Equatable, Sendable {
        public var width: Int
        public var layers: Int
        public var heads: Int
        public var mlpWidth: Int
        public var patchSize: Int
        public var imageSize: Int
        public var layerNormEps: Float = 1e-5
        public var activation: Activation = .quickGelu

        public var tokens: Int { (imageSize / patchSize) * (imageSize / patchSize) + 1 }
    }

    public struct Text: Codable, Equatable, Sendable {
        public var vocabSize: Int
        public var width: Int
        public var layers: Int
        public var heads: Int
        public var mlpWidth: Int
        public var contextLength: Int
        public var layerNormEps: Float = 1e-5
        public var activation: Activation = .quickGelu
    }

    public var vision: Vision
    public var text: Text
    public var projectionDim: Int

    public init(vision: Vision, text: Text, projectionDim: Int) {
        self.vision = vision
        self.text = text
        self.projectionDim = projectionDim
    }

    static let textB = Text(vocabSize: 49408, width: 512, layers: 12, heads: 8, mlpWidth: 2048, contextLength: 77)

    public static let vitB16 = CLIPConfig(vision: Vision(width: 768, layers: 12, heads: 12, mlpWidth: 3072, patchSize: 16, imageSize: 224),
                                          text: textB, projectionDim: 512)
    public static let vitB32 = CLIPConfig(vision: Vision(width: 768, layers: 12, heads: 12, mlpWidth: 3072, patchSize: 32, imageSize: 224),
                                          text: textB, projectionDim: 512)
    public static let vitL14 = CLIPConfig(vision: Vision(width: 1024, layers: 24, heads: 16, mlpWidth: 4096, patchSize: 14, imageSize: 224),
                                          text: Text(vocabSize: 49408, width: 768, layers: 12, heads: 12, mlpWidth: 3072, contextLength: 77),
                                          projectionDim: 768)
    /// The small configuration of the parity fixtures: 32-px images, 8-px patches, width 64 and 2 layers.
    public static let tiny = CLIPConfig(vision: Vision(width: 64, layers: 2, heads: 4, mlpWidth: 128, patchSize: 8, imageSize: 32),
                                        text: Text(vocabSize: 49408, width: 32, layers: 2, heads: 4, mlpWidth: 64, contextLength: 16),
                                        projectionDim: 24)

    /// The embedded model's CLIP: 64-px images in 8-px patches (65 tokens), width 128 and 4 layers
    /// for vision, width 64 and 4 layers for text; 16 frames of three streams infer in tens of
    /// milliseconds and the weights are a few MB.
    public static let small = CLIPConfig(vision: Vision(width: 128, layers: 4, heads: 4, mlpWidth: 512, patchSize: 8, imageSize: 64),
                                         text: Text(vocabSize: 49408, width: 64, layers: 4, heads: 2, mlpWidth: 256, contextLength: 77),
                                         projectionDim: 64)

    public static let presets: [String: CLIPConfig] = ["ViT-B/16": vitB16, "ViT-B/32": vitB32, "ViT-L/14": vitL14, "tiny": tiny, "small": small]

    /// Reads a Hugging Face `CLIPModel` config.json.
    public init(huggingFaceConfig path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIPError.missingFile(path: path, what: "config.json") }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIPError.badConfig(path: path, reason: "not a JSON object")
        }
        let type = json["model_type"] as? String
        let architectures = json["architectures"] as? [String] ?? []
        guard type == "clip" || architectures.contains("CLIPModel") else {
            throw CLIPError.badConfig(path: path, reason: "model_type \(type ?? "missing") / architectures \(architectures) is not a CLIPModel")
        }
        func section(_ key: String) throws -> [String: Any] {
            guard let value = json[key] else { return [:] }
            guard let d = value as? [String: Any] else { throw CLIPError.badConfig(path: path, reason: "\(key) must be an object") }
            return d
        }
        let v = try section("vision_config"), t = try section("text_config")
        // Bounds well above every published CLIP (ViT-bigG: width 1664, 48 layers) so that absurd
        // values are refused before anything is allocated.
        func int(_ d: [String: Any], _ key: String, _ fallback: Int, max: Int) throws -> Int {
            guard let value = d[key] else { return fallback }
            guard let number = jsonNumber(value), let n = Int(exactly: number), (1...max).contains(n) else {
                throw CLIPError.badConfig(path: path, reason: "\(key) must be an integer in 1…\(max), found \(value)")
            }
            return n
        }
        func eps(_ d: [String: Any]) throws -> Float {
            guard let value = d["layer_norm_eps"] else { return 1e-5 }
            guard let number = jsonNumber(value), number > 0, number < 1 else {
                throw CLIPError.badConfig(path: path, reason: "layer_norm_eps must be a number in (0, 1), found \(value)")
            }
            return Float(number)
        }
        func act(_ d: [String: Any]) throws -> Activation {
            guard let value = d["hidden_act"] else { return .quickGelu }
            switch value as? String {
            case "quick_gelu": return .quickGelu
            case "gelu": return .gelu
            case "gelu_new", "gelu_pytorch_tanh": return .geluTanh
            default: throw CLIPError.badConfig(path: path, reason: "unsupported hidden_act \(value)")
            }
        }
        let vision = Vision(width: try int(v, "hidden_size", 768, max: 8192), layers: try int(v, "num_hidden_layers", 12, max: 128),
                            heads: try int(v, "num_attention_heads", 12, max: 256), mlpWidth: try int(v, "intermediate_size", 3072, max: 32768),
                            patchSize: try int(v, "patch_size", 32, max: 1024), imageSize: try int(v, "image_size", 224, max: 4096),
                            layerNormEps: try eps(v), activation: try act(v))
        let text = Text(vocabSize: try int(t, "vocab_size", 49408, max: 1_000_000), width: try int(t, "hidden_size", 512, max: 8192),
                        layers: try int(t, "num_hidden_layers", 12, max: 128), heads: try int(t, "num_attention_heads", 8, max: 256),
                        mlpWidth: try int(t, "intermediate_size", 2048, max: 32768), contextLength: try int(t, "max_position_embeddings", 77, max: 4096),
                        layerNormEps: try eps(t), activation: try act(t))
        guard vision.width % vision.heads == 0, text.width % text.heads == 0, vision.imageSize % vision.patchSize == 0 else {
            throw CLIPError.badConfig(path: path, reason: "widths must divide by heads and the image size by the patch size")
        }
        guard text.contextLength >= 2 else { throw CLIPError.badConfig(path: path, reason: "max_position_embeddings must hold at least start and end tokens") }
        self.init(vision: vision, text: text, projectionDim: try int(json, "projection_dim", 512, max: 8192))
    }
}

/// A JSON number from `JSONSerialization`, refusing booleans (which it also hands out as NSNumber).
func jsonNumber(_ value: Any) -> Double? {
    guard let n = value as? NSNumber else { return nil }
    let type = String(cString: n.objCType)
    return type == "c" || type == "B" ? nil : n.doubleValue
}

extension CLIPConfig {
    /// The configuration as a Hugging Face `CLIPModel` config.json, with every key that
    /// `init(huggingFaceConfig:)` reads.
    public func huggingFaceJSON() throws -> Data {
        func act(_ a: Activation) -> String {
            switch a { case .gelu: return "gelu"; case .geluTanh: return "gelu_pytorch_tanh"; default: return "quick_gelu" }
        }
        let object: [String: Any] = [
            "architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": projectionDim,
            "vision_config": ["hidden_size": vision.width, "num_hidden_layers": vision.layers, "num_attention_heads": vision.heads,
                              "intermediate_size": vision.mlpWidth, "patch_size": vision.patchSize, "image_size": vision.imageSize,
                              "layer_norm_eps": Double(vision.layerNormEps), "hidden_act": act(vision.activation), "projection_dim": projectionDim],
            "text_config": ["vocab_size": text.vocabSize, "hidden_size": text.width, "num_hidden_layers": text.layers,
                            "num_attention_heads": text.heads, "intermediate_size": text.mlpWidth, "max_position_embeddings": text.contextLength,
                            "layer_norm_eps": Double(text.layerNormEps), "hidden_act": act(text.activation), "projection_dim": projectionDim,
                            "bos_token_id": 49406, "eos_token_id": 49407],
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }
}
