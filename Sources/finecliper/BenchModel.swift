import ArgumentParser
import CLIP
import FineCLIPER
import Foundation
import TensorCore

/// `finecliper bench model`: one FineCLIPER forward pass, or one training step (forward and
/// backward, gradient checkpointing on by default; by default as the trainer takes it, one pass
/// per clip with the clips side by side), for B clips × T frames × 3 streams with
/// descriptions, on deterministic weights. scripts/bench-model runs the PyTorch twin on the same
/// work in the same run, each phase in its own process so peak memory is per phase.
struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Benchmark a FineCLIPER forward pass and training step.")

    @Option(help: "CLIP backbone: b16, b32, l14, small or tiny.")
    var backbone: Backbone = .b16

    @Option(help: "low, mid, high or all.")
    var variant: Variant = .all

    @Option(help: "Clips per batch.")
    var clips = 2

    @Option(help: "Frames per clip.")
    var frames = 16

    @Option(help: "forward or step.")
    var phase = "step"

    @Flag(inversion: .prefixedNo, help: "Recompute vision blocks in backward (gradient checkpointing).")
    var recompute = true

    @Option(help: "With recomputation, MiB per pass of the blocks' products kept for their replay (default the trainer's; 0: every block replayed in full).")
    var keepMib = Recomputation.standardBudget >> 20

    @Option(help: "Thread count (BLAS and the Swift kernels; in a per-clip step, clips side by side).")
    var threads = 2

    @Flag(inversion: .prefixedNo, help: "A step as the trainer takes it: one pass per clip, clips side by side (else one pass over the batch).")
    var perClip = true

    @Option(help: "Timed repetitions after one warm-up (the median is reported).")
    var repeats = 1

    @Option(help: "What the landmark stream reads: image or points (the embedded model's; default image).")
    var landmarkInput: LandmarkInput = .image

    @Flag(help: "Print one JSON line.")
    var json = false

    func validate() throws {
        guard ["forward", "step"].contains(phase) else { throw ValidationError("--phase must be forward or step") }
        guard clips >= 1, frames >= 1, frames <= 16, repeats >= 1, threads >= 1, keepMib >= 0 else {
            throw ValidationError("--clips ≥ 1, --frames 1…16, --repeats ≥ 1, --threads ≥ 1, --keep-mib ≥ 0")
        }
    }

    /// The same ids as scripts/bench/model_torch.py: prompts of 9 and 10 tokens, descriptions of 60
    /// (or the context length).
    static func ids(count: Int, length: Int, salt: Int) -> [[Int]] {
        (0..<count).map { r in [49406] + (1..<(length - 1)).map { 1 + (r * 7919 + $0 * 104_729 + salt) % 49_000 } + [49407] }
    }

    func run() throws {
        Parallelism.setThreads(threads)
        let clip = CLIPModel(config: backbone.clip)
        clip.fillDeterministic()
        var config = FineCLIPERConfig(clip: backbone.clip, variant: variant, classNames: FineCLIPERConfig.sevenClassNouns)
        config.adapters.dropPath = 0
        config.landmarkInput = landmarkInput
        if let problem = config.validate() { throw ValidationError(problem) }
        let model = try FineCLIPERModel(config: config, clip: clip)
        model.fillDeterministic()
        let s = backbone.clip.vision.imageSize
        var streams: [VisualStream: StreamInput] = [:]
        for stream in variant.streams where !(stream == .landmarks && config.readsLandmarkPoints) {
            streams[stream] = .images(DeterministicParameters.tensor("bench.\(stream.rawValue)", [clips * frames, 3, s, s], scale: 0.5, offset: 0.5))
        }
        if config.readsLandmarkPoints {
            streams[.landmarks] = .points(DeterministicParameters.tensor("bench.points", [clips, frames, LandmarkPoints.width], scale: 1, offset: 0))
        }
        let context = backbone.clip.text.contextLength
        let batch = ClipBatch(clips: clips, frames: frames, streams: streams,
                              descriptions: Self.ids(count: clips, length: min(60, context), salt: 3), labels: (0..<clips).map { $0 % 7 })
        let prompts = ClassPrompts(positive: Self.ids(count: 7, length: min(9, context), salt: 1), negative: Self.ids(count: 7, length: min(10, context), salt: 2))
        let recomputation: Recomputation = recompute ? .blocks(keeping: keepMib << 20) : .off
        var loss: Float = 0
        let ms = TensorBenchmarks.time(repeats: repeats) {
            if phase == "forward" {
                loss = (try? model.forward(batch, prompts: prompts).output.loss) ?? .nan
            } else if perClip {
                for p in model.trainableParameters { p.zeroGrad() }
                let step = PerClipStep(model: model, prompts: prompts, threads: threads, recompute: recomputation)
                loss = (try? step.run(batch, seed: 1)).map(Float.init) ?? .nan
            } else {
                let tape = Tape()
                guard let pass = try? model.forward(batch, prompts: prompts, tape: tape, mode: .train(seed: 1), recompute: recomputation) else { return }
                for p in model.trainableParameters { p.zeroGrad() }
                tape.backward(pass.loss!)
                loss = pass.output.loss ?? .nan
            }
        }
        let name = "\(variant.rawValue) \(backbone.rawValue) \(phase)" + (phase == "step" && recompute ? " (recompute, keep \(keepMib) MiB)" : "")
            + (phase == "step" && perClip ? " per clip" : "")
        if json {
            print(#"{"name":"\#(name)","threads":\#(threads),"clips":\#(clips),"frames":\#(frames),"ms":\#(ms),"loss":\#(loss)}"#)
        } else {
            print("\(name): \(String(format: "%.0f", ms)) ms for \(clips) clips × \(frames) frames × \(variant.streams.count) streams, \(threads) thread(s), loss \(loss)")
        }
    }
}
