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
///
/// Under `mpirun` the trainer is data-parallel: every rank takes its contiguous shard of each
/// global batch (the same clips, augmentation and drop-path draws as one process would use),
/// the shard-weighted gradients are summed across ranks, and every rank takes the same optimizer
/// step. Rank 0 alone evaluates, logs and writes checkpoints; every rank can read them to resume.
public final class Trainer {
    public let experiment: Experiment
    public let folder: String
    public private(set) var state = TrainState()
    let optimizer: Optimizer
    let schedule: LRSchedule
    /// The weights' moving average (`config.weightAverage`): what validation scores and the best
    /// checkpoint holds.
    var average: WeightAverage?
    /// Rank 0's log and lock; nil on the other ranks.
    let log: EventLog?
    let lock: RunLock?
    public let communicator: Communicator

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
                cacheRoot: String = FeatureCache.defaultRoot, embeddedFolder: String = ModelSource.embeddedCLIP,
                communicator: Communicator = LocalProcess()) throws {
        if let problem = config.validate() { throw TrainError.badConfig(problem) }
        self.folder = folder
        self.communicator = communicator
        lock = communicator.isRoot ? try RunLock.claim(folder, resume: resume) : nil
        experiment = try Experiment(config: config, bpeFile: bpeFile, faceModels: faceModels, cacheRoot: cacheRoot, embeddedFolder: embeddedFolder)
        let model = experiment.model

        // Optimizer: adapters, temporal models and fusion weights as separate groups.
        let groups = model.optimizerGroups(adapterRate: config.adapterRate, temporalRate: config.temporalRate,
                                           fusionRate: config.fusionRate, weightDecay: config.weightDecay)
        switch config.optimizer {
        case .sgd: optimizer = SGD(groups, momentum: config.momentum)
        case .adamw: optimizer = AdamW(groups)
        }
        schedule = .multiStep(milestones: config.milestones, gamma: config.gamma)
        log = communicator.isRoot ? try EventLog(path: folder + "/events.jsonl") : nil
        average = config.weightAverage.map { WeightAverage(decay: $0, parameters: model.trainableParameters) }
        if resume, FileManager.default.fileExists(atPath: lastCheckpoint) {
            try restore(from: lastCheckpoint)
        } else if let start = config.initialWeights {
            try startFrom(start)
        }
        if communicator.isRoot { try writeConfig() }
        let log = self.log
        experiment.onSkip = { clip, error in try? log?.append(.alert(Alert(kind: "skipped-clip", message: "\(clip.id): \(error)", step: 0))) }
        try log?.append(.config(RunStarted(config: config, classes: experiment.classes, trainClips: train.count, validationClips: validation.count,
                                           selection: config.selection.rawValue, stepsPerEpoch: stepsPerEpoch,
                                           resumedFromStep: state.step > 0 ? state.step : nil, ranks: communicator.size)))
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

    /// Whether the next step's clips are decoded and rendered while this step computes. On two
    /// cores it gains nothing (the step keeps both busy: `bench train --prefetch` vs
    /// `--no-prefetch` measured equal within noise), so it is on only with more cores, where the
    /// loading thread has one to itself.
    public var usePrefetch = ProcessInfo.processInfo.activeProcessorCount > 2
    /// Clips of a step computed side by side (`PerClipStep`); the run is the same for any count.
    public var threads = Trainer.defaultThreads

    /// The cores this process has to itself: mpirun's ranks on one machine share them (Open MPI
    /// and MPICH say how many ranks a machine runs).
    static var defaultThreads: Int {
        let env = ProcessInfo.processInfo.environment
        let local = Int(env["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? env["MPI_LOCALNRANKS"] ?? "") ?? 1
        return max(1, Parallelism.available / max(local, 1))
    }
    let prefetch = BatchPrefetch()

    /// This rank's share of step `step`'s global batch: its clips decoded, augmented with draws
    /// keyed by their global positions, and rendered (nil when every clip failed to load).
    func load(order: [Int], epoch: Int, step: Int) throws -> ClipBatch? {
        let global = order[(step * batchSize)..<((step + 1) * batchSize)]
        let part = communicator.shard(of: global.count)
        let indices = global[(global.startIndex + part.lowerBound)..<(global.startIndex + part.upperBound)]
        let clips = indices.map { train[$0] }
        let seeds = indices.indices.map { SeededGeneratorFactory.seed(config.seed, UInt64(epoch), UInt64($0)) }
        return clips.isEmpty ? nil : try experiment.makeBatch(clips, seeds: seeds)?.batch
    }

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
                let stepStart = Date()
                let global = order[(s * batchSize)..<((s + 1) * batchSize)]
                // This rank's shard of the global batch; positions (and so the draws) are the global ones.
                let part = communicator.shard(of: global.count)
                let batch = try prefetch.take(s) { try load(order: order, epoch: epoch, step: s) }
                if usePrefetch && s + 1 < stepsPerEpoch {
                    prefetch.request(s + 1) { [self] in try load(order: order, epoch: epoch, step: s + 1) }
                }
                // Every rank learns whether any was asked to stop and how many clips the step has.
                let (stop, total) = try agree(stop: shouldStop(), clips: batch?.clips ?? 0)
                if stop {
                    prefetch.wait()
                    let done = RunFinished(status: "stopped", epochs: state.epoch, step: state.step, bestEpoch: state.bestEpoch,
                                           bestUAR: state.bestUAR, bestWAR: state.bestWAR)
                    try log?.append(.done(done))
                    return done
                }
                if total == 0 { continue }
                optimizer.zeroGrad()
                var loss = 0.0
                if let batch {
                    let step = PerClipStep(model: model, prompts: experiment.prompts, threads: threads, recompute: config.recompute && config.mode == .full ? .standard : .off)
                    loss = try step.run(batch, seed: SeededGeneratorFactory.seed(config.seed, 0x4450, UInt64(state.step)), firstClip: part.lowerBound,
                                        totalClips: total, outer: communicator.size > 1 ? gatherRows : nil)
                } else if communicator.size > 1, model.config.variant.usesDescriptions, model.config.contrastiveWeight != 0 {
                    // A rank whose clips all failed still takes part in the contrastive loss's gathers.
                    _ = try gatherRows(Tensor(zeros: [0, model.config.clip.projectionDim]))
                    _ = try gatherRows(Tensor(zeros: [0, model.config.clip.projectionDim]))
                }
                let localRate = Double(batch?.clips ?? 0) / max(Date().timeIntervalSince(stepStart), 1e-9)
                var rankRates: [Double]? = nil
                if communicator.size > 1 {
                    let reduced = try reduceGradients(loss: loss, rate: localRate)
                    loss = reduced.loss
                    rankRates = reduced.rates
                }
                guard loss.isFinite else {
                    try log?.append(.alert(Alert(kind: "nan", message: "loss \(loss) at step \(state.step + 1); stopped", step: state.step + 1)))
                    let ckpt = FileManager.default.fileExists(atPath: lastCheckpoint) ? lastCheckpoint : nil
                    try log?.append(.done(RunFinished(status: "failed", epochs: state.epoch, step: state.step, bestEpoch: state.bestEpoch,
                                                     bestUAR: state.bestUAR, bestWAR: state.bestWAR, message: "non-finite loss")))
                    throw TrainError.nonFiniteLoss(step: state.step + 1, checkpoint: ckpt)
                }
                let norm = gradientNorm()
                optimizer.step(lrFactor: factor)
                state.step += 1
                average?.update(afterStep: state.step)
                if let mean = state.lossMean, loss > config.spikeFactor * mean, state.step > 10 {
                    try log?.append(.alert(Alert(kind: "loss-spike", message: String(format: "loss %.4g is %.1f× the running mean %.4g", loss, loss / mean, mean), step: state.step)))
                }
                state.lossMean = state.lossMean.map { 0.98 * $0 + 0.02 * loss } ?? loss
                lossSum += loss; lossCount += 1
                let rate = Double(global.count) / max(Date().timeIntervalSince(stepStart), 1e-9)
                var rates: [String: Double] = [:]
                for g in optimizer.groups { rates[g.name] = Double(g.learningRate * factor) }
                var record = StepRecord(epoch: epoch + 1, step: state.step, loss: loss, learningRates: rates, gradientNorm: norm, clipsPerSecond: rate)
                record.rankClipsPerSecond = rankRates
                try log?.append(.step(record))
                progress?(TrainProgress(epoch: epoch + 1, epochs: config.epochs, stepInEpoch: s + 1, stepsPerEpoch: stepsPerEpoch, loss: loss, clipsPerSecond: rate))
            }
            prefetch.wait()
            state.epoch += 1
            // Rank 0 evaluates and writes; the others go on to the next step and wait for it there.
            guard communicator.isRoot else { continue }
            let (metrics, outputs) = try scored { try experiment.evaluate(validation) }
            // The epoch's verdict per clip, so the workbench can link this epoch's confusion matrix to clips.
            try ClipPrediction.write(outputs, to: validationPredictions)
            let trainLoss = lossCount > 0 ? lossSum / Double(lossCount) : .nan
            try log?.append(.epoch(EpochRecord(epoch: state.epoch, step: state.step, trainLoss: trainLoss, metrics: metrics,
                                              seconds: Date().timeIntervalSince(started))))
            let isBest = state.bestUAR.map { metrics.uar > $0 || (metrics.uar == $0 && metrics.war > (state.bestWAR ?? 0)) } ?? true
            if isBest { state.bestEpoch = state.epoch; state.bestUAR = metrics.uar; state.bestWAR = metrics.war }
            try saveCheckpoint(lastCheckpoint)
            try log?.append(.checkpoint(CheckpointRecord(path: "checkpoints/last.safetensors", epoch: state.epoch, step: state.step, best: false)))
            if isBest {
                try scored { try saveCheckpoint(bestCheckpoint) }
                try log?.append(.checkpoint(CheckpointRecord(path: "checkpoints/best.safetensors", epoch: state.epoch, step: state.step, best: true)))
            }
        }
        let done = RunFinished(status: "finished", epochs: state.epoch, step: state.step, bestEpoch: state.bestEpoch,
                               bestUAR: state.bestUAR, bestWAR: state.bestWAR)
        try log?.append(.done(done))
        return done
    }

    /// `body` on the weights a run reports: their average where the run keeps one.
    func scored<T>(_ body: () throws -> T) rethrows -> T {
        guard let average else { return try body() }
        return try average.applied(body)
    }

    /// Whether any rank was asked to stop (all ranks stop at the same step), and the step's clips
    /// over all ranks.
    func agree(stop: Bool, clips: Int) throws -> (stop: Bool, clips: Int) {
        guard communicator.size > 1 else { return (stop, clips) }
        var values = [stop ? 1.0 : 0.0, Double(clips)]
        try communicator.sum(&values)
        return (values[0] > 0, Int(values[1]))
    }

    /// A per-clip [clips, n] tensor of every rank, in rank order, and where this rank's rows start.
    func gatherRows(_ x: Tensor) throws -> (all: Tensor, first: Int) {
        let width = x.shape.count > 1 ? x.shape[1] : 1
        let parts = try communicator.allGather(x.scalars)
        let first = parts[..<communicator.rank].reduce(0) { $0 + $1.count } / max(width, 1)
        let values = parts.flatMap { $0 }
        return (Tensor(shape: [values.count / max(width, 1), width], values: values), first)
    }

    /// Sums every rank's gradients (each its shard's term of the whole batch's objective) into
    /// each rank's; returns the whole batch's loss and every rank's clips/s. A parameter no rank
    /// reached keeps no gradient.
    func reduceGradients(loss: Double, rate: Double) throws -> (loss: Double, rates: [Double]) {
        let params = model.trainableParameters
        var flat: [Float] = []
        flat.reserveCapacity(params.reduce(0) { $0 + $1.value.count })
        for p in params {
            if let g = p.grad { g.withUnsafeBufferPointer { flat.append(contentsOf: $0) } }
            else { flat.append(contentsOf: repeatElement(0, count: p.value.count)) }
        }
        // [Σ loss shares, reached per parameter…, clips/s per rank…]
        var scalars = [loss] + params.map { $0.grad != nil ? 1 : 0 } + (0..<communicator.size).map { $0 == communicator.rank ? rate : 0 }
        try communicator.sum(&flat)
        try communicator.sum(&scalars)
        var offset = 0
        for (k, p) in params.enumerated() {
            let count = p.value.count
            if scalars[1 + k] > 0 {
                var g = Tensor(zeros: p.value.shape)
                g.withUnsafeMutableBufferPointer { b in for i in 0..<count { b[i] = flat[offset + i] } }
                p.grad = g
            } else {
                p.grad = nil
            }
            offset += count
        }
        return (scalars[0], Array(scalars[(1 + params.count)...]))
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
                                 tensors: RunCheckpoint.optimizerTensors(optimizer).merging(RunCheckpoint.averageTensors(average)) { $1 })
    }

    /// The model's weights from another run's checkpoint (or an exported model); the visual
    /// adapters a cached-mode run does not have keep their start, where they are the identity, so
    /// the run begins at exactly that model.
    func startFrom(_ path: String) throws {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch {
            throw TrainError.checkpoint(path: path, reason: "cannot start from it: \(error)")
        }
        try ModelCheckpoint.load(into: model, from: file, mayLack: model.visualAdapterNames)
        average?.restart()
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
        if let average { try RunCheckpoint.restore(average, from: file) }
        state = savedState
    }
}
