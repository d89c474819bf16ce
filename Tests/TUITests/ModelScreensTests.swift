import Foundation
import Testing
import TestSupport
import Training
import Datasets
@testable import TUI
@testable import Workbench

/// The screens that show the model: the player's live probabilities and PN scores, an
/// evaluation's verdicts in the browser and the confusion matrix, and the training screen on a
/// run folder — drawn into the cell buffer and driven by keys.
@Suite(.serialized) struct ModelScreensTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let model = try! ClassifierModel(checkpoint: nil, embeddedCheckpoint: root + "/" + ModelSource.embeddedCheckpoint,
                                            embeddedCLIP: root + "/" + ModelSource.embeddedCLIP, bpeFile: root + "/assets/bpe_simple_vocab_16e6.txt")
    static let faces = try! FaceModels.load(blazeFace: root + "/assets/face_detection_short_range.tflite",
                                            dlibLandmarks: "/usr/share/dlib/shape_predictor_68_face_landmarks.dat",
                                            expressionReference: root + "/assets/emotion_model_quantized.tflite")

    func app() throws -> App {
        let catalog = try ClipCatalog.dataset(root: Self.root + "/samples", format: nil, fold: nil, split: "all",
                                              descriptions: try DescriptionStore(path: Self.root + "/samples/descriptions.jsonl"))
        return App(catalog: catalog, faceModels: Self.faces, model: Self.model)
    }

    /// Ticks and renders until the screen satisfies `condition` (or `seconds` pass).
    func waitFor(_ app: App, _ seconds: Double = 60, width: Int = 140, height: Int = 50, _ condition: (String) -> Bool) -> String {
        let end = Date().addingTimeInterval(seconds)
        var text = ""
        repeat {
            app.tick()
            text = app.render(width: width, height: height).text
            if condition(text) { break }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < end
        return text
    }

    @Test func thePlayerShowsLiveProbabilitiesPNScoresAndPrompts() throws {
        let app = try app()
        app.handle("enter")
        var text = waitFor(app) { $0.contains("all 32 frames scored") }
        #expect(text.contains("embedded: all 32 frames scored") && text.contains("clip (16 frames sampled)"), "\(text)")
        #expect(text.contains("▸happiness") && text.contains("%"), "the prediction is marked")
        #expect(text.contains("window of 4 frames") && text.contains("┃"), "the frame's own value is ticked")
        #expect(text.contains("top class over the clip: model, real-face reference") && text.contains("HHHH"))
        #expect(text.contains("fer on frame ") && text.contains("%"), "the second opinion on this frame")
        #expect(text.contains("description (descriptions file)") && text.contains("the model read (motion describer)") && text.contains("the model's CLIP sees"))
        #expect(text.contains("model embedded (7 classes)"), "the status bar names the model")
        app.handle("tab")
        text = waitFor(app) { $0.contains("cos(video, positive)") }
        #expect(text.contains("[PN scores]") && text.contains("margin") && text.contains("stream     weight"), "\(text)")
        for m in ["video", "parsing", "landmarks", "descriptio"] { #expect(text.contains(m)) }
        app.handle("j"); app.handle("enter")
        text = app.render(width: 140, height: 50).text
        #expect(text.contains("Prompts of sadness") && text.contains("positive: A person with an expression of sadness")
                && text.contains("negative: A person with an expression of no sadness"), "\(text)")
        app.handle("esc")
        #expect(!app.render(width: 140, height: 50).text.contains("Prompts of"))
        app.handle("tab")
        #expect(waitFor(app) { $0.contains("[motion]") }.contains("landmarks on"))
        app.handle("esc")
        #expect(app.screen == .browser)
    }

    @Test func anEvaluationFillsTheBrowserAndTheConfusionMatrixLeadsToClips() throws {
        let app = try app()
        app.handle("4")
        #expect(app.render(width: 120, height: 40).text.contains("No predictions yet: press e"))
        app.handle("e")
        #expect(app.screen == .browser)
        var text = waitFor(app, 300, width: 120, height: 40) { $0.contains("evaluation: UAR") }
        // What the screens must show follows from the verdicts (the shipped model decides which clips are wrong).
        let verdicts = app.predictions.values
        #expect(verdicts.count == 21)
        let m = ConfusionMatrix(truth: verdicts.map(\.truth), predictions: verdicts.map(\.prediction), classes: 7)
        let wrong = verdicts.filter { $0.truth != $0.prediction }.sorted { $0.id < $1.id }
        print("samples through the workbench: UAR \(m.uar), wrong: \(wrong.map { "\($0.id) \($0.truth)→\($0.prediction)" })")
        #expect(text.contains(String(format: "UAR %.2f  WAR %.2f  on 21 clips · %d wrong", m.uar, m.war, wrong.count)) && text.contains("✓")
                && text.contains("✗") == !wrong.isEmpty, "\(text)")
        for k in ["/", "w", "r", "o", "n", "g", "enter"] { app.handle(k) }
        text = app.render(width: 120, height: 40).text
        #expect(text.contains("\(wrong.count) of 21 clips") && wrong.allSatisfy { text.contains($0.id) }, "\(text)")
        app.handle("s"); app.handle("s"); app.handle("s"); app.handle("s")
        #expect(app.render(width: 120, height: 40).text.contains("sorted by confidence (high first)"))
        app.handle("4")
        text = app.render(width: 120, height: 40).text
        #expect(text.contains("confusion matrix") && text.contains("recall") && text.contains("true\\pred"), "\(text)")
        let classes = Self.model.classes
        // An empty off-diagonal cell of the first row says so.
        if let empty = (1..<7).first(where: { m.counts[0][$0] == 0 }) {
            for _ in 0..<empty { app.handle("right") }
            app.handle("enter")
            #expect(app.screen == .confusion && app.messages.last == "no clip of \(classes[0]) was predicted \(classes[empty])")
            for _ in 0..<empty { app.handle("left") }
        }
        // The first wrong clip's cell (the first clip's, when none is wrong) lists exactly the clips
        // of that (truth, prediction) and plays one.
        let walked = wrong.first ?? verdicts.min { $0.id < $1.id }!
        let cell = (walked.truth, walked.prediction), count = m.counts[cell.0][cell.1]
        let ids = verdicts.filter { $0.truth == cell.0 && $0.prediction == cell.1 }.map(\.id)
        for _ in 0..<cell.0 { app.handle("j") }
        for _ in 0..<cell.1 { app.handle("right") }
        #expect(app.render(width: 120, height: 40).text.contains("\(classes[cell.0]) predicted \(classes[cell.1]): \(count) clip"))
        app.handle("enter")
        #expect(app.screen == .browser)
        text = app.render(width: 120, height: 40).text
        #expect(text.contains("/true:\(classes[cell.0]) pred:\(classes[cell.1])") && text.contains("\(count) of 21 clips") && ids.allSatisfy { text.contains($0) }, "\(text)")
        app.handle("enter")
        #expect(app.screen == .player && ids.contains(app.player.playback?.entry.id ?? ""))
    }

    @Test func theTrainingScreenShowsARunFolderAndTheLaunchFormChecksItsFields() throws {
        let scratch = Scratch()
        let runs = scratch.path("runs")
        let folder = runs + "/run-a"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = try EventLog(path: folder + "/events.jsonl")
        var config = TrainConfig(data: Self.root + "/samples", model: "embedded")
        config.epochs = 2
        try log.append(.config(RunStarted(config: config, classes: ["Happy", "Sad"], trainClips: 8, validationClips: 2, selection: "validation",
                                          stepsPerEpoch: 3, ranks: 2)))
        for s in 1...6 {
            var step = StepRecord(epoch: (s - 1) / 3 + 1, step: s, loss: 2 / Double(s), learningRates: ["adapters": 1e-3, "temporal": 1e-2],
                                  gradientNorm: 1, clipsPerSecond: 12.5)
            step.rankClipsPerSecond = [6, 7]
            try log.append(.step(step))
            if s % 3 == 0 {
                try log.append(.epoch(EpochRecord(epoch: s / 3, step: s, trainLoss: 1, metrics: ConfusionMatrix(truth: [0, 1], predictions: [0, s == 6 ? 1 : 0], classes: 2), seconds: 1)))
            }
        }
        try log.append(.checkpoint(CheckpointRecord(path: folder + "/checkpoints/best.safetensors", epoch: 2, step: 6, best: true)))
        try log.append(.alert(Alert(kind: "loss-spike", message: "loss 9 at step 5", step: 5)))
        try log.append(.done(RunFinished(status: "finished", epochs: 2, step: 6, bestEpoch: 2, bestUAR: 100, bestWAR: 100)))

        let app = try app()
        app.runsFolder = runs
        app.handle("3")
        var text = waitFor(app, 10, width: 120, height: 40) { $0.contains("run-a") }
        #expect(text.contains("Runs in \(runs)/") && text.contains("run-a"), "\(text)")
        app.handle("enter")
        text = waitFor(app, 10, width: 120, height: 40) { $0.contains("epoch 2/2") }
        #expect(text.contains("run run-a · finished") && text.contains("epoch 2/2   step 6/6") && text.contains("100%"), "\(text)")
        #expect(text.contains("12.5 clips/s on 2 ranks (6/7)"), "a distributed run shows its ranks")
        #expect(text.contains("training loss (raw, smoothed)") && text.contains("validation UAR / WAR") && text.contains("last UAR 100.00"))
        #expect(text.contains("adapters") && text.contains("temporal") && text.contains("Happy") && text.contains("⣀"))
        #expect(text.contains("best checkpoint: epoch 2 (best.safetensors)") && text.contains("alert at step 5: loss-spike"))
        app.handle("x")
        #expect(app.messages.last == "no running run is open")
        // Enter follows the last epoch's matrix to its clips: the run's dataset replaces a browser without them.
        app.handle("enter")
        #expect(app.messages.last?.hasPrefix("no predictions in") ?? false)
        let verdict = "{\"classes\":[\"Happy\",\"Sad\"],\"fusionWeights\":{},\"frameProbabilities\":[],\"id\":\"synth_00002\",\"margins\":[0.1,0],"
            + "\"modalityMargins\":{},\"negativeCosine\":[0,0],\"positiveCosine\":[0.1,0],\"prediction\":0,\"probabilities\":[0.7,0.3],\"truth\":1}\n"
        try verdict.write(toFile: folder + "/predictions-validation.jsonl", atomically: true, encoding: .utf8)
        app.catalog = ClipCatalog.loose([scratch.path("none.mp4")])
        app.handle("enter")
        #expect(app.screen == .confusion && app.catalog.clips.count == 21 && app.messages.last == "showing synth all, the run's dataset")
        app.handle("j"); app.handle("enter")
        #expect(app.screen == .browser && app.render(width: 120, height: 40).text.contains("1 of 21 clips"))
        app.handle("3")
        app.handle("esc")
        app.handle("n")
        text = app.render(width: 120, height: 40).text
        #expect(text.contains("Launch a training run") && text.contains("embedded") && text.contains("cached"))
        for _ in 0..<20 { app.handle("backspace") }
        for k in ["/", "n", "o", "p", "e"] { app.handle(k) }
        app.handle("enter")
        #expect(app.render(width: 120, height: 40).text.contains("dataset: /nope does not exist"))
        app.handle("esc")
        #expect(!app.render(width: 120, height: 40).text.contains("Launch a training run"))
    }

    @Test func quittingAsksWhileALaunchedRunTrainsAndCanLeaveItRunning() throws {
        let scratch = Scratch()
        // A stand-in for finecliper train that just lives a while (its arguments are ignored).
        let fake = scratch.write("fake-train.sh", "#!/bin/sh\nsleep 30\n")
        chmod(fake, 0o755)
        let app = try app()
        let request = TrainingRequest(data: "samples", out: scratch.path("run"))
        let pid = try TrainingLauncher.launch(request, executable: fake)
        app.training.launchedRun = RunMonitor(folder: request.out, child: pid)
        #expect(app.training.launchedRun!.status.isRunning)
        #expect(getsid(pid) == pid, "the run leads its own session: closing the terminal does not stop it")
        app.handle("q")
        #expect(app.confirmation != nil && app.render(width: 120, height: 40).text.contains("keeps running after you quit"))
        #expect(app.handle("n") == true && app.confirmation == nil)
        app.handle("q")
        #expect(app.handle("y") == false, "y quits")
        #expect(kill(pid, 0) == 0, "and the run lives on")
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
