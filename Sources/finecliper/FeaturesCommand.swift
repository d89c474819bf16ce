import ArgumentParser
import FineCLIPER
import Foundation
import Training
import Workbench

/// `finecliper features`: builds the feature cache of cached-mode training ahead of time.
struct FeaturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Compute the frozen per-frame CLIP embeddings that cached training reads.",
        discussion: """
            Every clip of the dataset (train and test) is read with test-time sampling, its parsing and \
            landmark renders are drawn, and each stream's frame embeddings are stored under \
            $XDG_CACHE_HOME/finecliper/features in a folder named by a hash of the weights and the \
            preprocessing. Clips already there are skipped, so an interrupted build resumes; \
            `finecliper train --mode cached` with the same options uses the same cache.
            """)

    @Option(help: "Dataset root.") var data: String
    @Option(help: "Layout: dfew, ferv39k, mafw or list.") var format: String?
    @Option(help: "Fold.") var fold: Int?
    @Option(help: "A Hugging Face CLIP folder, embedded or tiny.") var model: String
    @Option(help: "low, mid, high or all (which streams).") var variant: Variant = .all
    @Option(help: "Frames per clip.") var frames = 16

    func run() throws {
        var config = TrainConfig(data: data, model: model)
        config.format = format; config.fold = fold; config.variant = variant; config.frames = frames; config.mode = .cached
        let faces = try? FaceModels.load(blazeFace: Assets.blazeFace, dlibLandmarks: Assets.dlibLandmarks)
        let experiment = try Experiment(config: config, bpeFile: Assets.bpe, faceModels: faces, embeddedFolder: Assets.embeddedCLIP)
        let clips = experiment.train + experiment.validation + experiment.test
        // Under mpirun each rank computes its share into the cache folder; rank 0 reports the total.
        let communicator = try MPICommunicator.current()
        let bar = communicator.isRoot ? ProgressBar(label: "features") : nil
        let mine = communicator.share(of: clips.count).map { clips[$0] }
        var computed = [0.0]
        try DistributedJob.run(communicator) {
            computed[0] = Double(try experiment.buildCache(mine) { bar?.update($0, of: $1) })
            try communicator.sum(&computed)
            try communicator.barrier()
        }
        bar?.finish()
        guard communicator.isRoot else { return }
        print("\(Int(computed[0])) of \(clips.count) clips computed (the rest were cached) in \(experiment.cacheFolder ?? "")"
              + (communicator.size > 1 ? " by \(communicator.size) ranks" : ""))
    }
}
