import CLIP
import TensorCore

/// The visual streams: RGB frames, face-parsing overlays and landmark renders (FINECLIPER.md §5.1).
public enum VisualStream: String, Codable, CaseIterable, Sendable {
    case video, parsing, landmarks
}

/// What the adaptive fusion weighs: the three visual streams and the description embedding.
public enum Modality: String, Codable, CodingKeyRepresentable, CaseIterable, Sendable {
    case video, parsing, landmarks, description
}

/// The paper's four models (Table 1): low = video + PN text (13 M), mid = + parsing and landmarks
/// (FineCLIPER*, 19 M), high = + fine-grained descriptions (FineCLIPER†, 14 M), all (FineCLIPER*†, 20 M).
public enum Variant: String, Codable, CaseIterable, Sendable {
    case low, mid, high, all

    public var streams: [VisualStream] { self == .low || self == .high ? [.video] : [.video, .parsing, .landmarks] }
    public var usesDescriptions: Bool { self == .high || self == .all }
    public var modalities: [Modality] { streams.map { Modality(rawValue: $0.rawValue)! } + (usesDescriptions ? [.description] : []) }
}

/// How a stream's per-frame embeddings become one clip embedding (§3.4).
public enum TemporalKind: String, Codable, Sendable { case transformer, meanPool }

/// How the class score is made from the positive and negative similarities (§4.1).
public enum ScoreFormulation: String, Codable, Sendable {
    /// logit_c = (cos(f, P_c) − cos(f, N_c)) / τ, one cross-entropy.
    case difference
    /// CE(cos(f, P)/τ, y) + CE(−cos(f, N)/τ, y); predictions still use the difference.
    case twoTerms
}

/// Every choice of the model, Codable so it is written into checkpoints and run logs. Values the
/// paper does not give ([UNK]/[INF] in FINECLIPER.md) take the stated defaults and can be switched
/// for ablations.
public struct FineCLIPERConfig: Codable, Equatable, Sendable {
    public struct Adapters: Codable, Equatable, Sendable {
        /// Bottleneck width as a fraction of the block width (AIM: 0.25).
        public var ratio: Float = 0.25
        /// Scale s of the parallel adapter beside the MLP (Table 9: 0.5).
        public var scale: Float = 0.5
        /// Drop-path rate on adapter branches in training (AIM uses 0.1–0.2).
        public var dropPath: Float = 0.1
        /// Vision layers with adapters in the video stream; nil = every layer.
        public var videoLayers: [Int]? = nil
        /// Vision layers with adapters in the parsing and landmark streams; nil = the last four.
        public var middleLayers: [Int]? = nil
        /// Text layers with the positive and negative adapters; nil = every layer.
        public var labelLayers: [Int]? = nil
        /// Text layers with the description adapter (one serial adapter each); nil = the last eight.
        public var descriptionLayers: [Int]? = nil
        /// Parsing and landmarks share one adapter set.
        public var shareMiddle = false
        /// Every visual stream uses the video stream's adapters.
        public var shareAllVisual = false
        /// Visual adapters off: the frozen CLIP's frame embeddings feed the temporal models (the
        /// trainer's cached mode computes them once).
        public var visualAdaptersOff = false
        /// The negative prompts use the positive adapters (Table 6's "pos" row).
        public var positiveOnly = false

        public init() {}
    }

    public struct Temporal: Codable, Equatable, Sendable {
        public var kind: TemporalKind = .transformer
        public var layers = 1
        public var heads = 8
        public var headWidth = 64
        public var mlpWidth = 1024
        /// Frames the positional embedding covers (DFER-CLIP: 16).
        public var maxFrames = 16

        public init() {}
    }

