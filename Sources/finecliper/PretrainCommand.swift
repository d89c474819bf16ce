import ArgumentParser
import Foundation
import TensorCore
import Training

/// `finecliper pretrain`: contrastive pretraining of a small CLIP on synthetic image/text pairs
/// (see Training.Pretrainer), the backbone of the embedded model.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain a small CLIP on synthetic face/text pairs (events.jsonl, checkpoints, resumable).",
        discussion: """
            Both towers are trained from scratch with CLIP's symmetric InfoNCE loss and a learnable \
            temperature on pairs drawn from the synthetic clip generator: a frame of a random clip in \
            one of the three visual streams (video, parsing overlay, landmarks), with a class prompt, \
            action-unit phrases, both, or the clip's movement description. Every pair is a function of \
            (seed, index), so nothing is read from disk and --resume continues exactly. Every \
            --probe-every steps the pairs of unseen identities are classified zero-shot by the seven \
            class prompts (UAR in events.jsonl). At the end OUT/clip is a Hugging Face CLIP folder that \
            `train --model OUT/clip` accepts. Ctrl-C writes a checkpoint and stops.
            """)

    @Option(help: "CLIP preset to train from scratch: small (the embedded model's) or tiny (with --from, that folder's own configuration).") var clip = "small"
    @Option(help: "Optimizer steps.") var steps = 3000
    @Option(help: "Image/text pairs per step.") var batch = 128
    @Option(help: "Peak AdamW learning rate (cosine decay after warm-up).") var learningRate: Float = 1e-3
    @Option(help: "The text tower's rate as a fraction of --learning-rate.") var textRateFactor: Float = 0.1
    @Option(help: "Warm-up steps.") var warmup = 200
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Probe pairs classified zero-shot.") var probePairs = 350
    @Option(help: "Steps between probes.") var probeEvery = 250
    @Option(help: "Steps between checkpoints.") var checkpointEvery = 50
    @Option(help: "Share of pairs (0–1) showing animated real face photos, as synth --real-faces renders them.") var realFaces = 0.0
    @Flag(help: "The real faces keep their own proportions, as synth --photo-shapes renders them.") var photoShapes = false
    @Option(name: .customLong("from"), help: "Start from this CLIP folder's weights (e.g. an earlier run's OUT/clip) instead of from scratch.") var initFrom: String?
    @Option(help: "Thread count (BLAS and the Swift kernels).") var threads = 2
    @Option(name: .long, help: "Run folder (created).") var out: String
    @Flag(help: "Continue the run in --out from its last checkpoint.") var resume = false

    func run() throws {
        var config = PretrainConfig()
        config.clip = clip; config.steps = steps; config.batch = batch; config.learningRate = learningRate; config.textRateFactor = textRateFactor
        config.warmup = warmup; config.seed = seed; config.probePairs = probePairs; config.probeEvery = probeEvery
        config.checkpointEvery = checkpointEvery
        if realFaces > 0 { config.realFaces = realFaces }
        guard !photoShapes || realFaces > 0 else { throw ValidationError("--photo-shapes needs --real-faces") }
        if photoShapes { config.photoShapes = true }
        config.initFrom = initFrom
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        Parallelism.setThreads(threads)
        StopSignal.install()
        let textures = realFaces > 0 ? try RealFaceTextures.load() : []
        if !textures.isEmpty { print(RealFaceTextures.summary(textures)) }
        let pretrainer = try Pretrainer(config: config, folder: out, resume: resume, bpeFile: Assets.bpe, textures: textures)
        let first = pretrainer.state.step
        let bar = ProgressBar(label: "")
        let done = try pretrainer.run(progress: { p in
            bar.label = String(format: "step %d/%d loss %.4f", p.step, p.steps, p.loss) + (p.probeUAR.map { String(format: " probe UAR %.1f", $0) } ?? "")
            bar.update(p.step - first, of: p.steps - first)
        }, shouldStop: { StopSignal.requested })
        bar.finish()
        let probe = done.bestUAR.map { String(format: "; best probe UAR %.2f", $0) } ?? ""
        if done.status == "stopped" {
            throw CommandError("stopped at step \(done.step) (checkpoint written); continue with --resume", kind: .interrupted)
        }
        print("\(done.status) after \(done.step) steps\(probe); CLIP folder \(pretrainer.exportFolder)")
    }
}
