/// What one forward pass says about each clip, as plain values a front end can show: class
/// probabilities, the positive and negative prompt similarities behind them, each modality's own
/// margins, the fusion weights, and per-frame class probabilities for live display.
public struct ModelOutput: Sendable, Codable, Equatable {
    public var classNames: [String]
    /// [clip][class]: (cos(f, P_c) − cos(f, N_c)) / τ.
    public var logits: [[Float]]
    public var probabilities: [[Float]]
    /// [clip][class] cos(f, P_c) and cos(f, N_c) of the fused embedding f.
    public var positiveCosine: [[Float]]
    public var negativeCosine: [[Float]]
    /// [modality][clip][class] cos(e_m, P_c) − cos(e_m, N_c) of each modality's own embedding.
    public var modalityMargins: [Modality: [[Float]]]
    /// Softmax fusion weights per modality (the same for every clip).
    public var fusionWeights: [Modality: Float]
    /// [clip][frame][class]: each video frame's embedding scored like the fused one.
    public var frameProbabilities: [[[Float]]]
    /// [clip][frame][class]: the model on a causal window of frames ending at each frame (every
    /// stream's temporal model, the same fusion), when asked for; empty otherwise.
    public var windowProbabilities: [[[Float]]] = []
    /// Mean loss of the batch when labels were given.
    public var loss: Float?

    /// cos(f, P_c) − cos(f, N_c).
    public var margins: [[Float]] { zip(positiveCosine, negativeCosine).map { zip($0, $1).map { $0 - $1 } } }

    /// The most probable class of each clip.
    public var predictions: [Int] { probabilities.map { row in row.indices.max { row[$0] < row[$1] } ?? 0 } }

    /// The output of clip `i` of a batch alone (no loss: it is the batch's).
    public func clip(_ i: Int) -> ModelOutput {
        var o = self
        o.logits = [logits[i]]; o.probabilities = [probabilities[i]]
        o.positiveCosine = [positiveCosine[i]]; o.negativeCosine = [negativeCosine[i]]
        o.modalityMargins = modalityMargins.mapValues { [$0[i]] }
        o.frameProbabilities = frameProbabilities.isEmpty ? [] : [frameProbabilities[i]]
        o.windowProbabilities = windowProbabilities.isEmpty ? [] : [windowProbabilities[i]]
        o.loss = nil
        return o
    }
}
