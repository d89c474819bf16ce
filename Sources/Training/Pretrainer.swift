import CLIP
import Datasets
import Foundation
import Media
import TensorCore

/// Progress of a pretraining run, for a progress bar.
public struct PretrainProgress: Sendable {
    public var step: Int
    public var steps: Int
    public var loss: Double
    public var pairsPerSecond: Double
    public var probeUAR: Double?
}

/// CLIP-style contrastive pretraining of both towers from scratch on synthetic image/text pairs
/// (`PretrainPairs`): InfoNCE in both directions over the batch with a learnable temperature,
/// AdamW with warm-up and cosine decay. A run folder holds `events.jsonl`,
/// `checkpoints/last.safetensors` (weights, optimizer state, configuration and state in the
/// metadata; resumes exactly, since every pair is a function of (seed, index)) and, at the end,
/// `clip/`: a Hugging Face CLIP folder that `--model` accepts anywhere.
public final class Pretrainer {
    public let config: PretrainConfig
    public let folder: String
    public let clip: CLIPModel
    public let tokenizer: BPETokenizer
    public private(set) var state = PretrainState()
    let optimizer: AdamW
    let schedule: LRSchedule
    let events: EventLog
    let lock: RunLock
    /// The probe's images and labels (built once; the class prompts are encoded at each probe).
    lazy var probe: [PretrainPair] = (0..<config.probePairs).map {
        PretrainPairs.pair(seed: SeededGeneratorFactory.seed(config.seed, 0x5052_4F42), index: UInt64($0), size: clip.config.vision.imageSize, augment: false,
                           textures: textures, realFaces: config.realFaces ?? 0, photoShapes: config.photoShapes ?? false)
    }

    public var lastCheckpoint: String { folder + "/checkpoints/last.safetensors" }
    public var exportFolder: String { folder + "/clip" }
    static let configKey = "finecliper.pretrain_config"
    static let stateKey = "finecliper.pretrain_state"

    /// The real faces pairs may show (`config.realFaces`).
    let textures: [FaceTexture]

    public init(config: PretrainConfig, folder: String, resume: Bool, bpeFile: String, textures: [FaceTexture] = []) throws {
        if let problem = config.validate() { throw TrainError.badConfig(problem) }
        if (config.realFaces ?? 0) > 0 && textures.isEmpty { throw TrainError.badConfig("real faces were asked for but no textures were given") }
        var config = config
        config.textures = textures.isEmpty ? nil : textures.map(\.name)
        self.config = config
        self.textures = textures
        self.folder = folder
        lock = try RunLock.claim(folder, resume: resume)
        tokenizer = try BPETokenizer(bpeFile: bpeFile)
        if let start = config.initFrom {
            // The folder's own architecture (a CLIP whose patches were resized is no preset).
            let weights = start + "/model.safetensors"
            guard FileManager.default.fileExists(atPath: weights) else { throw TrainError.missing(path: weights, what: "the CLIP weights to start from") }
            clip = CLIPModel(config: try CLIPConfig(huggingFaceConfig: start + "/config.json"))
            try WeightMap.load(clip, from: try SafeTensorsFile(path: weights))
        } else {
            clip = CLIPModel(config: config.clipConfig!)
            Self.initialize(clip, seed: config.seed)
        }
        for p in clip.parameters { p.isTrainable = true }
        // Per tower: matrices decay; biases, norms, embeddings, the class token and the logit scale do not.
        // The text tower learns at a fraction of the rate: at full rate it collapses within a few
        // steps (every text embedding alike, so the loss is log(batch) whatever the images show)
        // before the vision tower has learned anything to align with.
        var groups: [ParameterGroup] = []
        for (tower, rate) in [("vision", config.learningRate), ("text", config.learningRate * config.textRateFactor)] {
            let named = clip.namedParameters().filter { tower == "text" ? ($0.name.hasPrefix("text") || $0.name == "logit_scale") : !($0.name.hasPrefix("text") || $0.name == "logit_scale") }
            let decays = { (n: String, p: Parameter) in p.shape.count == 2 && !n.contains("embedding") && !n.contains("norm") }
            groups.append(ParameterGroup(name: tower + "-decayed", named.filter(decays).map(\.parameter), learningRate: rate, weightDecay: config.weightDecay))
            groups.append(ParameterGroup(name: tower, named.filter { !decays($0.name, $0.parameter) }.map(\.parameter), learningRate: rate, weightDecay: 0))
        }
        optimizer = AdamW(groups, beta2: 0.98, eps: 1e-6)
        schedule = .cosine(total: config.steps, warmup: config.warmup)
        events = try EventLog(path: folder + "/events.jsonl")
        if resume, FileManager.default.fileExists(atPath: lastCheckpoint) { try restore() }
        try events.append(.pretrain(PretrainStarted(config: config, parameters: clip.parameters.reduce(0) { $0 + $1.value.count },
                                                 resumedFromStep: state.step > 0 ? state.step : nil)))
    }

