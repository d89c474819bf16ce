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
    static let scratch = Scratch()
    static let dataset: String = {
        let root = scratch.path("data")
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
        // The last epoch's verdict per validation clip, agreeing with its logged confusion matrix.
        let lines = try String(contentsOfFile: trainer.validationPredictions, encoding: .utf8).split(separator: "\n")
        let verdicts = try lines.map { try JSONDecoder().decode(ClipPrediction.self, from: Data($0.utf8)) }
        #expect(ConfusionMatrix(truth: verdicts.map(\.truth), predictions: verdicts.map(\.prediction), classes: 7) == epochs.last!.confusion)
        #expect(epochs.last!.trainLoss < 0.8 * epochs.first!.trainLoss, "\(epochs.map(\.trainLoss))")
        let best = try #require(done.bestUAR)
        #expect(best >= 2 * 100.0 / 7, "best validation UAR \(best) is not clearly above chance (14.3)")
        // The best checkpoint, loaded into a fresh trainer, reproduces the logged validation numbers.
        let bestEpoch = epochs.first { $0.epoch == done.bestEpoch }!
        let fresh = try Self.trainer(Self.config(epochs: 15), scratch.path("fresh"))
        try ModelCheckpoint.load(into: fresh.model, from: try SafeTensorsFile(path: trainer.bestCheckpoint))
        let (metrics, outputs) = try fresh.experiment.evaluate(fresh.validation)
        #expect(metrics == bestEpoch.confusion && metrics.uar == bestEpoch.uar)
        #expect(outputs.count == fresh.validation.count && outputs.allSatisfy { $0.output.probabilities[0].count == 7 })
        #expect(log.events.contains { if case let .checkpoint(c) = $0 { return c.best } else { return false } })
    }

    /// Each seed carves its own validation split, unless a validation seed fixes it.
    @Test func aValidationSeedKeepsTheSplitAcrossSeeds() throws {
        let scratch = Scratch()
        func validation(seed: UInt64, split: UInt64?) throws -> [String] {
            var c = Self.config(epochs: 1)
            c.seed = seed; c.validationSeed = split
            return try Self.trainer(c, scratch.path("run-\(seed)-\(split ?? 0)")).validation.map(\.id)
        }
        let first = try validation(seed: 1, split: nil)
        #expect(try validation(seed: 2, split: nil) != first)
        #expect(try validation(seed: 2, split: 1) == first)
        #expect(try validation(seed: 3, split: 1) == first)
    }

    /// Clips loaded ahead on the prefetch thread give the weights of clips loaded in turn.
    @Test func prefetchingChangesNothing() throws {
        let scratch = Scratch()
        var weights: [[String: Tensor]] = []
        for prefetch in [true, false] {
            let t = try Self.trainer(Self.config(epochs: 2), scratch.path("p-\(prefetch)"))
            t.usePrefetch = prefetch
            try t.run()
            let f = try SafeTensorsFile(path: t.lastCheckpoint)
            weights.append(Dictionary(uniqueKeysWithValues: try f.names.map { ($0, try f.tensor($0)) }))
        }
        #expect(!weights[0].isEmpty && weights[0] == weights[1])
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

    /// With a weights' average, validation scores the average and the best checkpoint holds it
    /// (loaded alone, it gives the logged numbers of its epoch); the last checkpoint keeps the
    /// weights and their average apart, and a resumed run is bit-identical to a straight one.
    @Test func weightAverageIsScoredKeptAndResumed() throws {
        let scratch = Scratch()
        var config = Self.config(epochs: 4)
        config.weightAverage = 0.95
        let straight = try Self.trainer(config, scratch.path("a"))
        let done = try straight.run()
        var half = config
        half.epochs = 2
        try Self.trainer(half, scratch.path("b")).run()
        let resumed = try Self.trainer(config, scratch.path("b"), resume: true)
        try resumed.run()
        let a = try SafeTensorsFile(path: straight.lastCheckpoint), b = try SafeTensorsFile(path: resumed.lastCheckpoint)
        #expect(Set(a.names) == Set(b.names))
        for name in a.names { #expect(try a.tensor(name) == b.tensor(name), "\(name)") }

        let names = straight.model.trainableParameters.map(\.name)
        #expect(names.allSatisfy { a.names.contains("trainer.average." + $0) })
        #expect(try names.contains { try a.tensor($0) != a.tensor("trainer.average." + $0) })
        let best = try SafeTensorsFile(path: straight.bestCheckpoint)
        for name in names { #expect(try best.tensor(name) == best.tensor("trainer.average." + name), "\(name)") }
        let log = try EventLog.read(scratch.path("a") + "/events.jsonl")
        let bestEpoch = try #require(log.events.compactMap { if case let .epoch(e) = $0, e.epoch == done.bestEpoch { return e } else { return nil } }.first)
        let fresh = try Self.trainer(Self.config(epochs: 4), scratch.path("fresh"))
        try ModelCheckpoint.load(into: fresh.model, from: best)
        let (metrics, _) = try fresh.experiment.evaluate(fresh.validation)
        #expect(metrics == bestEpoch.confusion)
        // The average's decay is part of the run: another one does not resume it.
        var other = config
        other.weightAverage = 0.9
        #expect { try Self.trainer(other, scratch.path("b"), resume: true) } throws: { "\($0)".contains("another configuration") }
    }

    @Test func cachedModeTrainsOnStoredFeatures() throws {
        let scratch = Scratch()
        var config = Self.config(epochs: 2)
        config.mode = .cached
        config.variant = .low
        let trainer = try Self.trainer(config, scratch.path("run"))
        let n = try trainer.experiment.buildCache(trainer.train + trainer.validation)
        #expect(n == trainer.train.count + trainer.validation.count)
        #expect(try trainer.experiment.buildCache(trainer.train) == 0)
        try trainer.run()
        #expect(trainer.model.videoAdapters == nil)
    }

    /// A full-mode run started from a cached-mode run's checkpoint begins at exactly that model:
    /// the visual adapters the checkpoint lacks start as the identity. A missing file is named.
    @Test func fineTuningStartsAtTheGivenModel() throws {
        let scratch = Scratch()
        var config = Self.config(epochs: 2)
        config.mode = .cached; config.variant = .low
        let cached = try Self.trainer(config, scratch.path("cached"))
        try cached.run()
        try ModelCheckpoint.load(into: cached.model, from: try SafeTensorsFile(path: cached.lastCheckpoint))
        config.mode = .full; config.initialWeights = cached.lastCheckpoint
        let full = try Self.trainer(config, scratch.path("full"))
        #expect(full.model.videoAdapters != nil && !full.model.visualAdapterNames.isEmpty)
        let before = try cached.experiment.evaluate(cached.validation).1.map { $0.output.probabilities[0] }
        let after = try full.experiment.evaluate(full.validation).1.map { $0.output.probabilities[0] }
        #expect(before.count == after.count && !before.isEmpty)
        let gap = zip(before, after).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
        #expect(gap < 1e-4, "probabilities differ by \(gap)")
        config.initialWeights = scratch.path("absent.safetensors")
        #expect { try Self.trainer(config, scratch.path("absent")) } throws: { "\($0)".contains("absent.safetensors") }
    }

    /// Variants share a clip's cached frames: `mid` adds parsing and landmarks to what `low`
    /// stored, after which neither computes anything, and both read the same video features.
    @Test func variantsShareCachedStreams() throws {
        let scratch = Scratch()
        var config = Self.config(epochs: 1)
        config.mode = .cached; config.variant = .low
        let cache = scratch.path("cache")
        let low = try Experiment(config: config, bpeFile: Self.bpe, faceModels: nil, cacheRoot: cache)
        let clips = Array(low.train.prefix(2))
        #expect(try low.buildCache(clips) == 2)
        config.variant = .mid
        let mid = try Experiment(config: config, bpeFile: Self.bpe, faceModels: nil, cacheRoot: cache)
        #expect(mid.cacheFolder == low.cacheFolder)
        #expect(try mid.buildCache(clips) == 2)
        #expect(try mid.buildCache(clips) == 0)
        #expect(try low.buildCache(clips) == 0)
        let fromLow = try low.cachedFeatures(clips[0], cache: try #require(low.cache))
        let fromMid = try mid.cachedFeatures(clips[0], cache: try #require(mid.cache))
        #expect(fromLow.count == 1 && fromMid.count == 3 && fromLow[.video] == fromMid[.video])
    }

    /// The landmark points' variation reaches training batches only, by draws keyed to each
    /// clip's seed (so a clip's draw does not depend on its batch), and only with augmentation on.
    @Test(arguments: [TrainConfig.Mode.cached, .full])
    func pointAugmentationVariesTrainingBatchesOnly(mode: TrainConfig.Mode) throws {
        let scratch = Scratch()
        var config = Self.config(epochs: 1)
        config.mode = mode; config.variant = .mid; config.landmarkInput = .points
        config.pointAugmentation = PointAugmentation()
        func rows(_ config: TrainConfig, _ seeds: [UInt64]?) throws -> [Tensor] {
            let e = try Experiment(config: config, bpeFile: Self.bpe, faceModels: nil, cacheRoot: scratch.path("cache"))
            let batch = try #require(try e.makeBatch(Array(e.train.prefix(3)), seeds: seeds)).batch
            guard case .points(let t)? = batch.streams[.landmarks] else { Issue.record("no point rows"); return [] }
            return (0..<3).map { slice(t, axis: 0, $0..<($0 + 1)) }
        }
        let a = try rows(config, [1, 2, 3]), b = try rows(config, [7, 2, 3])
        #expect(a == (try rows(config, [1, 2, 3])))
        #expect(a[0] != b[0] && a[1...] == b[1...])
        var off = config
        off.augment = false
        let unvaried = try rows(off, [1, 2, 3])
        #expect(zip(a, unvaried).allSatisfy { $0 != $1 })
        let evaluated = try rows(off, nil)
        #expect(try rows(config, nil) == evaluated)
        // Unvaried, the cached rows are the evaluation's (test-time sampling, kept once).
        if mode == .cached { #expect(unvaried == evaluated) }
    }

    /// Generated sets reuse clip ids (synth_00001, …): another dataset's clip, or a clip
    /// regenerated in place, is computed again rather than read from the cache.
    @Test func cachedFeaturesBelongToTheirDatasetAndFiles() throws {
        let scratch = Scratch()
        var synth = SyntheticConfig()
        synth.seed = 9; synth.trainPerClass = 2; synth.testPerClass = 1; synth.frames = 8; synth.size = 64
        let other = scratch.path("other")
        try SyntheticDataset.write(synth, to: other)
        var config = Self.config(epochs: 1)
        config.mode = .cached; config.variant = .low
        let cache = scratch.path("cache")
        let first = try Experiment(config: config, bpeFile: Self.bpe, faceModels: nil, cacheRoot: cache)
        let clips = Array(first.train.prefix(3))
        let built = try first.buildCache(clips), again = try first.buildCache(clips)
        #expect(built == 3 && again == 0)
        config.data = other
        let second = try Experiment(config: config, bpeFile: Self.bpe, faceModels: nil, cacheRoot: cache)
        #expect(second.cacheFolder != first.cacheFolder)
        let same = Array(second.train.filter { id in clips.contains { $0.id == id.id } })
        let rebuilt = try second.buildCache(same)
        #expect(same.count == 3 && rebuilt == 3)
        // Regenerated in place: the frames folder changes, so the stamp does.
        Thread.sleep(forTimeInterval: 1.1)
        synth.seed = 10
        try SyntheticDataset.write(synth, to: other, replace: true)
        let third = try Experiment(config: config, bpeFile: Self.bpe, faceModels: nil, cacheRoot: cache)
        let regenerated = try third.buildCache(same)
        #expect(third.cacheFolder == second.cacheFolder && regenerated == 3)
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

/// The commands as a user runs them: a run killed with SIGKILL mid-epoch resumes to the weights of
/// an uninterrupted run, and `eval` reproduces the logged validation numbers.
@Suite(.serialized) struct TrainCommandTests {
    func args(_ out: String, epochs: Int = 3) -> [String] {
        ["train", "--data", TrainerTests.dataset, "--model", "tiny", "--epochs", "\(epochs)", "--batch", "8", "--frames", "8",
         "--optimizer", "adamw", "--adapter-rate", "0.001", "--temporal-rate", "0.001", "--out", out]
    }

    /// `--init` and `--fusion-rate` reach the run's configuration; a run from a cached one trains.
    @Test func fineTuningFromTheCommandLine() throws {
        let scratch = Scratch()
        let cached = try FinecliperBinary.run(args(scratch.path("cached"), epochs: 1) + ["--mode", "cached", "--variant", "low"])
        #expect(cached.status == 0, "\(cached.output)")
        let start = scratch.path("cached") + "/checkpoints/best.safetensors"
        let tuned = try FinecliperBinary.run(args(scratch.path("tuned"), epochs: 1) + ["--variant", "low", "--init", start, "--fusion-rate", "0.0001"])
        #expect(tuned.status == 0, "\(tuned.output)")
        let config = try JSONDecoder().decode(TrainConfig.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("tuned") + "/config.json")))
        #expect(config.initialWeights == start && config.fusionRate == 1e-4 && config.mode == .full)
    }

    @Test func killedRunResumesBitIdenticallyAndEvalMatchesTheLog() throws {
        let scratch = Scratch()
        let straight = try FinecliperBinary.run(args(scratch.path("a")))
        #expect(straight.status == 0, "\(straight.output)")

        let killed = Process()
        killed.executableURL = URL(fileURLWithPath: FinecliperBinary.path)
        killed.arguments = args(scratch.path("b"))
        killed.standardOutput = FileHandle.nullDevice
        killed.standardError = FileHandle.nullDevice
        try killed.run()
        let events = scratch.path("b") + "/events.jsonl"
        let deadline = Date().addingTimeInterval(120)
        // Kill once the first epoch's checkpoint is logged and the second epoch has taken a step.
        while Date() < deadline {
            let text = (try? String(contentsOfFile: events, encoding: .utf8)) ?? ""
            if text.contains("\"checkpoint\""), text.contains("\"epoch\":2,") { break }
            usleep(20_000)
        }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        #expect(killed.terminationReason == .uncaughtSignal)
        let resumed = try FinecliperBinary.run(args(scratch.path("b")) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.output)")
        let a = try SafeTensorsFile(path: scratch.path("a") + "/checkpoints/last.safetensors")
        let b = try SafeTensorsFile(path: scratch.path("b") + "/checkpoints/last.safetensors")
        for name in a.names { #expect(try a.tensor(name) == b.tensor(name), "\(name)") }
        let log = try EventLog.read(events)
        #expect(log.events.filter { if case .config = $0 { return true } else { return false } }.count == 2)

        let eval = try FinecliperBinary.run(["eval", "--run", scratch.path("a"), "--split", "validation", "--json"])
        #expect(eval.status == 0, "\(eval.output)")
        let report = try JSONSerialization.jsonObject(with: Data(eval.output[eval.output.firstIndex(of: "{")!...].utf8)) as! [String: Any]
        let done = try EventLog.read(scratch.path("a") + "/events.jsonl").events.compactMap { if case let .done(d) = $0 { return d } else { return nil } }.last!
        #expect(abs((report["uar"] as! Double) - done.bestUAR!) < 1e-9)
        let lines = try String(contentsOfFile: scratch.path("a") + "/predictions-validation.jsonl", encoding: .utf8).split(separator: "\n")
        let first = try JSONDecoder().decode(ClipPrediction.self, from: Data(lines[0].utf8))
        #expect(lines.count == report["clips"] as! Int && first.probabilities.count == 7 && first.negativeCosine.count == 7)
        let missing = try FinecliperBinary.run(["eval", "--run", scratch.path("nothing")])
        #expect(missing.status == 66)
    }

    @Test func foldsRunInTurnAndTheirMeanIsSummarised() throws {
        let scratch = Scratch()
        // Two folds over the generated clips: fold 2's lists are fold 1's with train and test swapped.
        let root = scratch.path("data"), fm = FileManager.default
        try fm.createDirectory(atPath: root + "/annotation", withIntermediateDirectories: true)
        for sub in ["frames", "landmarks", "descriptions.jsonl"] {
            try fm.createSymbolicLink(atPath: root + "/" + sub, withDestinationPath: TrainerTests.dataset + "/" + sub)
        }
        let lists = TrainerTests.dataset + "/annotation/"
        try fm.copyItem(atPath: lists + "synth_set_1_train.txt", toPath: root + "/annotation/synth_set_1_train.txt")
        try fm.copyItem(atPath: lists + "synth_set_1_test.txt", toPath: root + "/annotation/synth_set_1_test.txt")
        try fm.copyItem(atPath: lists + "synth_set_1_test.txt", toPath: root + "/annotation/synth_set_2_train.txt")
        try fm.copyItem(atPath: lists + "synth_set_1_train.txt", toPath: root + "/annotation/synth_set_2_test.txt")
        let out = scratch.path("runs")
        let r = try FinecliperBinary.run(["train", "--data", root, "--model", "tiny", "--epochs", "1", "--batch", "8", "--frames", "8",
                                          "--optimizer", "adamw", "--folds", "1-2", "--out", out])
        #expect(r.status == 0, "\(r.output)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        let uar = summary["uar"] as! [Double], folds = summary["folds"] as! [Int]
        #expect(folds == [1, 2] && uar.count == 2 && abs((summary["meanUAR"] as! Double) - (uar[0] + uar[1]) / 2) < 1e-9)
        #expect(fm.fileExists(atPath: out + "/fold-2/checkpoints/best.safetensors"))
        #expect(try FinecliperBinary.run(["train", "--data", root, "--model", "tiny", "--folds", "x", "--out", out]).status == 64)
    }
}
