import CLIP
import Foundation

/// Everything that determines a contrastive pretraining run (saved with its checkpoints).
public struct PretrainConfig: Codable, Equatable, Sendable {
    /// A CLIP preset (`small`, `tiny`, …) trained from scratch (with `initFrom`, that folder's
    /// configuration instead).
    public var clip = "small"
    public var steps = 3000
    /// Image/text pairs per step.
    public var batch = 128
    /// AdamW's peak rate, reached after `warmup` steps, then cosine-annealed to 0 at `steps`.
    public var learningRate: Float = 1e-3
    /// The text tower's rate as a fraction of `learningRate`.
    public var textRateFactor: Float = 0.1
    public var warmup = 200
    /// Decoupled weight decay of matrices (biases, norms, embeddings and the logit scale are not decayed).
    public var weightDecay: Float = 0.1
    public var maxGradientNorm: Float = 1
    public var seed: UInt64 = 1
    /// Probe pairs (identities never used in training) classified zero-shot every `probeEvery` steps.
    public var probePairs = 350
    public var probeEvery = 250
    public var checkpointEvery = 50
    /// Share of pairs drawn from clips rendered from real face photos (nil: none).
    public var realFaces: Double?
    /// Those faces keep their own proportions (`synth --photo-shapes`); nil: warped to drawn ones.
    public var photoShapes: Bool?
    /// The real faces' names (`FaceTexture.name`, in order), recorded by the pretrainer from the
    /// textures it is given: a run says which photos it saw, and resumes only with the same ones.
    public var textures: [String]?
    /// A CLIP folder whose weights start the run instead of a fresh initialisation (continuing a
    /// pretraining on new pairs).
    public var initFrom: String?

    public init() {}

    public var clipConfig: CLIPConfig? { CLIPConfig.presets[clip] }

    /// The first problem with the values, or nil.
    public func validate() -> String? {
        if clipConfig == nil { return "unknown CLIP preset \(clip) (one of \(CLIPConfig.presets.keys.sorted().joined(separator: ", ")))" }
        if steps < 1 || batch < 2 { return "steps must be at least 1 and batch at least 2" }
        if !(learningRate > 0) || !(textRateFactor >= 0) || weightDecay < 0 || !(maxGradientNorm > 0) { return "learning rate and gradient bound must be positive, weight decay not negative" }
        if warmup < 0 || probePairs < 0 || probeEvery < 1 || checkpointEvery < 1 { return "warmup, probe and checkpoint counts must be positive" }
        if let r = realFaces, !(0...1).contains(r) { return "the share of real faces must be between 0 and 1" }
        return nil
    }
}

/// Where a pretraining run stands; saved in each checkpoint's metadata.
public struct PretrainState: Codable, Equatable, Sendable {
    public var step = 0
    public var lossMean: Double?
    public var bestProbeUAR: Double?

    public init() {}
}
