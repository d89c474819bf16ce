import FineCLIPER
import Foundation
import TensorCore

/// One line of a predictions file (`finecliper eval`): what the model said about one clip, with
/// everything the workbench's misclassification views show.
public struct ClipPrediction: Codable, Equatable, Sendable {
    public var id: String
    public var truth: Int
    public var prediction: Int
    public var classes: [String]
    public var probabilities: [Float]
    public var positiveCosine: [Float]
    public var negativeCosine: [Float]
    public var margins: [Float]
    public var modalityMargins: [String: [Float]]
    public var fusionWeights: [String: Float]
    /// [frame][class] probabilities from each video frame alone.
    public var frameProbabilities: [[Float]]

    public init(id: String, truth: Int, output o: ModelOutput) {
        self.id = id
        self.truth = truth
        prediction = o.predictions[0]
        classes = o.classNames
        probabilities = o.probabilities[0]
        positiveCosine = o.positiveCosine[0]
        negativeCosine = o.negativeCosine[0]
        margins = o.margins[0]
        modalityMargins = Dictionary(uniqueKeysWithValues: o.modalityMargins.map { ($0.key.rawValue, $0.value[0]) })
        fusionWeights = Dictionary(uniqueKeysWithValues: o.fusionWeights.map { ($0.key.rawValue, $0.value) })
        frameProbabilities = o.frameProbabilities.first ?? []
    }

    public var correct: Bool { truth == prediction }
}

extension ClipPrediction {
    /// A predictions file: one prediction per line, keys sorted, written whole or not at all.
    public static func write(_ outputs: [(id: String, label: Int, output: ModelOutput)], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let lines = try outputs.map { String(decoding: try encoder.encode(ClipPrediction(id: $0.id, truth: $0.label, output: $0.output)), as: UTF8.self) }
        try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: path)
    }
}
