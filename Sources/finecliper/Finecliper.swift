import ArgumentParser
import TensorCore

@main
struct Finecliper: ParsableCommand {
    static func main() {
        Allocator.tuneForLargeTensors()
        Self.main(nil)
    }

    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "finecliper",
        abstract: "A terminal workbench for dynamic facial expression recognition with FineCLIPER.",
        discussion: """
            Until the terminal front end lands, running finecliper without a subcommand prints this help.
            """,
        version: version,
        subcommands: [DatasetCommand.self, LandmarksCommand.self, DescribeCommand.self, CropCommand.self, ClipCommand.self, Inspect.self, Bench.self]
    )

    mutating func run() throws {
        print(Finecliper.helpMessage())
    }
}
