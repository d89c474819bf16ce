import ArgumentParser
struct BenchTensor: ParsableCommand { static let configuration = CommandConfiguration(commandName: "tensor"); func run() {} }