    /// OpenAI CLIP's initialisation: token embeddings N(0, 0.02), text positions 0.01, the
    /// vision class token and positions width^-½, attention inputs width^-½, residual outputs
    /// (attention and MLP) width^-½·(2·layers)^-½, MLP inputs (2·width)^-½, projections width^-½,
    /// the patch embedding at PyTorch's convolution default (std (3·fan_in)^-½) with each
    /// filter's mean removed, LayerNorms at identity, zero biases, and a logit scale of ln(1/0.07).
    static func initialize(_ clip: CLIPModel, seed: UInt64) {
        for (name, p) in clip.namedParameters() {
            var g = SeededGeneratorFactory.make(seed, name.hashValueStable)
            let shape = p.shape
            if name == "logit_scale" { p.value = Tensor(shape: shape, values: [log(1 / 0.07)]); continue }
            if name.hasSuffix(".bias") { p.value = Tensor(zeros: shape); continue }
            if name.contains("norm") || name.contains("layrnorm") { p.value = Tensor(shape: shape, values: Array(repeating: 1, count: p.value.count)); continue }
            let tower = name.hasPrefix("vision_model") ? clip.config.vision.width : clip.config.text.width
            let layers = Float(name.hasPrefix("vision_model") ? clip.config.vision.layers : clip.config.text.layers)
            let w = Float(tower).squareRoot()
            let std: Float
            switch name {
            case let n where n.hasSuffix("token_embedding.weight"): std = 0.02
            case let n where n.hasPrefix("text_model") && n.hasSuffix("position_embedding.weight"): std = 0.01
            case let n where n.hasSuffix("class_embedding") || n.hasSuffix("position_embedding.weight"): std = 1 / w
            case let n where n.hasSuffix("patch_embedding.weight"): std = 1 / Float(3 * shape[1...].reduce(1, *)).squareRoot()
            case let n where n.hasSuffix("out_proj.weight") || n.hasSuffix("fc2.weight"): std = 1 / w / (2 * layers).squareRoot()
            case let n where n.hasSuffix("fc1.weight"): std = 1 / (2 * Float(tower)).squareRoot()
            case let n where n.hasSuffix("projection.weight"): std = 1 / Float(shape[1]).squareRoot()
            default: std = 1 / w   // q, k, v
            }
            p.value = Tensor.normal(shape, std: std, using: &g)
            if name.hasSuffix("patch_embedding.weight") {
                // Filters without a DC component: flat patches (skin, background, a brightness
                // change) embed as zero, so at the start the tokens carry the faces' edges.
                let fan = shape[1...].reduce(1, *)
                p.value.withUnsafeMutableBufferPointer { w in
                    for o in 0..<shape[0] {
                        let row = w.baseAddress! + o * fan
                        var mean: Float = 0
                        for i in 0..<fan { mean += row[i] }
                        mean /= Float(fan)
                        for i in 0..<fan { row[i] -= mean }
                    }
                }
            }
        }
    }

    // MARK: Training

