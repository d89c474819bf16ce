import CLIP
import Foundation
import TensorCore

/// FineCLIPER (FINECLIPER.md §5.3): a frozen CLIP shared by every stream and prompt kind, with
///   - AIM adapters in the vision tower per visual stream (video, parsing, landmarks),
///   - a temporal model per stream turning frame embeddings into a clip embedding,
///   - positive and negative adapters in the text tower for the PN prompts of each class,
///   - a description adapter in the text tower for the clip's fine-grained description,
///   - adaptive fusion of the modality embeddings, and
///   - logits (cos(f, P_c) − cos(f, N_c)) / τ, loss CE + λ·InfoNCE(video, description).
/// Only the adapters, temporal models and fusion weights train; CLIP's weights never get a gradient.
public final class FineCLIPERModel: Module, @unchecked Sendable {
    public let config: FineCLIPERConfig
    public let clip: CLIPModel
    public let videoAdapters: AdapterSet?
    public let parsingAdapters: AdapterSet?
    public let landmarkAdapters: AdapterSet?
    public let positiveAdapters: AdapterSet
    public let negativeAdapters: AdapterSet?
    public let descriptionAdapters: AdapterSet?
    public let videoTemporal: TemporalTransformer?
    public let parsingTemporal: TemporalTransformer?
    public let landmarkTemporal: TemporalTransformer?
    /// The landmark stream's encoder when it reads points instead of images.
    public let landmarkPoints: PointEncoder?
    /// Learnable fusion logits, one per modality of the variant (softmax → weights).
    public let fusionLogits: Parameter?

    /// Builds the model around `clip` (whose weights are frozen here). Trainable parts start at
    /// zero; call `initialize(seed:)` for the training start or fill them from a checkpoint.
    public init(config: FineCLIPERConfig, clip: CLIPModel) throws {
        if let problem = config.validate() { throw ModelError.badConfig(problem) }
        guard config.clip == clip.config else { throw ModelError.badConfig("the configuration's CLIP sizes differ from the loaded CLIP's") }
        self.config = config
        self.clip = clip
        clip.setTrainable(false)
        let root = ParameterPath()
        let a = config.adapters, v = config.clip.vision, txt = config.clip.text
        let streams = config.variant.streams
        func visual(_ name: String, _ layers: [Int]) -> AdapterSet {
            AdapterSet(root("adapters")(name), depth: v.layers, layers: layers, width: v.width, ratio: a.ratio, scale: a.scale)
        }
        var landmarks: AdapterSet? = nil
        if a.visualAdaptersOff {
            videoAdapters = nil; parsingAdapters = nil
        } else {
            let video = visual("video", config.videoLayers)
            videoAdapters = video
            if !streams.contains(.parsing) {
                parsingAdapters = nil
            } else if a.shareAllVisual {
                parsingAdapters = video; landmarks = video
            } else if a.shareMiddle {
                let middle = visual("middle", config.middleLayers)
                parsingAdapters = middle; landmarks = middle
            } else {
                parsingAdapters = visual("parsing", config.middleLayers)
                landmarks = visual("landmarks", config.middleLayers)
            }
        }
        // A landmark stream that reads points has no images to adapt.
        landmarkAdapters = config.readsLandmarkPoints ? nil : landmarks
        func text(_ name: String, _ layers: [Int], parallel: Bool) -> AdapterSet {
            AdapterSet(root("adapters")(name), depth: txt.layers, layers: layers, width: txt.width, ratio: a.ratio, scale: a.scale, parallel: parallel)
        }
        positiveAdapters = text("positive", config.labelLayers, parallel: true)
        negativeAdapters = a.positiveOnly ? nil : text("negative", config.labelLayers, parallel: true)
        descriptionAdapters = config.variant.usesDescriptions ? text("description", config.descriptionLayers, parallel: false) : nil
        func temporal(_ s: VisualStream) -> TemporalTransformer? {
            guard streams.contains(s), config.temporal.kind == .transformer else { return nil }
            return TemporalTransformer(root("temporal")(s.rawValue), width: config.clip.projectionDim, config: config.temporal)
        }
        videoTemporal = temporal(.video)
        parsingTemporal = temporal(.parsing)
        landmarkTemporal = temporal(.landmarks)
        landmarkPoints = config.readsLandmarkPoints
            ? PointEncoder(root("landmark_points"), hidden: FineCLIPERConfig.pointHidden, out: config.clip.projectionDim) : nil
        let m = config.variant.modalities.count
        fusionLogits = config.adaptiveFusion && m > 1 ? root.parameter("fusion.logits", [m], trainable: true) : nil
    }

