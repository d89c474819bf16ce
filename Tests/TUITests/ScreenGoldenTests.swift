import Foundation
import Testing
import TestSupport
import Training
@testable import TUI
@testable import Workbench

/// Whole screens against golden files: the browser with verdicts, the confusion matrix and the
/// training screen on a finished run (fixed predictions and event times, so every cell is fixed).
@Suite struct ScreenGoldenTests {
    static let classes = ["happiness", "sadness", "fear"]

    static func verdict(_ id: String, truth: Int, _ probabilities: [Float]) -> ClipPrediction {
        let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
        let margins = probabilities.map { $0 / 4 - 0.05 }
        let object: [String: Any] = ["id": id, "truth": truth, "prediction": best, "classes": classes, "probabilities": probabilities,
                                     "positiveCosine": margins.map { $0 + 0.2 }, "negativeCosine": margins.map { _ in Float(0.2) }, "margins": margins,
                                     "modalityMargins": [String: [Float]](), "fusionWeights": [String: Float](), "frameProbabilities": [[Float]]()]
        return try! JSONDecoder().decode(ClipPrediction.self, from: JSONSerialization.data(withJSONObject: object))
    }

    func app() -> App {
        let labels = ["Happy", "Sad", "Fear"]
        let clips = (0..<6).map { i in ClipEntry(id: "clip_\(i)", path: "/none/\(i)", label: labels[i % 3], labelIndex: i % 3, frames: 16 + i,
                                                  description: i == 0 ? "The lip corners pull up." : nil) }
        let app = App(catalog: ClipCatalog(title: "test fold 1 test", classes: labels, clips: clips), faceModels: nil)
        let probabilities: [[Float]] = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.6, 0.1, 0.3], [0.9, 0.05, 0.05], [0.3, 0.4, 0.3], [0.1, 0.1, 0.8]]
        app.load(predictions: Dictionary(uniqueKeysWithValues: (0..<6).map { ("clip_\($0)", Self.verdict("clip_\($0)", truth: $0 % 3, probabilities[$0])) }))
        return app
    }

    @Test func browserWithVerdicts() throws {
        let app = app()
        try Golden.check(app.render(width: 100, height: 18), "screen-browser-verdicts")
        for k in ["/", "w", "r", "o", "n", "g", "enter"] { app.handle(k) }
        #expect(app.render(width: 100, height: 18).text.contains("1 of 6 clips"))
    }

    @Test func confusionMatrix() throws {
        let app = app()
        app.handle("4"); app.handle("j"); app.handle("j")
        try Golden.check(app.render(width: 100, height: 16), "screen-confusion")
    }

    @Test func trainingScreenOnAFinishedRun() throws {
        let scratch = Scratch()
        let folder = scratch.path("run-golden")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var config = TrainConfig(data: "samples", model: "embedded")
        config.epochs = 3
        let t0 = Date(timeIntervalSince1970: 2_000_000_000)
        var events: [(TrainEvent, Double)] = [(.config(RunStarted(config: config, classes: Self.classes, trainClips: 12, validationClips: 3,
                                                                  selection: "validation", stepsPerEpoch: 4)), 0)]
        for s in 1...12 {
            let e = (s - 1) / 4 + 1
            events.append((.step(StepRecord(epoch: e, step: s, loss: 2 * exp(-Double(s) / 5) + (s % 3 == 0 ? 0.2 : 0), learningRates: ["adapters": 1e-3 * Double(13 - s) / 12, "fusion": 1e-2],
                                            gradientNorm: 1, clipsPerSecond: 8)), Double(s) * 2))
            if s % 4 == 0 {
                let m = ConfusionMatrix(truth: [0, 1, 2, 0, 1, 2], predictions: e == 3 ? [0, 1, 2, 0, 1, 0] : [0, 0, 2, 0, 1, 0], classes: 3)
                events.append((.epoch(EpochRecord(epoch: e, step: s, trainLoss: 1, metrics: m, seconds: 8)), Double(s) * 2 + 0.5))
            }
        }
        events.append((.checkpoint(CheckpointRecord(path: folder + "/checkpoints/best.safetensors", epoch: 3, step: 12, best: true)), 25))
        events.append((.done(RunFinished(status: "finished", epochs: 3, step: 12, bestEpoch: 3, bestUAR: 83.3, bestWAR: 83.3)), 26))
        try events.map { try $0.0.line(time: t0.addingTimeInterval($0.1)) }.joined(separator: "\n").appending("\n")
            .write(toFile: folder + "/events.jsonl", atomically: true, encoding: .utf8)
        let app = app()
        app.openRun(folder)
        let screen = app.render(width: 110, height: 40)
        #expect(screen.text.contains("elapsed 0:26") && screen.text.contains("epoch 3/3   step 12/12"))
        try Golden.check(screen, "screen-training")
    }
}
