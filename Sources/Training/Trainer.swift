import CLIP
import Datasets
import Face
import FineCLIPER
import Foundation
import Media
import TensorCore

/// Progress of a run, for a progress bar.
public struct TrainProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var stepInEpoch: Int
    public var stepsPerEpoch: Int
    public var loss: Double
    public var clipsPerSecond: Double
}

/// Trains a FineCLIPER model on a dataset into a run folder: `config.json`, `events.jsonl`,
/// `checkpoints/last.safetensors` (every epoch) and `checkpoints/best.safetensors`. Everything
/// random is drawn from generators keyed by (seed, epoch, position, step), and checkpoints hold
/// the weights, optimizer state and `TrainState`, so `resume` continues exactly where the last
/// checkpoint was written.
public final class Trainer {
    public let config: TrainConfig
    public let folder: String
    public let model: FineCLIPERModel
    public let classes: [String]
    public let train: [ClipRecord]
    public let validation: [ClipRecord]
    public let test: [ClipRecord]
    public private(set) var state = TrainState()
    let source: ModelSource
    let prompts: ClassPrompts
    let loader: ClipLoader
    let optimizer: Optimizer
    let schedule: LRSchedule
    let cache: FeatureCache?
    let log: EventLog
    let lock: RunLock

    public var lastCheckpoint: String { folder + "/checkpoints/last.safetensors" }
    public var bestCheckpoint: String { folder + "/checkpoints/best.safetensors" }

    public init(config: TrainConfig, folder: String, resume: Bool, bpeFile: String, faceModels: FaceModels?,
                cacheRoot: String = FeatureCache.defaultRoot) throws {
        if let problem = config.validate() { throw TrainError.badConfig(problem) }
        self.config = config
        self.folder = folder
        let fm = FileManager.default
        if !resume, fm.fileExists(atPath: folder + "/events.jsonl") {
            throw TrainError.badConfig("\(folder) already holds a run; pass --resume to continue it or choose another --out")
        }
        do { try fm.createDirectory(atPath: folder + "/checkpoints", withIntermediateDirectories: true) } catch {
            throw TrainError.io(path: folder, reason: "cannot create the run folder: \(error.localizedDescription)")
        }
        lock = try RunLock(folder: folder)

        // Data.
        let format: DatasetFormat
        if let name = config.format {
            guard let f = DatasetFormat(rawValue: name) else { throw TrainError.badConfig("unknown dataset format \(name)") }
            format = f
        } else {
            guard let f = DatasetFormat.detect(root: config.data) else { throw DatasetError.unknownFormat(path: config.data) }
            format = f
        }
        let splits = try format.open(root: config.data, fold: config.fold)
        classes = splits.classes
        let allTrain = splits.splits["train"] ?? [], testClips = splits.splits["test"] ?? []
        guard !allTrain.isEmpty else { throw TrainError.noClips(split: "train") }
        if config.selection == .validation {
            (train, validation) = Self.carveValidation(allTrain, fraction: config.validationFraction, seed: config.seed, classes: classes.count)
        } else {
            (train, validation) = (allTrain, testClips)
        }
        test = testClips
        let descriptionsFile = splits.root + "/descriptions.jsonl"
        let descriptions = fm.fileExists(atPath: descriptionsFile) ? try DescriptionStore(path: descriptionsFile) : nil

        // Model.
        source = try ModelSource(config.model, bpeFile: bpeFile)
        let nouns = classes.count == 7 ? FineCLIPERConfig.sevenClassNouns : classes.count == 11 ? FineCLIPERConfig.elevenClassNouns : classes.map { $0.lowercased() }
        var modelConfig = FineCLIPERConfig(clip: source.clip.config, variant: config.variant, classNames: nouns)
        modelConfig.adapters.visualAdaptersOff = config.mode == .cached
        if config.frames > modelConfig.temporal.maxFrames { modelConfig.temporal.maxFrames = config.frames }
        model = try FineCLIPERModel(config: modelConfig, clip: source.clip)
        model.initialize(seed: config.seed)
        prompts = ClassPrompts(config: modelConfig, tokenizer: source.tokenizer)
        let tokenize: @Sendable (String) -> [Int] = { [source] in source.tokenize($0) }
        loader = ClipLoader(streams: config.variant.streams, size: source.clip.config.vision.imageSize, frames: config.frames,
                            augmentation: config.augment ? Self.augmentation(for: splits.name) : nil, datasetRoot: splits.root,
                            descriptions: descriptions, faceModels: faceModels, tokenize: tokenize)
        if config.mode == .cached {
            let key = [source.fingerprint, "\(loader.size)", "\(config.frames)", config.variant.streams.map(\.rawValue).joined(separator: ","),
                       "\(config.normalize)", "test-sampling"].joined(separator: "|")
            cache = FeatureCache(root: cacheRoot, key: key)
        } else {
            cache = nil
        }

        // Optimizer: adapters, temporal models and fusion weights as separate groups.
        var groups: [ParameterGroup] = []
        let named = model.parameterGroups
        func group(_ name: String, _ filter: (String) -> Bool, rate: Float) {
            let ps = named.filter { filter($0.name) }.flatMap(\.parameters)
            if !ps.isEmpty { groups.append(ParameterGroup(name: name, ps, learningRate: rate, weightDecay: config.weightDecay)) }
        }
        group("adapters", { $0.hasSuffix("adapters") }, rate: config.adapterRate)
        group("temporal", { $0.hasSuffix("temporal") }, rate: config.temporalRate)
        group("fusion", { $0 == "fusion" }, rate: config.fusionRate)
        switch config.optimizer {
        case .sgd: optimizer = SGD(groups, momentum: config.momentum)
        case .adamw: optimizer = AdamW(groups)
        }
        schedule = .multiStep(milestones: config.milestones, gamma: config.gamma)
        log = try EventLog(path: folder + "/events.jsonl")
        if resume, fm.fileExists(atPath: lastCheckpoint) { try restore(from: lastCheckpoint) }
        try writeConfig()
        try log.append(.config(RunStarted(config: config, classes: classes, trainClips: train.count, validationClips: validation.count,
                                          selection: config.selection.rawValue, stepsPerEpoch: stepsPerEpoch,
                                          resumedFromStep: state.step > 0 ? state.step : nil)))
    }

