import ArgumentParser
import Datasets
import FineCLIPER
import Foundation
import TensorCore
import Training

/// `finecliper bench train`: one epoch of the real trainer on a generated dataset, in cached and
/// full mode: training clips per second (steps only, validation and checkpoints apart), the cached
/// mode's one-off feature build, CPU use in cores and the process's peak resident memory.
/// scripts/bench-train puts the full-mode step next to the PyTorch twin's.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Benchmark one training epoch in cached and full mode.",
        discussion: """
            --model takes what train takes, plus random-b32 and random-b16 (ViT-B CLIPs with \
            deterministic weights: full-size speed and memory without a download). The peak memory \
            is the process's so far, so a mode's own peak is its number when it runs alone (--mode).
            """)

    @Option(help: "tiny, embedded, random-b32, random-b16 or a CLIP folder.") var model = "tiny"
    @Option(help: "cached, full or both.") var mode = "both"
    @Option(help: "low, mid, high or all.") var variant: Variant = .all
    @Option(help: "Generated training clips per class (10 % of them are held out for validation).") var trainPerClass = 4
    @Option(help: "Clips per batch.") var batch = 4
    @Option(help: "Frames per clip.") var frames = 8
    @Flag(inversion: .prefixedNo, help: "Load the next step's clips while a step computes (train does with more than two cores).")
    var prefetch = ProcessInfo.processInfo.activeProcessorCount > 2
    @Option(help: "Clips of a step computed side by side (default: the machine's cores).") var threads = Parallelism.available
    @Flag(help: "One JSON line per mode.") var json = false

    func validate() throws {
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1…64") }
        guard ["cached", "full", "both"].contains(mode) else { throw ValidationError("--mode must be cached, full or both") }
        guard (1...100).contains(trainPerClass), (1...256).contains(batch), (1...32).contains(frames) else {
            throw ValidationError("--train-per-class 1…100, --batch 1…256, --frames 1…32")
        }
    }

    struct Result: Encodable {
        let model: String, mode: String, variant: String, clips: Int, batch: Int, frames: Int, steps: Int, prefetch: Bool, threads: Int
        let clipsPerSecond: Double, secondsPerStep: Double, featureSecondsPerClip: Double?, cpuCores: Double, peakMB: Double
    }

    func run() throws {
        let root = NSTemporaryDirectory() + "finecliper-bench-train-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var synth = SyntheticConfig()
        synth.trainPerClass = trainPerClass; synth.testPerClass = 1; synth.frames = frames; synth.size = 112; synth.seed = 5
        try SyntheticDataset.write(synth, to: root + "/data")
        for m in mode == "both" ? ["cached", "full"] : [mode] {
            var config = TrainConfig(data: root + "/data", model: model)
            config.mode = m == "cached" ? .cached : .full
            config.variant = variant; config.epochs = 1; config.batch = batch; config.frames = frames
            let trainer = try Trainer(config: config, folder: root + "/run-\(m)", resume: false, bpeFile: Assets.bpe, faceModels: nil,
                                      cacheRoot: root + "/cache", embeddedFolder: Assets.embeddedCLIP)
            trainer.usePrefetch = prefetch
            trainer.threads = threads
            var featureSeconds: Double? = nil
            if config.mode == .cached {
                let all = trainer.train + trainer.validation + trainer.test, t0 = Date()
                _ = try trainer.experiment.buildCache(all)
                featureSeconds = Date().timeIntervalSince(t0) / Double(all.count)
            }
            let cpu0 = Self.cpuSeconds(), t0 = Date()
            var lastStep = t0, cpuAtLastStep = cpu0, steps = 0
            _ = try trainer.run(progress: { p in
                lastStep = Date(); cpuAtLastStep = Self.cpuSeconds(); steps = p.stepInEpoch
            })
            let seconds = lastStep.timeIntervalSince(t0), clips = steps * min(batch, trainer.train.count)
            let r = Result(model: model, mode: m, variant: variant.rawValue, clips: clips, batch: batch, frames: frames, steps: steps, prefetch: prefetch, threads: threads,
                           clipsPerSecond: Double(clips) / seconds, secondsPerStep: seconds / Double(max(steps, 1)), featureSecondsPerClip: featureSeconds,
                           cpuCores: (cpuAtLastStep - cpu0) / seconds, peakMB: Self.peakMB())
            if json {
                let e = JSONEncoder(); e.outputFormatting = .sortedKeys
                print(String(decoding: try e.encode(r), as: UTF8.self))
            } else {
                print(String(format: "%@ %@ (%@): %d clips × %d frames in %d steps of %d, %d threads: %.2f clips/s, %.2f s/step, %.2f cores, peak %.0f MB%@",
                             model, m, variant.rawValue, clips, frames, steps, batch, threads, r.clipsPerSecond, r.secondsPerStep, r.cpuCores, r.peakMB,
                             featureSeconds.map { String(format: "; features once: %.2f s per clip", $0) } ?? ""))
            }
        }
    }

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    static func peakMB() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_maxrss) / 1024
    }
}