    /// Runs the remaining steps; `shouldStop` is asked between steps (a signal's flag), and a
    /// stop writes a checkpoint first so no step is lost.
    @discardableResult
    public func run(progress: ((PretrainProgress) -> Void)? = nil, shouldStop: () -> Bool = { false }) throws -> RunFinished {
        let size = clip.config.vision.imageSize
        var lastProbe: Double? = nil
        while state.step < config.steps {
            if shouldStop() {
                try checkpoint()
                let done = RunFinished(status: "stopped", epochs: 0, step: state.step, bestEpoch: nil, bestUAR: state.bestProbeUAR, bestWAR: nil)
                try events.append(.done(done))
                return done
            }
            let started = Date()
            let first = UInt64(state.step) * UInt64(config.batch)
            let pairs = Self.pairs(seed: config.seed, indices: (0..<UInt64(config.batch)).map { first + $0 }, size: size,
                                   textures: textures, realFaces: config.realFaces ?? 0, photoShapes: config.photoShapes ?? false)
            let factor = schedule.factor(at: state.step)
            let loss = try step(pairs, lrFactor: factor)
            state.step += 1
            if let mean = state.lossMean, loss > 5 * mean, state.step > 20 {
                try events.append(.alert(Alert(kind: "loss-spike", message: String(format: "loss %.4g is %.1f× the running mean %.4g", loss, loss / mean, mean), step: state.step)))
            }
            state.lossMean = state.lossMean.map { 0.98 * $0 + 0.02 * loss } ?? loss
            let rate = Double(config.batch) / max(Date().timeIntervalSince(started), 1e-9)
            try events.append(.step(StepRecord(epoch: 0, step: state.step, loss: loss,
                                            learningRates: Dictionary(uniqueKeysWithValues: optimizer.groups.map { ($0.name, Double($0.learningRate * factor)) }),
                                            gradientNorm: lastNorm, clipsPerSecond: rate)))
            if state.step % config.probeEvery == 0 || state.step == config.steps {
                let matrix = probeMatrix()
                lastProbe = matrix.uar
                state.bestProbeUAR = max(state.bestProbeUAR ?? 0, matrix.uar)
                try events.append(.epoch(EpochRecord(epoch: state.step / config.probeEvery, step: state.step, trainLoss: state.lossMean ?? loss,
                                                  metrics: matrix, seconds: 0)))
            }
            if state.step % config.checkpointEvery == 0 || state.step == config.steps { try checkpoint() }
            progress?(PretrainProgress(step: state.step, steps: config.steps, loss: loss, pairsPerSecond: rate, probeUAR: lastProbe))
        }
        try clip.save(huggingFaceFolder: exportFolder, metadata: [Self.configKey: try RunCheckpoint.json(config)])
        let done = RunFinished(status: "finished", epochs: 0, step: state.step, bestEpoch: nil, bestUAR: state.bestProbeUAR, bestWAR: nil)
        try events.append(.done(done))
        return done
    }

    var lastNorm = 0.0

    /// The pairs at `indices`, rendered on every core.
    static func pairs(seed: UInt64, indices: [UInt64], size: Int, textures: [FaceTexture] = [], realFaces: Double = 0, photoShapes: Bool = false) -> [PretrainPair] {
        parallelMap(indices.count) { PretrainPairs.pair(seed: seed, index: indices[$0], size: size, augment: true, textures: textures, realFaces: realFaces, photoShapes: photoShapes) }
    }

    /// One AdamW step on the symmetric contrastive loss; returns the loss. Pairs whose texts are
    /// equal are all positives of each other (soft targets), not negatives.
    func step(_ pairs: [PretrainPair], lrFactor: Float) throws -> Double {
        let tape = Tape()
        let loss = contrastiveLoss(pairs, tape: tape)
        let value = Double(loss.value.item)
        guard value.isFinite else {
            throw TrainError.nonFiniteLoss(step: state.step + 1, checkpoint: FileManager.default.fileExists(atPath: lastCheckpoint) ? lastCheckpoint : nil)
        }
        optimizer.zeroGrad()
        tape.backward(loss)
        lastNorm = Double(clipGradientNorm(clip.parameters, maxNorm: config.maxGradientNorm))
        optimizer.step(lrFactor: lrFactor)
        // CLIP clamps the temperature at 100.
        let bound = Float(log(100.0))
        if clip.logitScale.value.item > bound { clip.logitScale.value = Tensor(shape: clip.logitScale.shape, values: [bound]) }
        return value
    }

