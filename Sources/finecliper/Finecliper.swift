import ArgumentParser
import Foundation
import TensorCore

@main
struct Finecliper: ParsableCommand {
    static func main() {
        BLASCoreCheck.reexecIfSlow()
        Allocator.tuneForLargeTensors()
        ExitGuard.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard let (message, status) = ErrorReport.classify(error) else { exit(withError: error) }
            ErrorReport.print(message)
            Foundation.exit(status.rawValue)
        }
    }

    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "finecliper",
        abstract: "A terminal workbench for dynamic facial expression recognition with FineCLIPER.",
        discussion: """
            Without a subcommand finecliper opens the terminal workbench (finecliper tui) on the samples.
            """,
        version: version,
        subcommands: [TuiCommand.self, DatasetCommand.self, PretrainCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self, ReferenceCommand.self, FeaturesCommand.self, ModelCommand.self, SynthCommand.self, LandmarksCommand.self, DescribeCommand.self, CropCommand.self, ClipCommand.self, Inspect.self, Bench.self]
    )

    mutating func run() throws {
        let tui = try TuiCommand.parse([])
        try tui.run()
    }
}
