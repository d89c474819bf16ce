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
    public let experiment: Experiment
    public let folder: String
    public private(set) var state = TrainState()
    let optimizer: Optimizer
    let schedule: LRSchedule
    let log: EventLog
    let lock: RunLock

    public var config: TrainConfig { experiment.config }
    public var model: FineCLIPERModel { experiment.model }
    public var train: [ClipRecord] { experiment.train }
    public var validation: [ClipRecord] { experiment.validation }
    public var test: [ClipRecord] { experiment.test }
    public var lastCheckpoint: String { folder + "/checkpoints/last.safetensors" }
    public var bestCheckpoint: String { folder + "/checkpoints/best.safetensors" }
    /// The last evaluated epoch's predictions on the validation (or selection) clips.
    public var validationPredictions: String { folder + "/predictions-validation.jsonl" }

    public init(config: TrainConfig, folder: String, resume: Bool, bpeFile: String, faceModels: FaceModels?,
                cacheRoot: String = FeatureCache.defaultRoot, embeddedFolder: String = ModelSource.embeddedCLIP) throws {
        if let problem = config.validate() { throw TrainError.badConfig(problem) }
        self.folder = folder
        lock = try RunLock.claim(folder, resume: resume)
        experiment = try Experiment(config: config, bpeFile: bpeFile, faceModels: faceModels, cacheRoot: cacheRoot, embeddedFolder: embeddedFolder)
        let model = experiment.model

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
        if resume, FileManager.default.fileExists(atPath: lastCheckpoint) { try restore(from: lastCheckpoint) }
        try writeConfig()
        let log = self.log
        experiment.onSkip = { clip, error in try? log.append(.alert(Alert(kind: "skipped-clip", message: "\(clip.id): \(error)", step: 0))) }
        try log.append(.config(RunStarted(config: config, classes: experiment.classes, trainClips: train.count, validationClips: validation.count,
                                          selection: config.selection.rawValue, stepsPerEpoch: stepsPerEpoch,
                                          resumedFromStep: state.step > 0 ? state.step : nil)))
    }

    /// DFER-CLIP drops the last incomplete batch in training.
    public var stepsPerEpoch: Int { max(1, train.count / min(config.batch, train.count)) }
    var batchSize: Int { min(config.batch, train.count) }

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
                guard let batch = try experiment.makeBatch(clips, seeds: seeds)?.batch else { continue }
                let tape = Tape()
                let pass = try model.forward(batch, prompts: experiment.prompts, tape: tape,
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
            let (metrics, outputs) = try experiment.evaluate(validation)
            // The epoch's verdict per clip, so the workbench can link this epoch's confusion matrix to clips.
            try ClipPrediction.write(outputs, to: validationPredictions)
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

    // MARK: Checkpoints

    static let configKey = "finecliper.train_config"
    static let stateKey = "finecliper.train_state"

    func saveCheckpoint(_ path: String) throws {
        try ModelCheckpoint.save(model, to: path, metadata: [Self.configKey: try RunCheckpoint.json(config), Self.stateKey: try RunCheckpoint.json(state)],
                                 tensors: RunCheckpoint.optimizerTensors(optimizer))
    }

    func restore(from path: String) throws {
        let (file, saved, savedState): (SafeTensorsFile, TrainConfig, TrainState) =
            try RunCheckpoint.open(path, configKey: Self.configKey, stateKey: Self.stateKey, kind: "training")
        var comparable = saved
        comparable.epochs = config.epochs
        guard comparable == config else {
            throw TrainError.checkpoint(path: path, reason: "was written with another configuration; resume with the same options (only --epochs may change)")
        }
        try ModelCheckpoint.load(into: model, from: file)
        try RunCheckpoint.restore(optimizer, from: file)
        state = savedState
    }
}
