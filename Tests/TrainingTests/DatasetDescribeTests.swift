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

        let none = try FinecliperBinary.run(["dataset", "describe", "--data", scratch.path("nothing")])
        #expect(none.status == 66 && none.output.contains("no landmarks folder"), "\(none.output)")
    }
}