    /// The training start: AIM adapters (fc2 zero, so the adapted CLIP equals CLIP), DFER-CLIP's
    /// temporal initialisation, equal fusion weights.
    public func initialize(seed: UInt64) {
        for set in [videoAdapters, parsingAdapters, landmarkAdapters, positiveAdapters, negativeAdapters, descriptionAdapters] {
            set?.initialize(seed: seed)
        }
        for t in [videoTemporal, parsingTemporal, landmarkTemporal] { t?.initialize(seed: seed) }
        landmarkPoints?.initialize(seed: seed)
        if let fusionLogits { fusionLogits.value = Tensor(zeros: fusionLogits.shape) }
    }

    /// Fills every trainable parameter from `DeterministicParameters` by name (layer-norm weights
    /// 1 ± 0.1, biases ±0.02, class tokens, positions and fusion logits ±0.5, other weights
    /// ±1/√fan_in): the rule the PyTorch twin (Tests/Reference/fineclip_twin.py) shares, for
    /// parity tests and benchmarks without weight files.
    public func fillDeterministic(seed: UInt64 = 0) {
        for p in trainableParameters {
            let (scale, offset): (Float, Float)
            if p.name.hasSuffix("norm.weight") { (scale, offset) = (0.1, 1) }
            else if p.name.hasSuffix(".bias") { (scale, offset) = (0.02, 0) }
            else if p.name.hasSuffix("cls_token") || p.name.hasSuffix("pos_embedding") || p.name == "fusion.logits" { (scale, offset) = (0.5, 0) }
            else { (scale, offset) = (1 / Float(p.shape[1]).squareRoot(), 0) }
            p.value = DeterministicParameters.tensor(p.name, p.shape, scale: scale, offset: offset, seed: seed)
        }
    }

    /// The names of the visual streams' adapter parameters (none with the visual adapters off).
    public var visualAdapterNames: Set<String> {
        Set([videoAdapters, parsingAdapters, landmarkAdapters].compactMap { $0 }.flatMap { $0.parameters.map(\.name) })
    }

    func adapters(_ s: VisualStream) -> AdapterSet? {
        switch s {
        case .video: return videoAdapters
        case .parsing: return parsingAdapters
        case .landmarks: return landmarkAdapters
        }
    }

    func temporal(_ s: VisualStream) -> TemporalTransformer? {
        switch s {
        case .video: return videoTemporal
        case .parsing: return parsingTemporal
        case .landmarks: return landmarkTemporal
        }
    }

    /// Parameter groups for reports and optimizers, in a fixed order; a set shared by several
    /// streams appears once.
    public var parameterGroups: [(name: String, parameters: [Parameter])] {
        var groups: [(String, [Parameter])] = []
        var seen = Set<ObjectIdentifier>()
        func add(_ name: String, _ m: (any Module)?) {
            guard let m else { return }
            let fresh = m.parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
            if !fresh.isEmpty { groups.append((name, fresh)) }
        }
        add("video adapters", videoAdapters)
        add("parsing adapters", parsingAdapters)
        add("landmark adapters", landmarkAdapters)
        add("positive adapters", positiveAdapters)
        add("negative adapters", negativeAdapters)
        add("description adapters", descriptionAdapters)
        add("video temporal", videoTemporal)
        add("parsing temporal", parsingTemporal)
        add("landmark temporal", landmarkTemporal)
        add("landmark points", landmarkPoints)
        if let fusionLogits { groups.append(("fusion", [fusionLogits])) }
        return groups
    }

    /// The optimizer's parameter groups of DFER-CLIP's recipe (FINECLIPER.md §6): every adapter at
    /// one rate, the temporal models at another, the fusion weights at a third, all with the same
    /// weight decay. The trainer builds its optimizer from these; the twin's recipe test too.
    public func optimizerGroups(adapterRate: Float, temporalRate: Float, fusionRate: Float, weightDecay: Float) -> [ParameterGroup] {
        let named = parameterGroups
        var groups: [ParameterGroup] = []
        func group(_ name: String, _ filter: (String) -> Bool, rate: Float) {
            let ps = named.filter { filter($0.name) }.flatMap(\.parameters)
            if !ps.isEmpty { groups.append(ParameterGroup(name: name, ps, learningRate: rate, weightDecay: weightDecay)) }
        }
        group("adapters", { $0.hasSuffix("adapters") }, rate: adapterRate)
        // The point encoder starts from scratch like the temporal models, at their rate.
        group("temporal", { $0.hasSuffix("temporal") || $0 == "landmark points" }, rate: temporalRate)
        group("fusion", { $0 == "fusion" }, rate: fusionRate)
        return groups
    }

