import FineCLIPER
import Training

/// What the model says about one clip, as plain values a front end draws: clip-level class
/// probabilities, the positive and negative prompt cosines behind them, each modality's margins,
/// the fusion weights, per-frame probabilities (raw and over a causal window), the prompt texts and
/// the phrases the frozen CLIP finds.
public struct ClipScores: Sendable, Equatable {
    public struct Phrase: Sendable, Equatable {
        public var text: String
        public var score: Float
    }

    public var classes: [String]
    public var probabilities: [Float]
    public var positiveCosine: [Float]
    public var negativeCosine: [Float]
    /// Per modality (video, parsing, landmarks, description): cos(e_m, P_c) − cos(e_m, N_c).
    public var modalityMargins: [(name: String, margins: [Float])]
    public var fusionWeights: [(name: String, weight: Float)]
    /// Clip frames the model sampled, in order, and each one's class probabilities: from its own
    /// embedding (raw) and from the causal window of frames ending at it (smoothed).
    public var sampledFrames: [Int]
    public var frameProbabilities: [[Float]]
    public var windowProbabilities: [[Float]]
    public var positivePrompts: [String]
    public var negativePrompts: [String]
    public var phrases: [Phrase]
    /// The clip's description as the model read it (the motion describer's, from the tracked face).
    public var description: String
    /// Frames of the clip the scores were computed from (they grow while the clip is tracked).
    public var framesScored: Int

    public var margins: [Float] { zip(positiveCosine, negativeCosine).map { $0 - $1 } }
    public var prediction: Int { probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0 }

    /// The sampled frame that stands for clip frame `frame`: the last one at or before it.
    public func sample(at frame: Int) -> Int? {
        sampledFrames.lastIndex { $0 <= frame } ?? (sampledFrames.isEmpty ? nil : 0)
    }

    public static func == (a: ClipScores, b: ClipScores) -> Bool {
        a.classes == b.classes && a.probabilities == b.probabilities && a.sampledFrames == b.sampledFrames
            && a.framesScored == b.framesScored && a.windowProbabilities == b.windowProbabilities
    }

    init(output o: ModelOutput, sampled: [Int], prompts: ClassPrompts, phrases: [(phrase: String, score: Float)], description: String, framesScored: Int) {
        classes = o.classNames
        probabilities = o.probabilities[0]
        positiveCosine = o.positiveCosine[0]
        negativeCosine = o.negativeCosine[0]
        let order = Modality.allCases
        modalityMargins = order.compactMap { m in o.modalityMargins[m].map { (m.rawValue, $0[0]) } }
        fusionWeights = order.compactMap { m in o.fusionWeights[m].map { (m.rawValue, $0) } }
        sampledFrames = sampled
        frameProbabilities = o.frameProbabilities.first ?? []
        windowProbabilities = o.windowProbabilities.first ?? []
        positivePrompts = prompts.positiveTexts
        negativePrompts = prompts.negativeTexts
        self.phrases = phrases.map { Phrase(text: $0.phrase, score: $0.score) }
        self.description = description
        self.framesScored = framesScored
    }
}