    /// DFER-CLIP drops the last incomplete batch in training.
    public var stepsPerEpoch: Int { max(1, train.count / min(config.batch, train.count)) }
    var batchSize: Int { min(config.batch, train.count) }

    static func augmentation(for dataset: String) -> ClipAugmentation {
        switch dataset.uppercased() {
        case let n where n.hasPrefix("FERV"): return .ferv39k
        case let n where n.hasPrefix("MAFW"): return .mafw
        default: return .dfew
        }
    }

    /// A stratified hold-out: `fraction` of each class (at least one clip of any class with two
    /// or more), chosen by a generator seeded from `seed`.
    static func carveValidation(_ clips: [ClipRecord], fraction: Double, seed: UInt64, classes: Int) -> ([ClipRecord], [ClipRecord]) {
        var g = SeededGeneratorFactory.make(seed, 0x5641_4C)
        var held = Set<Int>()
        for c in 0..<classes {
            var members = clips.indices.filter { clips[$0].label == c }
            members.shuffle(using: &g)
            guard members.count >= 2 else { continue }
            let n = max(1, Int((Double(members.count) * fraction).rounded()))
            held.formUnion(members.prefix(n))
        }
        return (clips.indices.filter { !held.contains($0) }.map { clips[$0] }, held.sorted().map { clips[$0] })
    }

