import Foundation
import Testing
import TestSupport

/// The zero-shot protocol (FINECLIPER.md §7.3): a model trained on seven classes scores another
/// dataset's eleven (MAFW's), with prompts built from that dataset's class nouns.
@Suite(.serialized) struct ZeroShotTests {
    @Test func aSevenClassModelScoresMAFWsElevenClasses() throws {
        let scratch = Scratch()
        let data = scratch.path("gen")
        let made = try FinecliperBinary.run(["synth", "-o", data, "--face-crops", "--hard", "--train-per-class", "1", "--test-per-class", "3", "--seed", "31"])
        #expect(made.status == 0, "\(made.output)")
        #expect(try FinecliperBinary.run(["dataset", "describe", "--data", data]).status == 0)
        // The same clips listed as MAFW's fold 1 (MAFW's first seven classes are the basic seven).
        let mafw = scratch.path("mafw")
        let fm = FileManager.default
        try fm.createDirectory(atPath: mafw + "/annotation", withIntermediateDirectories: true)
        for split in ["train", "test"] {
            let list = try String(contentsOfFile: data + "/annotation/synth_set_1_\(split).txt", encoding: .utf8)
            let absolute = list.split(separator: "\n").map { data + "/" + $0 }.joined(separator: "\n") + "\n"
            try absolute.write(toFile: mafw + "/annotation/MAFW_set_1_\(split).txt", atomically: true, encoding: .utf8)
        }
        try fm.createSymbolicLink(atPath: mafw + "/descriptions.jsonl", withDestinationPath: data + "/descriptions.jsonl")
        try fm.createSymbolicLink(atPath: mafw + "/landmarks", withDestinationPath: data + "/landmarks")

        let refused = try FinecliperBinary.run(["eval", "--checkpoint", "embedded", "--data", mafw, "--model", "embedded"])
        #expect(refused.status == 65 && refused.output.contains("--zero-shot"), "\(refused.output)")

        let eval = try FinecliperBinary.run(["eval", "--checkpoint", "embedded", "--data", mafw, "--model", "embedded", "--zero-shot", "--json",
                                             "--predictions", scratch.path("p.jsonl")])
        #expect(eval.status == 0, "\(eval.output)")
        let json = try #require(eval.output.split(separator: "\n").drop { !$0.hasPrefix("{") }.joined(separator: "\n").data(using: .utf8))
        let report = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let classes = try #require(report["classes"] as? [String]), trained = try #require(report["trainedOn"] as? [String])
        let uar = try #require(report["uar"] as? Double)
        print(String(format: "zero-shot, 7 → 11 classes, 21 clips: UAR %.2f WAR %.2f", uar, report["war"] as? Double ?? -1))
        #expect(classes.count == 11 && trained.count == 7 && report["zeroShot"] as? Bool == true && report["clips"] as? Int == 21)
        // Eleven-way, so chance is 9 %; the seven shared classes keep most of their accuracy.
        #expect(uar > 30, "UAR \(uar)")
        let first = try #require(try String(contentsOfFile: scratch.path("p.jsonl"), encoding: .utf8).split(separator: "\n").first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        #expect((record["probabilities"] as? [Double])?.count == 11, "\(record.keys)")
    }
}

/// `bench train` keeps working (its numbers are measurements, not assertions).
@Suite struct BenchTrainTests {
    @Test func benchTrainReportsBothModes() throws {
        let run = try FinecliperBinary.run(["bench", "train", "--model", "tiny", "--train-per-class", "2", "--batch", "2", "--frames", "4", "--json"])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        let rows = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(rows.map { $0["mode"] as? String } == ["cached", "full"])
        #expect(rows.allSatisfy { ($0["clipsPerSecond"] as? Double ?? 0) > 0 && ($0["peakMB"] as? Double ?? 0) > 0 })
        #expect(rows[0]["featureSecondsPerClip"] as? Double != nil)
    }
}