    // MARK: Forward

    /// A recorded forward pass: the logits and loss as tape variables (for backward) and the plain
    /// values a front end shows.
    public struct Pass {
        public let logits: Variable
        public let loss: Variable?
        public internal(set) var output: ModelOutput
    }

    /// One pass over `batch`. With `recompute` on, the vision blocks keep only their inputs for
    /// backward (and, within its budget for the whole pass, their products) and run again there
    /// (gradient checkpointing: a ViT-B/16 step fits in a few GB).
    /// `windowFrames` > 0 adds live per-frame scores over a causal window of that many frames.
    /// With `shard`, the batch is one process's part of a larger one: `loss` is then this part's
    /// term of the whole batch's objective (for backward), and the reported loss its share of the
    /// whole batch's mean.
    /// `encoded` are the class prompts' embeddings when they were encoded once for several passes
    /// (one per clip, `encodePrompts`); otherwise this pass encodes `prompts` itself.
    public func forward(_ batch: ClipBatch, prompts: ClassPrompts, tape t: Tape = Tape(recording: false), mode: ForwardMode = .eval,
                        recompute: Recomputation = .off, windowFrames: Int = 0, shard: BatchShard? = nil,
                        encoded: EncodedPrompts? = nil) throws -> Pass {
        let b = batch.clips, frames = batch.frames, p = config.clip.projectionDim, c = config.classNames.count
        guard b > 0, frames > 0 else { throw ModelError.badInput("a batch needs at least one clip of at least one frame") }
        if let labels = batch.labels, labels.count != b || !labels.allSatisfy({ (0..<c).contains($0) }) {
            throw ModelError.badInput("labels must be \(b) class indices in 0…\(c - 1)")
        }
        let dropPath = self.dropPath(mode)
        // Per-clip sites (streams, descriptions) number their rows as in the whole batch; prompts are the same everywhere.
        let clipDropPath: DropPath?
        if case let .train(_, first) = mode { clipDropPath = dropPath?.forClips(first: first, of: b) } else { clipDropPath = nil }

        var embeddings: [(Modality, Variable)] = []
        var videoFrames: Tensor? = nil
        var streamFrames: [(VisualStream, Tensor)] = []
        var budget = recompute  // streams take what they keep of it in turn
        for s in config.variant.streams {
            guard let input = batch.streams[s] else { throw ModelError.badInput("the \(config.variant.rawValue) variant needs the \(s.rawValue) stream") }
            let perFrame: Variable
            if s == .landmarks, config.readsLandmarkPoints != input.isPoints {
                throw ModelError.badInput(config.readsLandmarkPoints ? "this model's landmark stream reads points, not images or features"
                                                                     : "landmark points need a model whose landmark input is points")
            }
            switch input {
            case let .points(points):
                guard let encoder = landmarkPoints else { throw ModelError.badInput("only the landmark stream reads points") }
                guard points.shape == [b, frames, LandmarkPoints.width] else {
                    throw ModelError.badInput("landmark points are \(points.shape), expected [\(b), \(frames), \(LandmarkPoints.width)]")
                }
                perFrame = encoder(t.constant(points), tape: t)
            case let .images(images):
                let size = config.clip.vision.imageSize
                guard images.shape == [b * frames, 3, size, size] else {
                    throw ModelError.badInput("\(s.rawValue) images are \(images.shape), expected [\(b * frames), 3, \(size), \(size)]")
                }
                let adapters = self.adapters(s)?.blockAdapters(dropPath: clipDropPath, call: s.rawValue) ?? [:]
                perFrame = t.reshape(clip.encodeImages(images, tape: t, adapters: adapters, recompute: budget), [b, frames, p])
                budget = budget.spending(clip.vision.keptBytes(images: b * frames, adapters: adapters, recompute: budget))
            case let .features(features):
                guard self.adapters(s) == nil else {
                    throw ModelError.badInput("cached \(s.rawValue) features need the visual adapters off (they change the frame embeddings)")
                }
                guard features.shape == [b, frames, p] else {
                    throw ModelError.badInput("\(s.rawValue) features are \(features.shape), expected [\(b), \(frames), \(p)]")
                }
                perFrame = t.constant(features)
            }
            if s == .video { videoFrames = perFrame.value }
            streamFrames.append((s, perFrame.value))
            let pooled: Variable
            if let temporal = temporal(s) {
                guard frames <= temporal.maxFrames else { throw ModelError.badInput("\(frames) frames per clip, the temporal model takes at most \(temporal.maxFrames)") }
                pooled = temporal(perFrame, tape: t)
            } else {
                pooled = t.mean(perFrame, axis: 1)
            }
            embeddings.append((Modality(rawValue: s.rawValue)!, t.l2Normalize(pooled)))
        }
        if config.variant.usesDescriptions {
            guard batch.descriptions.count == b, batch.descriptions.allSatisfy({ !$0.isEmpty && $0.count <= config.clip.text.contextLength }) else {
                throw ModelError.badInput("the \(config.variant.rawValue) variant needs one description of 1…\(config.clip.text.contextLength) tokens per clip")
            }
            let adapters = descriptionAdapters?.blockAdapters(dropPath: clipDropPath, call: "description") ?? [:]
            embeddings.append((.description, t.l2Normalize(clip.encodeTexts(batch.descriptions, tape: t, adapters: adapters))))
        }
        try checkTokens(batch.descriptions)
        let (positive, negative) = try encoded.map { ($0.positive, $0.negative) } ?? {
            let e = try encodePrompts(prompts, tape: t, mode: mode)
            return (e.positive, e.negative)
        }()
        guard positive.shape == [c, p], negative.shape == [c, p] else {
            throw ModelError.badInput("prompt embeddings are \(positive.shape) and \(negative.shape), expected [\(c), \(p)]")
        }

        // Fusion: f = normalise(Σ_m w_m e_m) as one product [B, P, M]·[M, 1].
        let m = embeddings.count
        let weights: Variable
        if let fusionLogits {
            weights = t.reshape(t.softmax(t.reshape(t.parameter(fusionLogits), [1, m])), [m, 1])
        } else {
            let others = m > 1 ? (1 - config.fixedVideoWeight) / Float(m - 1) : 0
            let fixed = embeddings.map { $0.0 == .video ? (m > 1 ? config.fixedVideoWeight : 1) : others }
            weights = t.constant(Tensor(shape: [m, 1], values: fixed))
        }
        var stacked = t.concat(embeddings.map { t.reshape($0.1, [b, p, 1]) }, axis: 2)
        if case let .train(seed, first) = mode, let rate = config.modalityDropout, rate > 0, m > 1 {
            stacked = t.multiply(stacked, t.constant(modalityMask(rate: rate, seed: seed, firstClip: first, clips: b,
                                                                   modalities: embeddings.map(\.0), width: p)))
        }
        let fused = t.l2Normalize(t.reshape(t.matmul(stacked, weights), [b, p]))

        let positiveCos = t.matmul(fused, positive, transposeB: true)
        let negativeCos = t.matmul(fused, negative, transposeB: true)
        let logits = t.scale(t.subtract(positiveCos, negativeCos), 1 / config.temperature)

        var loss: Variable? = nil
        var reported: Tensor? = nil
        if let labels = batch.labels {
            var l: Variable
            switch config.score {
            case .difference: l = t.crossEntropy(logits: logits, targets: labels)
            case .twoTerms:
                l = t.add(t.crossEntropy(logits: t.scale(positiveCos, 1 / config.temperature), targets: labels),
                          t.crossEntropy(logits: t.scale(negativeCos, -1 / config.temperature), targets: labels))
            }
            if let shard { l = t.scale(l, shard.weight) }
            var value = l.value.scalars[0]
            if config.variant.usesDescriptions, config.contrastiveWeight != 0,
               var video = embeddings.first(where: { $0.0 == .video })?.1, var text = embeddings.last(where: { $0.0 == .description })?.1 {
                if let shard { video = try wholeBatch(video, shard, tape: t); text = try wholeBatch(text, shard, tape: t) }
                let nce = t.scale(infoNCE(video, text, tape: t), config.contrastiveWeight)
                l = t.add(l, nce)
                value += nce.value.scalars[0] / Float(shard?.count ?? 1)
            }
            loss = l
            reported = Tensor(shape: [1], values: [value])
        }
        var pass = Pass(logits: logits, loss: loss, output: inspect(logits: logits.value, positive: positive.value, negative: negative.value, positiveCos: positiveCos.value,
                             negativeCos: negativeCos.value, embeddings: embeddings.map { ($0.0, $0.1.value) },
                             weights: weights.value, videoFrames: videoFrames, loss: reported))
        if windowFrames > 0 {
            pass.output.windowProbabilities = windowProbabilities(streamFrames, embeddings: embeddings.map { ($0.0, $0.1.value) },
                                                                  weights: weights.value, positive: positive.value, negative: negative.value,
                                                                  window: windowFrames)
        }
        return pass
    }