    /// The symmetric InfoNCE loss of a batch, recorded on `tape`.
    func contrastiveLoss(_ pairs: [PretrainPair], tape: Tape) -> Variable {
        let n = pairs.count
        let images = tape.l2Normalize(clip.encodeImages(ClipTensor.make(pairs.map(\.image)), tape: tape))
        let texts = tape.l2Normalize(clip.encodeTexts(pairs.map { tokenize($0.text) }, tape: tape))
        let scale = tape.parameter(clip.logitScale)
        let perImage = tape.scale(tape.matmul(images, texts, transposeB: true), byExponentOf: scale)
        let perText = tape.scale(tape.matmul(texts, images, transposeB: true), byExponentOf: scale)
        var q = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            let same = (0..<n).filter { pairs[$0].text == pairs[i].text }
            for j in same { q[i * n + j] = 1 / Float(same.count) }
        }
        let targets = Tensor(shape: [n, n], values: q)   // symmetric: the same for both directions
        return tape.scale(tape.add(tape.crossEntropy(logits: perImage, targetDistributions: targets),
                                   tape.crossEntropy(logits: perText, targetDistributions: targets)), 0.5)
    }

    func tokenize(_ text: String) -> [Int] { tokenizer.tokenize(text, contextLength: clip.config.text.contextLength) }

    /// Zero-shot classification of the probe pairs by their cosine to the seven class prompts.
    public func probeMatrix() -> ConfusionMatrix {
        var matrix = ConfusionMatrix(classes: PretrainPairs.classPrompts.count)
        guard !probe.isEmpty else { return matrix }
        let prompts = l2Normalize(clip.encodeTexts(PretrainPairs.classPrompts.map(tokenize)).value)
        var start = 0
        while start < probe.count {
            let part = probe[start..<min(start + 64, probe.count)]
            start += 64
            let images = l2Normalize(clip.encodeImages(ClipTensor.make(part.map(\.image))).value)
            let scores = matmul(images, prompts, transposeB: true)
            for (pair, prediction) in zip(part, max(scores, axis: 1).indices) { matrix.add(truth: pair.label, prediction: prediction) }
        }
        return matrix
    }

    // MARK: Checkpoints

    func checkpoint() throws {
        var writer = SafeTensorsWriter(metadata: [Self.configKey: try RunCheckpoint.json(config), Self.stateKey: try RunCheckpoint.json(state)])
        for (key, p) in clip.namedParameters() { writer.add(key, p.value) }
        for (key, v) in RunCheckpoint.optimizerTensors(optimizer) { writer.add(key, v) }
        try writer.write(to: lastCheckpoint)
        try events.append(.checkpoint(CheckpointRecord(path: "checkpoints/last.safetensors", epoch: 0, step: state.step, best: false)))
    }

    func restore() throws {
        let (file, saved, savedState): (SafeTensorsFile, PretrainConfig, PretrainState) =
            try RunCheckpoint.open(lastCheckpoint, configKey: Self.configKey, stateKey: Self.stateKey, kind: "pretraining")
        var comparable = saved
        comparable.steps = config.steps
        guard comparable == config else {
            throw TrainError.checkpoint(path: lastCheckpoint, reason: "was written with another configuration; resume with the same options (only --steps may change)")
        }
        try WeightMap.load(clip, from: file, ignoring: { $0.hasPrefix("optimizer.") })
        try RunCheckpoint.restore(optimizer, from: file)
        state = savedState
    }
}

extension String {
    /// FNV-1a of the UTF-8 bytes: a hash that is the same in every process (Swift's is seeded).
    var hashValueStable: UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}
