import ArgumentParser
import CLIP
import FineCLIPER
import Foundation
import TensorCore
import Training

/// `finecliper bench allreduce`, under `mpirun -np N`: what data-parallel training adds to each
/// step. For each backbone (variant all) in full and cached mode: the trainable parameters, the
/// time to sum them across the ranks (what every step pays), and in cached mode the compute of
/// one training step per clip (frozen frame embeddings in, temporal models, text adapters and
/// fusion trained), so the two can be set against each other.
struct BenchAllreduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce",
        abstract: "Benchmark the gradient allreduce of distributed training (run under mpirun).")

    @Option(parsing: .upToNextOption, help: "Backbones (variant all).") var backbones: [Backbone] = [.tiny, .b32, .b16]
    @Option(help: "Timed repetitions (the median is reported).") var repeats = 5
    @Option(help: "Clips per cached-mode step (for its per-clip compute).") var clips = 8

    func run() throws {
        let communicator = try MPICommunicator.current()
        try DistributedJob.run(communicator) {
            if communicator.isRoot {
                print("ranks \(communicator.size) (OMPI_MCA_btl=\(ProcessInfo.processInfo.environment["OMPI_MCA_btl"] ?? "default"))")
            }
            for backbone in backbones {
                let clip = CLIPModel(config: backbone.clip)
                clip.fillDeterministic()
                for cached in [false, true] {
                    var config = FineCLIPERConfig(clip: backbone.clip, variant: .all, classNames: FineCLIPERConfig.sevenClassNouns)
                    config.adapters.visualAdaptersOff = cached
                    let model = try FineCLIPERModel(config: config, clip: clip)
                    model.fillDeterministic()
                    let count = model.trainableParameters.reduce(0) { $0 + $1.value.count }
                    var values = [Float](repeating: 1e-3, count: count)
                    try communicator.barrier()
                    var failure: Error?
                    let ms = TensorBenchmarks.time(repeats: repeats) { do { try communicator.sum(&values) } catch { failure = error } }
                    if let failure { throw failure }
                    var line = String(format: "%@ %@: %.2f M trainable parameters (%.0f MB), allreduce %.1f ms", backbone.rawValue,
                                      cached ? "cached" : "full", Double(count) / 1e6, Double(count * 4) / 1e6, ms)
                    if cached { line += String(format: ", cached step %.1f ms per clip", try cachedStep(model, backbone) / Double(clips)) }
                    if communicator.isRoot { print(line) }
                }
            }
        }
    }

    /// One cached-mode training step on `clips` clips of 16 frozen frame embeddings per stream.
    func cachedStep(_ model: FineCLIPERModel, _ backbone: Backbone) throws -> Double {
        let p = backbone.clip.projectionDim, frames = 16
        var streams: [VisualStream: StreamInput] = [:]
        for s in Variant.all.streams { streams[s] = .features(DeterministicParameters.tensor("bench.\(s.rawValue)", [clips, frames, p], scale: 0.5, offset: 0)) }
        let context = backbone.clip.text.contextLength
        let batch = ClipBatch(clips: clips, frames: frames, streams: streams, descriptions: BenchModel.ids(count: clips, length: min(60, context), salt: 3),
                              labels: (0..<clips).map { $0 % 7 })
        let prompts = ClassPrompts(positive: BenchModel.ids(count: 7, length: min(9, context), salt: 1), negative: BenchModel.ids(count: 7, length: min(10, context), salt: 2))
        return TensorBenchmarks.time(repeats: repeats) {
            let tape = Tape()
            guard let pass = try? model.forward(batch, prompts: prompts, tape: tape, mode: .train(seed: 1)) else { return }
            tape.backward(pass.loss!)
        }
    }
}
