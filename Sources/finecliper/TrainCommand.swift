import ArgumentParser
import ConfigFiles
import FineCLIPER
import Foundation
import TensorCore
import Training
import Workbench

/// `finecliper train`: a FineCLIPER run into a run folder (see Training.Trainer).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train FineCLIPER on a dataset (events.jsonl, checkpoints, resumable).",
        discussion: """
            Defaults follow DFER-CLIP's recipe: SGD with momentum 0.9 and weight decay 1e-4, the \
            temporal models and fusion at 1e-2 and the adapters at 1e-3, ×0.1 after epochs 30 and 40, \
            16 frames, batch 48, seed 1. The reported model is the best epoch on a validation split carved \
            from train (10 % per class); --selection test reproduces DFER-CLIP's choice of the best test \
            epoch. Cached mode trains on frozen per-frame CLIP embeddings (visual adapters off), computed \
            once into $XDG_CACHE_HOME/finecliper/features. Ctrl-C stops after the current step; \
            --resume continues from checkpoints/last.safetensors with the same options.
            """)

    @Option(help: ArgumentHelp("A TOML or JSON file of settings named as in a run's config.json (epochs = 30, adapterRate = 0.001; adapter-rate and adapter_rate work too); options given here win. A run's own config.json repeats that run.", valueName: "file"))
    var config: String?

    @Option(help: "Dataset root (DFEW, FERV39k, MAFW or DFER-CLIP annotation lists).")
    var data: String?

    @Option(help: "Layout: dfew, ferv39k, mafw or list (detected when omitted).")
    var format: String?

    @Option(help: "Fold (DFEW and MAFW: 1-5).")
    var fold: Int?

    @Option(help: "Several folds in turn, e.g. 1-5 or 1,3: one run each in OUT/fold-N, then the best checkpoint of each on its test split and the mean in OUT/summary.json.")
    var folds: String?

    @Option(help: "A Hugging Face CLIP folder, embedded (the small CLIP shipped in samples/model), or tiny (a deterministic tiny CLIP for trials and tests).")
    var model: String?

    @Option(help: "low, mid, high or all (default all).")
    var variant: Variant?

    @Option(help: "full (adapters in the ViT) or cached (frozen frame embeddings); default full.")
    var mode: TrainConfig.Mode?

    @Option(help: "Epochs (default 50).") var epochs: Int?
    @Option(help: "Clips per batch (default 48).") var batch: Int?
    @Option(help: "Frames per clip (default 16).") var frames: Int?
    @Option(help: "Random seed (default 1).") var seed: UInt64?
    @Option(help: "The seed that carves the validation split (default: --seed); fixed, runs of several seeds validate on the same clips.")
    var validationSeed: UInt64?
    @Option(help: "sgd or adamw (default sgd).") var optimizer: TrainConfig.OptimizerKind?
    @Option(help: "Model selection: validation or test (default validation).") var selection: TrainConfig.Selection?
    @Option(help: "Learning rate of the adapters (default 0.001).") var adapterRate: Float?
    @Option(help: "Learning rate of the temporal models (default 0.01).") var temporalRate: Float?
    @Option(help: "Learning rate of the fusion weights (default 0.01).") var fusionRate: Float?

    @Option(help: "Modality dropout: the probability that a training clip loses each stream or its description from the fusion (default 0).")
    var modalityDropout: Float?

    @Option(help: "What the landmark stream reads: image (the drawn points through the CLIP, the paper's) or points (the coordinates through a trained encoder; default image).")
    var landmarkInput: LandmarkInput?

    @Flag(help: "Vary the landmark points in training (with --landmark-input points): mirror images and faces of another build (PointAugmentation).")
    var pointAugmentation = false

    @Option(name: .customLong("average"), help: ArgumentHelp("Score and keep an exponential moving average of the weights with this decay per step (e.g. 0.998, a memory of about 500 steps) instead of the weights at each epoch's end.", valueName: "decay"))
    var weightAverage: Double?

    @Option(name: .customLong("init"), help: ArgumentHelp("Start from this checkpoint's model weights (fine-tuning; e.g. full mode from a cached-mode run, whose missing visual adapters start as the identity).", valueName: "checkpoint"))
    var initialWeights: String?

    @Option(name: .long, help: "Run folder (created).")
    var out: String

    @Flag(help: "Continue the run in --out from its last checkpoint.")
    var resume = false

    @Flag(help: "No augmentation (sampling stays random).")
    var noAugment = false

    @Option(help: "Clips of a step computed side by side, each on a thread (default: the machine's cores). The run's weights are the same for any count.")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be 1…64") }
        if let folds { guard Self.parseFolds(folds) != nil else { throw ValidationError("--folds must look like 1-5 or 1,2,3") } }
        guard folds == nil || fold == nil else { throw ValidationError("give --fold or --folds, not both") }
    }

    static func parseFolds(_ text: String) -> [Int]? {
        let parts = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        if parts.count == 2, let a = parts[0], let b = parts[1], a >= 1, b >= a, b <= 100 { return Array(a...b) }
        let list = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, list.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
        return list.map { $0! }
    }

    /// Defaults, then the --config file, then the options given.
    func resolved() throws -> TrainConfig {
        var c = TrainConfig(data: "", model: "")
        if let file = config { c = try TrainConfig.overlay(try ConfigDocument.load(file), on: c) }
        if let data { c.data = data }
        if let model { c.model = model }
        if let format { c.format = format }
        if let fold { c.fold = fold }
        if let variant { c.variant = variant }
        if let mode { c.mode = mode }
        if let epochs { c.epochs = epochs }
        if let batch { c.batch = batch }
        if let frames { c.frames = frames }
        if let seed { c.seed = seed }
        if let validationSeed { c.validationSeed = validationSeed }
        if let optimizer { c.optimizer = optimizer }
        if let selection { c.selection = selection }
        if let adapterRate { c.adapterRate = adapterRate }
        if let temporalRate { c.temporalRate = temporalRate }
        if let fusionRate { c.fusionRate = fusionRate }
        if let initialWeights { c.initialWeights = initialWeights }
        if let modalityDropout { c.modalityDropout = modalityDropout }
        if let weightAverage { c.weightAverage = weightAverage }
        if let landmarkInput { c.landmarkInput = landmarkInput }
        if pointAugmentation && c.pointAugmentation == nil { c.pointAugmentation = PointAugmentation() }
        if noAugment { c.augment = false }
        guard !c.data.isEmpty else { throw ValidationError("give --data (or data in the --config file)") }
        guard !c.model.isEmpty else { throw ValidationError("give --model (or model in the --config file)") }
        if let problem = c.validate() { throw ValidationError(problem) }
        return c
    }

    func run() throws {
        var config = try resolved()
        let faces = try? FaceModels.load(blazeFace: Assets.blazeFace, dlibLandmarks: Assets.dlibLandmarks)
        StopSignal.install()
        let communicator = try MPICommunicator.current()
        guard let folds, let list = Self.parseFolds(folds) else {
            try DistributedJob.run(communicator) { _ = try train(config, folder: out, faces: faces, communicator: communicator) }
            return
        }
        guard communicator.size == 1 else { throw ValidationError("--folds runs the folds one after another in one process; under mpirun give one --fold") }
        var summary = FoldSummary()
        for f in list {
            config.fold = f
            let folder = out + "/fold-\(f)"
            let trainer = try train(config, folder: folder, faces: faces)
            // The fold's result: its best checkpoint on its test split.
            try ModelCheckpoint.load(into: trainer.model, from: try SafeTensorsFile(path: trainer.bestCheckpoint))
            let (matrix, _) = try trainer.experiment.evaluate(trainer.test)
            summary.add(fold: f, matrix)
            print(String(format: "fold %d: test UAR %.2f  WAR %.2f", f, matrix.uar, matrix.war))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        struct Summary: Encodable { let folds: [Int]; let uar: [Double]; let war: [Double]; let meanUAR: Double; let meanWAR: Double; let selection: String }
        try AtomicFile.write(try encoder.encode(Summary(folds: summary.folds, uar: summary.uar, war: summary.war, meanUAR: summary.meanUAR,
                                                        meanWAR: summary.meanWAR, selection: config.selection.rawValue)), to: out + "/summary.json")
        print(String(format: "mean over folds %@: UAR %.2f  WAR %.2f (model selection: %@); %@/summary.json",
                     summary.folds.map(String.init).joined(separator: ","), summary.meanUAR, summary.meanWAR, config.selection.rawValue, out))
    }

    /// One run into `folder` (continued with --resume). Under mpirun every rank runs this; rank 0
    /// alone draws progress and prints.
    func train(_ config: TrainConfig, folder: String, faces: FaceModels?, communicator: Communicator = LocalProcess()) throws -> Trainer {
        let root = communicator.isRoot
        let trainer = try Trainer(config: config, folder: folder, resume: resume, bpeFile: Assets.bpe, faceModels: faces,
                                  embeddedFolder: Assets.embeddedCLIP, communicator: communicator)
        if let threads { trainer.threads = threads }
        if config.mode == .cached {
            let clips = trainer.train + trainer.validation + trainer.test
            let bar = root ? ProgressBar(label: "features") : nil
            // Each rank computes its share; then any clip still missing (a node with a cache of its own) is computed here.
            var n = try trainer.experiment.buildCache(communicator.share(of: clips.count).map { clips[$0] }) { bar?.update($0, of: $1) }
            try communicator.barrier()
            n += try trainer.experiment.buildCache(clips)
            bar?.finish()
            if root { FileHandle.standardError.write(Data("feature cache: \(n) clips computed\(communicator.size > 1 ? " on rank 0" : "")\n".utf8)) }
        }
        if root && communicator.size > 1 { FileHandle.standardError.write(Data("data-parallel over \(communicator.size) ranks\n".utf8)) }
        // One bar per epoch: its rate and ETA are the epoch's; the label adds the whole run's ETA,
        // from the wall time per step so far (validation passes included).
        var bar: ProgressBar? = nil, barEpoch = 0
        let started = Date()
        var firstStep: Int? = nil
        let done = try trainer.run(progress: { p in
            guard root else { return }
            if p.epoch != barEpoch { bar?.finish(); bar = ProgressBar(label: ""); barEpoch = p.epoch }
            let step = (p.epoch - 1) * p.stepsPerEpoch + p.stepInEpoch, total = p.epochs * p.stepsPerEpoch
            if firstStep == nil { firstStep = step - 1 }
            let perStep = Date().timeIntervalSince(started) / Double(max(step - firstStep!, 1))
            bar?.label = String(format: "epoch %d/%d loss %.4f run ETA %@", p.epoch, p.epochs, p.loss, ProgressBar.clock(perStep * Double(total - step)))
            bar?.update(p.stepInEpoch, of: p.stepsPerEpoch)
        }, shouldStop: { StopSignal.requested })
        bar?.finish()
        guard root else { return trainer }
        let best = done.bestUAR.map { String(format: "best validation UAR %.2f / WAR %.2f at epoch %d", $0, done.bestWAR ?? 0, done.bestEpoch ?? 0) } ?? ""
        print("\(done.status) after \(done.epochs) epochs (\(done.step) steps); \(best); run in \(folder)")
        if done.status == "stopped" {
            throw CommandError("stopped at step \(done.step); continue with --resume (the last checkpoint is epoch \(done.epochs))", kind: .interrupted)
        }
        return trainer
    }
}

extension TrainConfig.Mode: ExpressibleByArgument {}
extension TrainConfig.OptimizerKind: ExpressibleByArgument {}
extension LandmarkInput: ExpressibleByArgument {}
extension TrainConfig.Selection: ExpressibleByArgument {}