    /// The classes' positive and negative prompts through the text tower with their adapters,
    /// L2-normalised: the same for every clip of a batch.
    public func encodePrompts(_ prompts: ClassPrompts, tape t: Tape, mode: ForwardMode) throws -> EncodedPrompts {
        let c = config.classNames.count
        guard prompts.positive.count == c, prompts.negative.count == c else {
            throw ModelError.badInput("\(prompts.positive.count) positive and \(prompts.negative.count) negative prompts for \(c) classes")
        }
        try checkTokens(prompts.positive + prompts.negative)
        let dropPath = self.dropPath(mode)
        let positive = t.l2Normalize(clip.encodeTexts(prompts.positive, tape: t, adapters: positiveAdapters.blockAdapters(dropPath: dropPath, call: "positive")))
        let negative = t.l2Normalize(clip.encodeTexts(prompts.negative, tape: t,
                                                      adapters: (negativeAdapters ?? positiveAdapters).blockAdapters(dropPath: dropPath, call: "negative")))
        return EncodedPrompts(positive: positive, negative: negative)
    }

    /// Training draws drop-path masks from the step's seed; evaluation drops nothing.
    func dropPath(_ mode: ForwardMode) -> DropPath? {
        guard case let .train(seed, _) = mode, config.adapters.dropPath > 0 else { return nil }
        return DropPath(rate: config.adapters.dropPath, seed: seed)
    }

