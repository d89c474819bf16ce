import Datasets
import Foundation
import Testing
import TestSupport

/// `finecliper dataset describe`: descriptions from landmarks, written atomically, clear errors.
@Suite struct DatasetDescribeTests {
    @Test func describesEveryClipFromItsLandmarks() throws {
        let scratch = Scratch()
        var config = SyntheticConfig()
        config.trainPerClass = 1; config.testPerClass = 0; config.frames = 12; config.size = 48
        let root = scratch.path("synth")
        try SyntheticDataset.write(config, to: root)
        let before = try DescriptionStore(path: root + "/descriptions.jsonl")
        let run = try FinecliperBinary.run(["dataset", "describe", "--data", root])
        #expect(run.status == 0 && run.output.contains("7 descriptions"), "\(run.output)")
        let after = try DescriptionStore(path: root + "/descriptions.jsonl")
        let ids = SyntheticDataset.clips(config).map(\.clip.id)
        #expect(ids.allSatisfy { after[$0] != nil && after[$0] != before[$0] })
        // The happy clip's mouth widens and its corners rise, in the describer's words.
        let happy = SyntheticDataset.clips(config).first { $0.clip.label == "Happy" }!.clip.id
        #expect(after[happy]!.contains("lip corners pull up") || after[happy]!.contains("mouth stretches wider"), "\(after[happy]!)")
    }

    /// A dataset without landmarks (an official release) is tracked by the face pipeline, once:
    /// the points stay in the landmark cache training reads.
    @Test func describesClipsWithoutLandmarksThroughTheFacePipeline() throws {
        let scratch = Scratch()
        var config = SyntheticConfig()
        config.trainPerClass = 1; config.testPerClass = 0; config.frames = 12; config.faceCrops = true
        let root = scratch.path("synth")
        try SyntheticDataset.write(config, to: root)
        try FileManager.default.removeItem(atPath: root + "/landmarks")
        let cache = ["XDG_CACHE_HOME": scratch.path("cache")]
        let run = try FinecliperBinary.run(["dataset", "describe", "--data", root], environment: cache)
        #expect(run.status == 0 && run.output.contains("7 descriptions"), "\(run.output)")
        let features = scratch.path("cache") + "/finecliper/features"
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: features).first { $0.hasPrefix("landmarks-") })
        let perDataset = try FileManager.default.contentsOfDirectory(atPath: features + "/" + folder)
        #expect(perDataset.count == 1 && perDataset[0].hasPrefix("synth-"), "\(perDataset)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: features + "/" + folder + "/" + perDataset[0]).count == 7)
        let first = try String(contentsOfFile: root + "/descriptions.jsonl", encoding: .utf8)
        #expect(try FinecliperBinary.run(["dataset", "describe", "--data", root], environment: cache).status == 0)
        #expect(try String(contentsOfFile: root + "/descriptions.jsonl", encoding: .utf8) == first)
        let happy = SyntheticDataset.clips(config).first { $0.clip.label == "Happy" }!.clip.id
        #expect(try DescriptionStore(path: root + "/descriptions.jsonl")[happy]?.isEmpty == false)
    }

    @Test func aMissingDatasetIsNamed() throws {
        let scratch = Scratch()
        let none = try FinecliperBinary.run(["dataset", "describe", "--data", scratch.path("nothing")])
        #expect(none.status == 66 && none.output.contains("no landmarks folder"), "\(none.output)")
    }
}
