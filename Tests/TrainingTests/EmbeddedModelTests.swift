import Datasets
import FineCLIPER
import Foundation
import Testing
import TestSupport
import TensorCore
@testable import Training

/// The model shipped in samples/model: it loads, reproduces its reported accuracy on a generated
/// check set, and classifies real videos through `finecliper predict`.
@Suite(.serialized) struct EmbeddedModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let checkpoint = root + "/" + ModelSource.embeddedCheckpoint
    static let clip = root + "/" + ModelSource.embeddedCLIP

    @Test func theShippedWeightsAreSmallAndCarryTheirConfiguration() throws {
        let file = try SafeTensorsFile(path: Self.checkpoint)
        let config = try #require(file.metadata["finecliper.train_config"].flatMap { try? JSONDecoder().decode(TrainConfig.self, from: Data($0.utf8)) })
        #expect(config.model == "embedded")
        let bytes = { (p: String) in ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? NSNumber)?.intValue ?? 0 }
        #expect(bytes(Self.checkpoint) + bytes(Self.clip + "/model.safetensors") < 13_000_000, "the CLIP ships as F16")
        #expect(!file.names.contains { $0.hasPrefix("optimizer.") }, "optimizer state is not shipped")
    }

    /// Hard generated clips (seed 123, ten per class, never seen in training, half of them animated
    /// real faces of people no training clip shows), streams and descriptions from the face
    /// pipeline as in training: the UAR/WAR in the README.
    @Test func reachesItsReportedAccuracyOnTheCheckSet() throws {
        let scratch = Scratch()
        let data = scratch.path("check")
        let made = try FinecliperBinary.run(["synth", "-o", data, "--face-crops", "--hard", "--real-faces", "0.5", "--photo-shapes", "--train-per-class", "1", "--test-per-class", "10", "--seed", "123"])
        #expect(made.status == 0, "\(made.output)")
        // As for any video, the landmark and parsing streams and the descriptions come from the
        // face pipeline (its tracks kept in a cache of the test's own).
        try FileManager.default.removeItem(atPath: data + "/landmarks")
        let cache = ["XDG_CACHE_HOME": scratch.path("cache")]
        #expect(try FinecliperBinary.run(["dataset", "describe", "--data", data], environment: cache).status == 0)
        let eval = try FinecliperBinary.run(["eval", "--checkpoint", Self.checkpoint, "--data", data, "--model", "embedded", "--json",
                                             "--predictions", scratch.path("p.jsonl")], environment: cache)
        #expect(eval.status == 0, "\(eval.output)")
        let json = try #require(eval.output.split(separator: "\n").drop { !$0.hasPrefix("{") }.joined(separator: "\n").data(using: .utf8))
        let report = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let uar = try #require(report["uar"] as? Double), war = try #require(report["war"] as? Double)
        print(String(format: "embedded model on the check set: UAR %.2f WAR %.2f", uar, war))
        #expect(abs(uar - Self.checkUAR) <= 3 && abs(war - Self.checkWAR) <= 3, "UAR \(uar) WAR \(war)")
    }

    /// Measured on this set with the shipped model.
    static let checkUAR = 88.57
    static let checkWAR = 88.57

    /// `dataset phrases`: the model's top phrases against the generator's action units.
    @Test func phrasesAreMeasuredAgainstTheGeneratorsActionUnits() throws {
        let scratch = Scratch()
        let data = scratch.path("set")
        #expect(try FinecliperBinary.run(["synth", "-o", data, "--face-crops", "--train-per-class", "1", "--test-per-class", "2", "--seed", "31"]).status == 0)
        let run = try FinecliperBinary.run(["dataset", "phrases", "--data", data, "--json"])
        #expect(run.status == 0, "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let r = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let clips = try #require(r["clips"] as? Int), one = try #require(r["topOne"] as? Double), three = try #require(r["topK"] as? Double)
        let chance = try #require(r["chance"] as? Double)
        #expect(clips + (r["skipped"] as? Int ?? 0) == 14 && clips >= 12)
        #expect(0 <= one && one <= three && three <= 100 && chance > 5 && chance < 50)
        // The truth comes from the parameters: a damaged line is named.
        let parameters = data + "/clips.jsonl"
        let text = try String(contentsOfFile: parameters, encoding: .utf8)
        try (text + "{\"id\": 3}\n").write(toFile: parameters, atomically: true, encoding: .utf8)
        let bad = try FinecliperBinary.run(["dataset", "phrases", "--data", data])
        let lines = text.split(separator: "\n").count + 1
        #expect(bad.status != 0 && bad.output.contains("clips.jsonl:\(lines): not a generated clip"), "\(bad.output)")
    }

    @Test func predictNamesAnExpressionOnARealVideo() throws {
        let scratch = Scratch()
        let csv = scratch.path("frames.csv")
        let run = try FinecliperBinary.run(["predict", Self.root + "/assets/media/single_face.mp4", "--frames-csv", csv])
        #expect(run.status == 0, "\(run.output)")
        #expect(FineCLIPERConfig.sevenClassNouns.contains { run.output.contains(": \($0) (") }, "\(run.output)")
        #expect(run.output.contains("described: ") && run.output.contains("the model sees: "))
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 17 && rows[0] == "clip,frame,happiness,sadness,neutral,anger,surprise,disgust,fear")
        // A file with no face is reported, and the exit status says nothing could be classified.
        let none = try FinecliperBinary.run(["predict", Self.root + "/assets/media/free-mountain-vector-01.jpg"])
        #expect(none.status == 65 && none.output.contains("no face"), "\(none.output)")
    }
}
