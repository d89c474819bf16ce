import ArgumentParser

/// `finecliper bench …`: performance measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of the numeric core, the media layer, CLIP, the face pipeline and FineCLIPER.",
        subcommands: [BenchTensor.self, BenchMedia.self, BenchClip.self, BenchFace.self, BenchModel.self, BenchTrain.self, BenchAllreduce.self])
}
