import Foundation
import Testing
import Training
@testable import Workbench

/// Predictions files in the browser: malformed lines are counted and skipped; filters and sort
/// orders that use the verdicts.
@Suite struct PredictionsTests {
    static func prediction(_ id: String, truth: Int, probabilities: [Float], margins: [Float]) -> ClipPrediction {
        let classes = ["happiness", "sadness"]
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        let object: [String: Any] = ["id": id, "truth": truth, "prediction": best, "classes": classes, "probabilities": probabilities,
                                     "positiveCosine": margins, "negativeCosine": margins.map { _ in 0 }, "margins": margins,
                                     "modalityMargins": [String: [Float]](), "fusionWeights": [String: Float](), "frameProbabilities": [[Float]]()]
        return try! JSONDecoder().decode(ClipPrediction.self, from: JSONSerialization.data(withJSONObject: object))
    }

    static let catalog = ClipCatalog(title: "t", classes: ["Happy", "Sad"], clips: [
        ClipEntry(id: "a", path: "/a", label: "Happy", labelIndex: 0), ClipEntry(id: "b", path: "/b", label: "Sad", labelIndex: 1),
        ClipEntry(id: "c", path: "/c", label: "Sad", labelIndex: 1), ClipEntry(id: "d", path: "/d", label: "Happy", labelIndex: 0, description: "smiles"),
    ])
    static let predictions: [String: ClipPrediction] = [
        "a": prediction("a", truth: 0, probabilities: [0.9, 0.1], margins: [0.3, -0.1]),
        "b": prediction("b", truth: 1, probabilities: [0.6, 0.4], margins: [0.05, 0.0]),
        "c": prediction("c", truth: 1, probabilities: [0.2, 0.8], margins: [-0.1, 0.2]),
    ]

    @Test func filtersByVerdictPredictedAndTrueClass() {
        let c = Self.catalog, p = Self.predictions
        #expect(c.filtered("wrong", predictions: p) == [1])
        #expect(c.filtered("right", predictions: p) == [0, 2])
        #expect(c.filtered("pred:happ", predictions: p) == [0, 1])
        #expect(c.filtered("true:sad pred:happiness", predictions: p) == [1], "the model's class names work too")
        #expect(c.filtered("true:sadness", predictions: p) == [1, 2])
        #expect(c.filtered("class:happy smiles", predictions: p) == [3])
        #expect(c.filtered("wrong", predictions: [:]).isEmpty, "no verdicts, nothing wrong")
        #expect(c.sorted([0, 1, 2, 3], by: .confidence, predictions: p) == [0, 2, 1, 3], "high first, unscored last")
        #expect(c.sorted([0, 1, 2, 3], by: .margin, predictions: p) == [1, 2, 0, 3], "ambiguous first")
    }

    @Test func predictionsFilesSkipBadLinesAndRefuseEmptyOnes() throws {
        let file = NSTemporaryDirectory() + "finecliper-predictions-" + UUID().uuidString + ".jsonl"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let encoder = JSONEncoder()
        let good = String(decoding: try encoder.encode(Self.predictions["a"]!), as: UTF8.self)
        var broken = Self.predictions["b"]!
        broken.prediction = 7   // out of range
        let lines = [good, "{\"id\": \"x\"}", "", "not json", String(decoding: try encoder.encode(broken), as: UTF8.self), String(good.prefix(30))]
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let read = try PredictionsFile.read(file)
        #expect(read.predictions.keys.sorted() == ["a"] && read.badLines == [2, 4, 5, 6])
        try "nothing here\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: TrainError.self) { try PredictionsFile.read(file) }
        #expect(throws: TrainError.self) { try PredictionsFile.read(file + ".missing") }
    }
}