    func writeConfig() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(config), to: folder + "/config.json")
    }

    // MARK: Training

    /// Runs the remaining epochs. `shouldStop` is asked between steps (a signal handler's flag);
    /// a stop ends the run after writing nothing partial (the last checkpoint stands).
    @discardableResult
    public func run(progress: ((TrainProgress) -> Void)? = nil, shouldStop: () -> Bool = { false }) throws -> RunFinished {
        while state.epoch < config.epochs {
            let epoch = state.epoch
            let started = Date()
            let order = TrainState.order(count: train.count, seed: config.seed, epoch: epoch)
            let factor = schedule.factor(at: epoch)
            var lossSum = 0.0, lossCount = 0
            for s in 0..<stepsPerEpoch {
                if shouldStop() {
                    let done = RunFinished(status: "stopped", epochs: state.epoch, step: state.step, bestEpoch: state.bestEpoch,
                                           bestUAR: state.bestUAR, bestWAR: state.bestWAR)
                    try log.append(.done(done))
                    return done
                }
                let stepStart = Date()
                let indices = order[(s * batchSize)..<((s + 1) * batchSize)]
                let clips = indices.map { train[$0] }
                let seeds = indices.indices.map { SeededGeneratorFactory.seed(config.seed, UInt64(epoch), UInt64($0)) }
                guard let batch = try makeBatch(clips, seeds: seeds) else { continue }
                let tape = Tape()
                let pass = try model.forward(batch, prompts: prompts, tape: tape,
                                             mode: .train(seed: SeededGeneratorFactory.seed(config.seed, 0x4450, UInt64(state.step))),
                                             recompute: config.recompute && config.mode == .full)
                let loss = Double(pass.output.loss ?? .nan)
                guard loss.isFinite else {
                    try log.append(.alert(Alert(kind: "nan", message: "loss \(loss) at step \(state.step + 1); stopped", step: state.step + 1)))
                    let ckpt = FileManager.default.fileExists(atPath: lastCheckpoint) ? lastCheckpoint : nil
                    try log.append(.done(RunFinished(status: "failed", epochs: state.epoch, step: state.step, bestEpoch: state.bestEpoch,
                                                     bestUAR: state.bestUAR, bestWAR: state.bestWAR, message: "non-finite loss")))
                    throw TrainError.nonFiniteLoss(step: state.step + 1, checkpoint: ckpt)
                }
                optimizer.zeroGrad()
                tape.backward(pass.loss!)
                let norm = gradientNorm()
                optimizer.step(lrFactor: factor)
                state.step += 1
                if let mean = state.lossMean, loss > config.spikeFactor * mean, state.step > 10 {
                    try log.append(.alert(Alert(kind: "loss-spike", message: String(format: "loss %.4g is %.1f× the running mean %.4g", loss, loss / mean, mean), step: state.step)))
                }
                state.lossMean = state.lossMean.map { 0.98 * $0 + 0.02 * loss } ?? loss
                lossSum += loss; lossCount += 1
                let rate = Double(batch.clips) / max(Date().timeIntervalSince(stepStart), 1e-9)
                var rates: [String: Double] = [:]
                for g in optimizer.groups { rates[g.name] = Double(g.learningRate * factor) }
                try log.append(.step(StepRecord(epoch: epoch + 1, step: state.step, loss: loss, learningRates: rates, gradientNorm: norm, clipsPerSecond: rate)))
                progress?(TrainProgress(epoch: epoch + 1, epochs: config.epochs, stepInEpoch: s + 1, stepsPerEpoch: stepsPerEpoch, loss: loss, clipsPerSecond: rate))
            }
            let (metrics, _) = try evaluate(validation)
            state.epoch += 1
            let trainLoss = lossCount > 0 ? lossSum / Double(lossCount) : .nan
            try log.append(.epoch(EpochRecord(epoch: state.epoch, step: state.step, trainLoss: trainLoss, metrics: metrics,
                                              seconds: Date().timeIntervalSince(started))))
            let isBest = state.bestUAR.map { metrics.uar > $0 || (metrics.uar == $0 && metrics.war > (state.bestWAR ?? 0)) } ?? true
            if isBest { state.bestEpoch = state.epoch; state.bestUAR = metrics.uar; state.bestWAR = metrics.war }
            try saveCheckpoint(lastCheckpoint)
            try log.append(.checkpoint(CheckpointRecord(path: "checkpoints/last.safetensors", epoch: state.epoch, step: state.step, best: false)))
            if isBest {
                try saveCheckpoint(bestCheckpoint)
                try log.append(.checkpoint(CheckpointRecord(path: "checkpoints/best.safetensors", epoch: state.epoch, step: state.step, best: true)))
            }
        }
        let done = RunFinished(status: "finished", epochs: state.epoch, step: state.step, bestEpoch: state.bestEpoch,
                               bestUAR: state.bestUAR, bestWAR: state.bestWAR)
        try log.append(.done(done))
        return done
    }

    func gradientNorm() -> Double {
        var sum = 0.0
        for p in model.trainableParameters {
            guard let g = p.grad else { continue }
            g.withUnsafeBufferPointer { b in for v in b { sum += Double(v) * Double(v) } }
        }
        return sum.squareRoot()
    }

    // MARK: Data

    /// The model inputs of `clips`; a clip that cannot be read is logged and left out (nil when
    /// none is left). `seeds` drive each clip's sampling and augmentation; nil seeds = evaluation.
    func makeBatch(_ clips: [ClipRecord], seeds: [UInt64]?) throws -> ClipBatch? {
        var loaded: [LoadedClip] = []
        var features: [[VisualStream: Tensor]] = []
        for (i, clip) in clips.enumerated() {
            do {
                if let cache {
                    features.append(try cachedFeatures(clip, cache: cache))
                    var none: SeededGenerator? = nil
                    let text = try loader.descriptionOnly(clip, generator: &none)
                    loaded.append(text)
                } else {
                    var g: SeededGenerator? = seeds.map { SeededGenerator(seed: $0[i]) }
                    loaded.append(try loader.load(clip, generator: &g))
                }
            } catch {
                try log.append(.alert(Alert(kind: "skipped-clip", message: "\(clip.id): \(error)", step: state.step)))
            }
        }
        guard !loaded.isEmpty else { return nil }
        let t = config.frames
        var streams: [VisualStream: StreamInput] = [:]
        for s in config.variant.streams {
            if cache != nil {
                streams[s] = .features(concat(features.map { $0[s]!.reshaped([1, t, -1]) }, axis: 0))
            } else {
                streams[s] = .images(concat(loaded.map { ClipTensor.make($0.streams[s]!, normalize: config.normalize) }, axis: 0))
            }
        }
        return ClipBatch(clips: loaded.count, frames: t, streams: streams, descriptions: loaded.map(\.description), labels: loaded.map(\.label))
    }

    /// A clip's frozen frame embeddings per stream, computed once (test-time sampling, no
    /// augmentation) and kept in the cache.
    func cachedFeatures(_ clip: ClipRecord, cache: FeatureCache) throws -> [VisualStream: Tensor] {
        if let stored = cache.load(clip.id), config.variant.streams.allSatisfy({ stored[$0.rawValue] != nil }) {
            return Dictionary(uniqueKeysWithValues: config.variant.streams.map { ($0, stored[$0.rawValue]!) })
        }
        var none: SeededGenerator? = nil
        let loaded = try loader.load(clip, generator: &none)
        var out: [VisualStream: Tensor] = [:]
        for s in config.variant.streams {
            out[s] = source.clip.encodeImages(ClipTensor.make(loaded.streams[s]!, normalize: config.normalize)).value
        }
        try cache.store(clip.id, Dictionary(uniqueKeysWithValues: out.map { ($0.key.rawValue, $0.value) }))
        return out
    }

    /// Builds the feature cache for `clips` (cached mode); returns how many were computed.
    @discardableResult
    public func buildCache(_ clips: [ClipRecord], progress: ((Int, Int) -> Void)? = nil) throws -> Int {
        guard let cache else { return 0 }
        var computed = 0
        for (i, clip) in clips.enumerated() {
            if !cache.contains(clip.id) {
                do { _ = try cachedFeatures(clip, cache: cache); computed += 1 } catch {
                    try log.append(.alert(Alert(kind: "skipped-clip", message: "\(clip.id): \(error)", step: state.step)))
                }
            }
            progress?(i + 1, clips.count)
        }
        return computed
    }

    // MARK: Evaluation

    /// Confusion matrix and per-clip outputs over `clips` (test-time sampling, no augmentation).
    public func evaluate(_ clips: [ClipRecord], batch: Int = 8) throws -> (ConfusionMatrix, [(id: String, label: Int, output: ModelOutput)]) {
        var matrix = ConfusionMatrix(classes: classes.count)
        var outputs: [(String, Int, ModelOutput)] = []
        var start = 0
        while start < clips.count {
            let part = Array(clips[start..<min(start + batch, clips.count)])
            start += batch
            guard let b = try makeBatch(part, seeds: nil) else { continue }
            let out = try model.forward(b, prompts: prompts).output
            for (i, p) in out.predictions.enumerated() {
                matrix.add(truth: b.labels![i], prediction: p)
            }
            // Per-clip slices of the batch output, for predictions files.
            let ids = part.map(\.id)
            for i in 0..<b.clips { outputs.append((ids[min(i, ids.count - 1)], b.labels![i], out.slice(i))) }
        }
        return (matrix, outputs)
    }

    // MARK: Checkpoints

    static let configKey = "finecliper.train_config"
    static let stateKey = "finecliper.train_state"

    func saveCheckpoint(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var tensors: [String: Tensor] = [:]
        for (k, v) in optimizer.state() { tensors["optimizer." + k] = v }
        try ModelCheckpoint.save(model, to: path, metadata: [Self.configKey: String(decoding: try encoder.encode(config), as: UTF8.self),
                                                            Self.stateKey: String(decoding: try encoder.encode(state), as: UTF8.self)],
                                 tensors: tensors)
    }

    func restore(from path: String) throws {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch {
            throw TrainError.checkpoint(path: path, reason: "cannot be read (\(error)); move it away to start the run again")
        }
        guard let configJSON = file.metadata[Self.configKey], let stateJSON = file.metadata[Self.stateKey],
              let saved = try? JSONDecoder().decode(TrainConfig.self, from: Data(configJSON.utf8)),
              let savedState = try? JSONDecoder().decode(TrainState.self, from: Data(stateJSON.utf8)) else {
            throw TrainError.checkpoint(path: path, reason: "not a training checkpoint (no configuration or state in its metadata)")
        }
        var comparable = saved
        comparable.epochs = config.epochs
        guard comparable == config else {
            throw TrainError.checkpoint(path: path, reason: "was written with another configuration; resume with the same options (only --epochs may change)")
        }
        try ModelCheckpoint.load(into: model, from: file)
        var optimizerState: [String: Tensor] = [:]
        for name in file.names where name.hasPrefix("optimizer.") { optimizerState[String(name.dropFirst("optimizer.".count))] = try file.tensor(name) }
        try optimizer.loadState(optimizerState)
        let restored = Set(optimizer.state().keys), stored = Set(optimizerState.keys)
        guard restored == stored else {
            let missing = stored.subtracting(restored).sorted(), extra = restored.subtracting(stored).sorted()
            throw TrainError.checkpoint(path: path, reason: "optimizer state does not fit the model: unexpected \(missing.prefix(3)), missing \(extra.prefix(3))")
        }
        state = savedState
    }
}

extension ModelOutput {
    /// The output of clip `i` of a batch alone.
    func slice(_ i: Int) -> ModelOutput {
        var o = self
        o.logits = [logits[i]]; o.probabilities = [probabilities[i]]
        o.positiveCosine = [positiveCosine[i]]; o.negativeCosine = [negativeCosine[i]]
        o.modalityMargins = modalityMargins.mapValues { [$0[i]] }
        o.frameProbabilities = frameProbabilities.isEmpty ? [] : [frameProbabilities[i]]
        o.loss = nil
        return o
    }
}
