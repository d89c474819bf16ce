import Foundation
import Testing
import Training
@testable import Workbench

/// Tailing a run's events.jsonl: only appended bytes are read, a torn last line waits for its
/// end, a replaced log starts over, and the ETA follows the steps' pace.
@Suite struct RunMonitorTests {
    func folder() throws -> String {
        let f = NSTemporaryDirectory() + "finecliper-monitor-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
        return f
    }

    func append(_ text: String, to path: String) throws {
        let h = FileHandle(forWritingAtPath: path) ?? { FileManager.default.createFile(atPath: path, contents: nil); return FileHandle(forWritingAtPath: path)! }()
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
        try h.close()
    }

    func config(epochs: Int = 2, steps: Int = 4) -> RunStarted {
        var c = TrainConfig(data: "samples", model: "embedded")
        c.epochs = epochs
        return RunStarted(config: c, classes: ["a", "b"], trainClips: 8, validationClips: 2, selection: "validation", stepsPerEpoch: steps)
    }

    @Test func tailsAppendedEventsAndWaitsForATornLine() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/events.jsonl"
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        try append(try TrainEvent.config(config()).line(time: t0) + "\n", to: log)
        let m = RunMonitor(folder: dir)
        #expect(m.status.config?.stepsPerEpoch == 4 && m.status.totalSteps == 8 && m.status.steps.isEmpty)
        #expect(!m.status.isRunning, "no process holds the run")

        let steps = (1...3).map { i in try! TrainEvent.step(StepRecord(epoch: 1, step: i, loss: 2.0 / Double(i), learningRates: ["adapters": 1e-3],
                                                                       gradientNorm: 1, clipsPerSecond: 10)).line(time: t0.addingTimeInterval(Double(i))) }
        try append(steps[0] + "\n" + steps[1] + "\n" + steps[2].prefix(20), to: log)
        #expect(m.refresh())
        #expect(m.status.steps.map(\.step) == [1, 2], "the torn third line waits")
        try append(String(steps[2].dropFirst(20)) + "\n", to: log)
        m.refresh()
        #expect(m.status.steps.map(\.step) == [1, 2, 3] && m.status.malformedLines == 0)
        #expect(m.status.elapsed() == 3)
        #expect(!m.refresh(), "nothing new")

        let matrix = ConfusionMatrix(truth: [0, 1], predictions: [0, 0], classes: 2)
        try append(try TrainEvent.epoch(EpochRecord(epoch: 1, step: 4, trainLoss: 0.5, metrics: matrix, seconds: 4)).line(time: t0) + "\n"
                   + "{\"v\": 1, \"kind\": \"future\", \"future\": {}}\nnot json\n", to: log)
        m.refresh()
        #expect(m.status.epochs.count == 1 && m.status.epochs[0].uar == 50 && m.status.malformedLines == 1)
        #expect(m.status.bestEpoch?.epoch == 1)

        // A new run in the same folder (the log replaced by a shorter one) starts over.
        try TrainEvent.config(config(epochs: 5)).line(time: t0).appending("\n").write(toFile: log, atomically: true, encoding: .utf8)
        m.refresh()
        #expect(m.status.totalEpochs == 5 && m.status.steps.isEmpty && m.status.epochs.isEmpty)
    }

    @Test func etaFollowsThePaceOfRecentSteps() {
        var s = RunStatus(folder: "x")
        s.config = config(epochs: 1, steps: 100)
        s.pid = getpid()
        let t0 = Date()
        for i in 1...10 {
            s.steps.append(StepRecord(epoch: 1, step: i, loss: 1, learningRates: [:], gradientNorm: 0, clipsPerSecond: 1))
            s.stepTimes.append(t0.addingTimeInterval(Double(i) * 0.5))
        }
        #expect(s.eta == 45, "90 steps left at 2 steps a second")
        s.finished = RunFinished(status: "finished", epochs: 1, step: 100, bestEpoch: 1, bestUAR: 50, bestWAR: 50)
        #expect(s.eta == nil && !s.isRunning)
    }

    @Test func aLockOfADeadOrForeignProcessIsNotARunningRun() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "999999999\n".write(toFile: dir + "/.lock", atomically: true, encoding: .utf8)
        #expect(RunMonitor.trainingProcess(folder: dir) == nil)
        try "1\n".write(toFile: dir + "/.lock", atomically: true, encoding: .utf8)
        #expect(RunMonitor.trainingProcess(folder: dir) == nil, "pid 1 is not a finecliper process")
    }

    @Test func launchRequestsBecomeTrainCommandLines() {
        var r = TrainingRequest(data: "samples", fold: 2, out: "runs/x")
        r.epochs = 3; r.batch = 4; r.variant = "mid"
        #expect(r.arguments == ["train", "--data", "samples", "--fold", "2", "--model", "embedded", "--variant", "mid", "--mode", "cached",
                                "--epochs", "3", "--batch", "4", "--optimizer", "adamw", "--out", "runs/x", "--landmark-input", "points", "--point-augmentation"])
        // The landmark input only where the variant has a landmark stream.
        r.landmarkInput = "image"
        #expect(r.arguments.suffix(2) == ["--landmark-input", "image"])
        r.variant = "high"
        #expect(!r.arguments.contains("--landmark-input"))
    }
}
