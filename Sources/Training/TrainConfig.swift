import FineCLIPER
import Foundation

/// Everything a run depends on, Codable: saved in the run folder, in every checkpoint's metadata
/// and in the first event, so a run can be repeated or resumed exactly. Defaults follow DFER-CLIP's
/// recipe (FINECLIPER.md §6.2) with the adapters at the new-module rate of §6.1.
public struct TrainConfig: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, Sendable {
        /// Adapters inside the frozen ViT, backward through it (the paper's method).
        case full
        /// Frozen per-frame CLIP embeddings from the feature cache; visual adapters off.
        case cached
    }

    public enum OptimizerKind: String, Codable, Sendable { case sgd, adamw }

    /// How the reported model is chosen.
    public enum Selection: String, Codable, Sendable {
        /// Best validation UAR on a stratified split carved from train (default; the test split is
        /// only evaluated at the end).
        case validation
        /// DFER-CLIP's: the best epoch on the test split (test doubles as validation).
        case test
    }

    public var data: String
    public var format: String?
    public var fold: Int?
    /// A Hugging Face CLIP folder, "embedded" or "tiny" (deterministic tiny CLIP, for tests).
    public var model: String
    public var variant: Variant = .all
    public var mode: Mode = .full
    public var epochs = 50
    public var batch = 48
    public var frames = 16
    public var seed: UInt64 = 1
    public var optimizer: OptimizerKind = .sgd
    public var momentum: Float = 0.9
    public var weightDecay: Float = 1e-4
    /// Learning rates: adapters (visual and text), temporal models, fusion weights.
    public var adapterRate: Float = 1e-3
    public var temporalRate: Float = 1e-2
    public var fusionRate: Float = 1e-2
    /// MultiStepLR: epochs after which every rate is multiplied by `gamma`.
    public var milestones = [30, 40]
    public var gamma: Float = 0.1
    public var selection: Selection = .validation
    /// A model checkpoint whose weights start the run instead of the initialisation (fine-tuning,
    /// e.g. full mode from a cached-mode run: the visual adapters it lacks start as the identity).
    public var initialWeights: String?
    /// Modality dropout: the probability that a training clip loses each modality from the fusion
    /// (FineCLIPERConfig.modalityDropout); nil = none.
    public var modalityDropout: Float?
    /// What the landmark stream reads (FineCLIPERConfig.landmarkInput); nil = the drawing.
    public var landmarkInput: LandmarkInput?
    /// Variation of the landmark points' rows in training (`PointAugmentation`; with points
    /// only, and only where `augment` is on); nil = none.
    public var pointAugmentation: PointAugmentation?
    /// The decay per step of an exponential moving average of the weights (`WeightAverage`;
    /// e.g. 0.998, a memory of about 500 steps); validation scores the average and the best
    /// checkpoint holds it. nil = none: the weights as they are after the epoch.
    public var weightAverage: Double?
    /// Fraction of each training class held out for validation (selection = validation).
    public var validationFraction = 0.1
    /// The seed that carves the validation split; nil = `seed`. Set, it keeps the split, and so
    /// the validation UARs, the same across runs of different seeds.
    public var validationSeed: UInt64?
    public var augment = true
    /// CLIP's mean/std normalisation of the pixels (DFER-CLIP feeds [0, 1] pixels: off).
    public var normalize = false
    /// Recompute vision blocks in backward (full mode): memory for time.
    public var recompute = true
    /// A loss this many times the running mean raises a loss-spike alert.
    public var spikeFactor = 5.0

    public init(data: String, model: String) {
        self.data = data
        self.model = model
    }

    /// A problem that makes the configuration unusable, or nil.
    public func validate() -> String? {
        if epochs < 1 || epochs > 100_000 { return "epochs must be 1…100000" }
        if batch < 1 || batch > 4096 { return "batch must be 1…4096" }
        if frames < 1 || frames > 64 { return "frames must be 1…64" }
        if !(validationFraction > 0 && validationFraction < 1) { return "validation fraction must be in (0, 1)" }
        for r in [adapterRate, temporalRate, fusionRate] where !(r > 0 && r < 10) { return "learning rates must be in (0, 10)" }
        if !(weightDecay >= 0) || !(momentum >= 0 && momentum < 1) { return "weight decay must be ≥ 0 and momentum in [0, 1)" }
        if milestones.contains(where: { $0 < 1 }) { return "milestones are epochs ≥ 1" }
        if let r = modalityDropout, !(r >= 0 && r < 1) { return "modality dropout must be in [0, 1)" }
        if let d = weightAverage, !(d > 0 && d < 1) { return "the weights' average decay must be in (0, 1)" }
        if landmarkInput == .points && !variant.streams.contains(.landmarks) {
            return "landmark points need a variant with the landmark stream (mid or all)"
        }
        if let a = pointAugmentation {
            if landmarkInput != .points { return "point augmentation needs the landmark stream to read points" }
            if let problem = a.validate() { return problem }
        }
        return nil
    }
}
