import ArgumentParser
import FineCLIPER
import Foundation
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

    @Option(help: "Dataset root (DFEW, FERV39k, MAFW or DFER-CLIP annotation lists).")
    var data: String

    @Option(help: "Layout: dfew, ferv39k, mafw or list (detected when omitted).")
    var format: String?

    @Option(help: "Fold (DFEW and MAFW: 1-5).")
    var fold: Int?

    @Option(help: "A Hugging Face CLIP folder, or tiny (a deterministic tiny CLIP for trials and tests).")
    var model: String

    @Option(help: "low, mid, high or all.")
    var variant: Variant = .all

    @Option(help: "full (adapters in the ViT) or cached (frozen frame embeddings).")
    var mode: TrainConfig.Mode = .full

    @Option(help: "Epochs.") var epochs = 50
    @Option(help: "Clips per batch.") var batch = 48
    @Option(help: "Frames per clip.") var frames = 16
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "sgd or adamw.") var optimizer: TrainConfig.OptimizerKind = .sgd
    @Option(help: "Model selection: validation or test.") var selection: TrainConfig.Selection = .validation
    @Option(help: "Learning rate of the adapters.") var adapterRate: Float = 1e-3
    @Option(help: "Learning rate of the temporal models.") var temporalRate: Float = 1e-2

    @Option(name: .long, help: "Run folder (created).")
    var out: String

    @Flag(help: "Continue the run in --out from its last checkpoint.")
    var resume = false

    @Flag(help: "No augmentation (sampling stays random).")
    var noAugment = false

    func run() throws {
        var config = TrainConfig(data: data, model: model)
        config.format = format; config.fold = fold; config.variant = variant; config.mode = mode
        config.epochs = epochs; config.batch = batch; config.frames = frames; config.seed = seed
        config.optimizer = optimizer; config.selection = selection; config.adapterRate = adapterRate; config.temporalRate = temporalRate
        config.augment = !noAugment
        let faces = try? FaceModels.load(blazeFace: Assets.blazeFace, dlibLandmarks: Assets.dlibLandmarks)
        let trainer = try Trainer(config: config, folder: out, resume: resume, bpeFile: Assets.path("bpe_simple_vocab_16e6.txt"), faceModels: faces)
        StopSignal.install()
        if mode == .cached {
            let bar = ProgressBar(label: "features")
            let n = try trainer.experiment.buildCache(trainer.train + trainer.validation + trainer.test) { bar.update($0, of: $1) }
            bar.finish()
            FileHandle.standardError.write(Data("feature cache: \(n) clips computed\n".utf8))
        }
        // One bar per epoch: its rate and ETA are the epoch's.
        var bar: ProgressBar? = nil, barEpoch = 0
        let done = try trainer.run(progress: { p in
            if p.epoch != barEpoch { bar?.finish(); bar = ProgressBar(label: ""); barEpoch = p.epoch }
            bar?.label = String(format: "epoch %d/%d loss %.4f", p.epoch, p.epochs, p.loss)
            bar?.update(p.stepInEpoch, of: p.stepsPerEpoch)
        }, shouldStop: { StopSignal.requested })
        bar?.finish()
        let best = done.bestUAR.map { String(format: "best validation UAR %.2f / WAR %.2f at epoch %d", $0, done.bestWAR ?? 0, done.bestEpoch ?? 0) } ?? ""
        print("\(done.status) after \(done.epochs) epochs (\(done.step) steps); \(best); run in \(out)")
        if done.status == "stopped" {
            throw CommandError("stopped at step \(done.step); continue with --resume (the last checkpoint is epoch \(done.epochs))", kind: .interrupted)
        }
    }
}

extension TrainConfig.Mode: ExpressibleByArgument {}
extension TrainConfig.OptimizerKind: ExpressibleByArgument {}
extension TrainConfig.Selection: ExpressibleByArgument {}