    public var clip: CLIPConfig
    public var variant: Variant
    /// Class nouns put into the prompts, in label order.
    public var classNames: [String]
    public var positiveTemplate = "A person with an expression of {label}"
    /// Table 7: "no" beats "less".
    public var negativeWord = "no"
    public var adapters = Adapters()
    public var temporal = Temporal()
    /// Learned softmax weights over the modalities (equal at start), or fixed ones.
    public var adaptiveFusion = true
    /// Fixed fusion: the video weight (Fig. 4: 0.5 is best); the others share the rest equally.
    public var fixedVideoWeight: Float = 0.5
    public var score = ScoreFormulation.difference
    /// τ of the class logits (DFER-CLIP and CLIPER: 0.01).
    public var temperature: Float = 0.01
    /// λ of the video ↔ description InfoNCE term, and its temperature.
    public var contrastiveWeight: Float = 1
    public var contrastiveTemperature: Float = 0.01
    /// Modality dropout in training: each clip loses each modality from the fusion with this
    /// probability r (never all of them: a clip that would keeps every one, so each goes with
    /// r − rᵐ), so every stream must score the clip by itself and the fused score does not hang on
    /// one of them. nil (the default, not written) = none.
    public var modalityDropout: Float? = nil
    /// What the landmark stream reads (`LandmarkInput`); nil (the default, not written) = the
    /// paper's drawing through the frozen CLIP.
    public var landmarkInput: LandmarkInput? = nil
    /// Width of the point encoder's hidden layer (landmark input `points`).
    public static let pointHidden = 256

    /// The landmark stream reads points (and has no vision adapters).
    public var readsLandmarkPoints: Bool { landmarkInput == .points && variant.streams.contains(.landmarks) }

    public init(clip: CLIPConfig, variant: Variant, classNames: [String]) {
        self.clip = clip
        self.variant = variant
        self.classNames = classNames
        if clip.projectionDim < 64 {
            // Small backbones get a temporal model of their own size.
            temporal.heads = 2
            temporal.headWidth = max(4, clip.projectionDim / 2)
            temporal.mlpWidth = 2 * clip.projectionDim
        }
    }

    /// DFER-CLIP's class nouns without the trailing period (§4.1): 7 classes, or MAFW's 11.
    public static let sevenClassNouns = ["happiness", "sadness", "neutral", "anger", "surprise", "disgust", "fear"]
    public static let elevenClassNouns = sevenClassNouns + ["contempt", "anxiety", "helplessness", "disappointment"]

    public func positivePrompt(_ label: String) -> String { positiveTemplate.replacingOccurrences(of: "{label}", with: label) }
    public func negativePrompt(_ label: String) -> String { positiveTemplate.replacingOccurrences(of: "{label}", with: negativeWord + " " + label) }

    func layers(_ chosen: [Int]?, of count: Int, default fallback: [Int]) -> [Int] {
        (chosen ?? fallback).filter { $0 >= 0 && $0 < count }
    }

    var videoLayers: [Int] { layers(adapters.videoLayers, of: clip.vision.layers, default: Array(0..<clip.vision.layers)) }
    var middleLayers: [Int] { layers(adapters.middleLayers, of: clip.vision.layers, default: Array(max(0, clip.vision.layers - 4)..<clip.vision.layers)) }
    var labelLayers: [Int] { layers(adapters.labelLayers, of: clip.text.layers, default: Array(0..<clip.text.layers)) }
    var descriptionLayers: [Int] { layers(adapters.descriptionLayers, of: clip.text.layers, default: Array(max(0, clip.text.layers - 8)..<clip.text.layers)) }

    /// Problems that make the configuration unusable, or nil.
    public func validate() -> String? {
        if classNames.count < 2 { return "at least two classes are needed" }
        if !(adapters.ratio > 0 && adapters.ratio <= 4) { return "adapter ratio must be in (0, 4]" }
        if !(adapters.dropPath >= 0 && adapters.dropPath < 1) { return "drop-path rate must be in [0, 1)" }
        if !(temperature > 0) || !(contrastiveTemperature > 0) { return "temperatures must be positive" }
        if temporal.kind == .transformer && (temporal.layers < 1 || temporal.heads < 1 || temporal.headWidth < 1 || temporal.maxFrames < 1) {
            return "the temporal transformer needs at least one layer, head and frame"
        }
        if !adaptiveFusion && !(fixedVideoWeight > 0 && fixedVideoWeight <= 1) { return "the fixed video weight must be in (0, 1]" }
        if let r = modalityDropout, !(r >= 0 && r < 1) { return "modality dropout must be in [0, 1)" }
        if (modalityDropout ?? 0) > 0 && !adaptiveFusion && fixedVideoWeight == 1 {
            return "modality dropout needs every modality in the fusion (a fixed video weight below 1)"
        }
        if landmarkInput == .points && !variant.streams.contains(.landmarks) {
            return "landmark points need a variant with the landmark stream (mid or all)"
        }
        return nil
    }
}