    func checkTokens(_ sequences: [[Int]]) throws {
        for ids in sequences where !ids.allSatisfy({ $0 >= 0 && $0 < config.clip.text.vocabSize }) {
            throw ModelError.badInput("a token id is outside the text tower's vocabulary of \(config.clip.text.vocabSize)")
        }
    }

    /// Symmetric InfoNCE over the batch: clip i's video embedding should match description i.
    /// The whole batch's rows of a per-clip embedding: the other shards' as constants, this shard's
    /// own variable in its place (so its gradient flows).
    func wholeBatch(_ x: Variable, _ shard: BatchShard, tape t: Tape) throws -> Variable {
        let (all, first) = try shard.gather(x.value)
        let rows = x.shape[0], total = all.shape[0]
        var parts: [Variable] = []
        if first > 0 { parts.append(t.constant(all.rows(0..<first))) }
        parts.append(x)
        if first + rows < total { parts.append(t.constant(all.rows((first + rows)..<total))) }
        return parts.count == 1 ? x : t.concat(parts, axis: 0)
    }

    func infoNCE(_ video: Variable, _ text: Variable, tape t: Tape) -> Variable {
        let b = video.shape[0], inv = 1 / config.contrastiveTemperature
        let targets = Array(0..<b)
        let v2t = t.crossEntropy(logits: t.scale(t.matmul(video, text, transposeB: true), inv), targets: targets)
        let t2v = t.crossEntropy(logits: t.scale(t.matmul(text, video, transposeB: true), inv), targets: targets)
        return t.scale(t.add(v2t, t2v), 0.5)
    }

    /// The plain values of a pass (no tape).
    func inspect(logits: Tensor, positive: Tensor, negative: Tensor, positiveCos: Tensor, negativeCos: Tensor,
                 embeddings: [(Modality, Tensor)], weights: Tensor, videoFrames: Tensor?, loss: Tensor?) -> ModelOutput {
        func rows(_ x: Tensor) -> [[Float]] { (0..<x.shape[0]).map { x.row($0).scalars } }
        var margins: [Modality: [[Float]]] = [:]
        for (modality, e) in embeddings {
            margins[modality] = rows(matmul(e, positive, transposeB: true) - matmul(e, negative, transposeB: true))
        }
        var fusion: [Modality: Float] = [:]
        for (i, (modality, _)) in embeddings.enumerated() { fusion[modality] = weights.scalars[i] }
        var frameProbabilities: [[[Float]]] = []
        if let videoFrames {
            let (b, frames, p) = (videoFrames.shape[0], videoFrames.shape[1], videoFrames.shape[2])
            let e = l2Normalize(videoFrames.reshaped([b * frames, p]))
            let scores = (matmul(e, positive, transposeB: true) - matmul(e, negative, transposeB: true)) * (1 / config.temperature)
            let probs = rows(softmax(scores))
            frameProbabilities = (0..<b).map { Array(probs[($0 * frames)..<(($0 + 1) * frames)]) }
        }
        return ModelOutput(classNames: config.classNames, logits: rows(logits), probabilities: rows(softmax(logits)),
                           positiveCosine: rows(positiveCos), negativeCosine: rows(negativeCos), modalityMargins: margins,
                           fusionWeights: fusion, frameProbabilities: frameProbabilities, loss: loss?.scalars.first)
    }
}
