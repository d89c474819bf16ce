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

    public static let presets: [String: CLIPConfig] = ["ViT-B/16": vitB16, "ViT-B/32": vitB32, "ViT-L/14": vitL14, "tiny": tiny]

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
        let v = json["vision_config"] as? [String: Any] ?? [:], t = json["text_config"] as? [String: Any] ?? [:]
        func int(_ d: [String: Any], _ key: String, _ fallback: Int) throws -> Int {
            guard let value = d[key] else { return fallback }
            guard let n = value as? Int, n > 0 else { throw CLIPError.badConfig(path: path, reason: "\(key) must be a positive integer") }
            return n
        }
        func act(_ d: [String: Any]) throws -> Activation {
            switch d["hidden_act"] as? String ?? "quick_gelu" {
            case "quick_gelu": return .quickGelu
            case "gelu": return .gelu
            case "gelu_new", "gelu_pytorch_tanh": return .geluTanh
            case let other: throw CLIPError.badConfig(path: path, reason: "unsupported hidden_act \(other)")
            }
        }
        let vision = Vision(width: try int(v, "hidden_size", 768), layers: try int(v, "num_hidden_layers", 12),
                            heads: try int(v, "num_attention_heads", 12), mlpWidth: try int(v, "intermediate_size", 3072),
                            patchSize: try int(v, "patch_size", 32), imageSize: try int(v, "image_size", 224),
                            layerNormEps: Float(v["layer_norm_eps"] as? Double ?? 1e-5), activation: try act(v))
        let text = Text(vocabSize: try int(t, "vocab_size", 49408), width: try int(t, "hidden_size", 512),
                        layers: try int(t, "num_hidden_layers", 12), heads: try int(t, "num_attention_heads", 8),
                        mlpWidth: try int(t, "intermediate_size", 2048), contextLength: try int(t, "max_position_embeddings", 77),
                        layerNormEps: Float(t["layer_norm_eps"] as? Double ?? 1e-5), activation: try act(t))
        guard vision.width % vision.heads == 0, text.width % text.heads == 0, vision.imageSize % vision.patchSize == 0 else {
            throw CLIPError.badConfig(path: path, reason: "widths must divide by heads and the image size by the patch size")
        }
        self.init(vision: vision, text: text, projectionDim: try int(json, "projection_dim", 512))
    }
}
