import Datasets
import Foundation
import Testing
import TestSupport
import TensorCore
@testable import FineCLIPER
@testable import Training

/// Training on generated clips with the tiny CLIP: learning, logs, checkpoints, evaluation and
/// resuming.
@Suite(.serialized) struct TrainerTests {
    static let bpe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("assets/bpe_simple_vocab_16e6.txt").path

    /// 16 training and 4 test clips per class, 8 frames of 64×64, with landmarks and descriptions.
    static let dataset: String = {
        let root = NSTemporaryDirectory() + "finecliper-train-data-\(getpid())"
        var c = SyntheticConfig()
        c.seed = 5; c.trainPerClass = 16; c.testPerClass = 4; c.frames = 8; c.size = 64
        try! SyntheticDataset.write(c, to: root, replace: true)
        return root
    }()

    static func config(epochs: Int) -> TrainConfig {
        var c = TrainConfig(data: dataset, model: "tiny")
        c.epochs = epochs; c.batch = 8; c.frames = 8; c.optimizer = .adamw
        c.adapterRate = 1e-3; c.temporalRate = 1e-3; c.fusionRate = 1e-3
        return c
    }

    static func trainer(_ config: TrainConfig, _ folder: String, resume: Bool = false) throws -> Trainer {
        try Trainer(config: config, folder: folder, resume: resume, bpeFile: bpe, faceModels: nil, cacheRoot: folder + "-cache")
    }

    @Test func learnsLogsAndEvaluatesAsLogged() throws {
        let scratch = Scratch()
        let run = scratch.path("run")
        let trainer = try Self.trainer(Self.config(epochs: 15), run)
        let done = try trainer.run()
        #expect(done.status == "finished" && done.epochs == 15)
        let log = try EventLog.read(run + "/events.jsonl")
        #expect(log.malformedLines == 0 && log.unknownKinds == 0)
        let epochs = log.events.compactMap { if case let .epoch(e) = $0 { return e } else { return nil } }
        #expect(epochs.count == 15)
        #expect(epochs.last!.trainLoss < 0.8 * epochs.first!.trainLoss, "\(epochs.map(\.trainLoss))")
        let best = try #require(done.bestUAR)
        #expect(best >= 2 * 100.0 / 7, "best validation UAR \(best) is not clearly above chance (14.3)")
        // The best checkpoint, loaded into a fresh trainer, reproduces the logged validation numbers.
        let bestEpoch = epochs.first { $0.epoch == done.bestEpoch }!
        let fresh = try Self.trainer(Self.config(epochs: 15), scratch.path("fresh"))
        try ModelCheckpoint.load(into: fresh.model, from: try SafeTensorsFile(path: trainer.bestCheckpoint))
        let (metrics, outputs) = try fresh.evaluate(fresh.validation)
        #expect(metrics == bestEpoch.confusion && metrics.uar == bestEpoch.uar)
        #expect(outputs.count == fresh.validation.count && outputs.allSatisfy { $0.output.probabilities[0].count == 7 })
        #expect(log.events.contains { if case let .checkpoint(c) = $0 { return c.best } else { return false } })
    }

    @Test func resumingGivesBitIdenticalWeights() throws {
        let scratch = Scratch()
        let straight = try Self.trainer(Self.config(epochs: 4), scratch.path("a"))
        try straight.run()
        let first = try Self.trainer(Self.config(epochs: 2), scratch.path("b"))
        try first.run()
        let second = try Self.trainer(Self.config(epochs: 4), scratch.path("b"), resume: true)
        #expect(second.state.epoch == 2)
        try second.run()
        let a = try SafeTensorsFile(path: straight.lastCheckpoint), b = try SafeTensorsFile(path: second.lastCheckpoint)
        #expect(Set(a.names) == Set(b.names))
        for name in a.names { #expect(try a.tensor(name) == b.tensor(name), "\(name)") }
        // A changed option is refused with the reason.
        var other = Self.config(epochs: 4)
        other.seed = 2
        #expect { try Self.trainer(other, scratch.path("b"), resume: true) } throws: { "\($0)".contains("another configuration") }
        // So is a second run into a used folder without --resume.
        #expect(throws: TrainError.self) { try Self.trainer(Self.config(epochs: 4), scratch.path("a")) }
    }

    @Test func cachedModeTrainsOnStoredFeatures() throws {
        let scratch = Scratch()
        var config = Self.config(epochs: 2)
        config.mode = .cached
        config.variant = .low
        let trainer = try Self.trainer(config, scratch.path("run"))
        let n = try trainer.buildCache(trainer.train + trainer.validation)
        #expect(n == trainer.train.count + trainer.validation.count)
        #expect(try trainer.buildCache(trainer.train) == 0)
        try trainer.run()
        #expect(trainer.model.videoAdapters == nil)
    }

    @Test func aLiveRunHoldsItsFolderAndCorruptCheckpointsAreNamed() throws {
        let scratch = Scratch()
        let run = scratch.path("run")
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try "1\n".write(toFile: run + "/.lock", atomically: true, encoding: .utf8)    // pid 1 is alive
        #expect(throws: TrainError.runInUse(path: run, pid: 1)) { try Self.trainer(Self.config(epochs: 1), run) }
        try "999999999\n".write(toFile: run + "/.lock", atomically: true, encoding: .utf8)
        let trainer = try Self.trainer(Self.config(epochs: 1), run)
        try trainer.run()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: trainer.lastCheckpoint))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: trainer.lastCheckpoint))
        #expect { try Self.trainer(Self.config(epochs: 2), run, resume: true) } throws: { "\($0)".contains("last.safetensors") && "\($0)".contains("cannot be read") }
    }
}
