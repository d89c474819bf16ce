import ArgumentParser

/// `finecliper bench …`: performance measurements.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of the numeric core and the media layer.",
        subcommands: [BenchTensor.self, BenchMedia.self, BenchClip.self, BenchFace.self])
}
