import Foundation
import Testing
import TestSupport
import Media
@testable import Datasets

@Suite(.serialized) struct LayoutTests {
    let scratch = Scratch()

    @Test func dfewFoldOneWithFramesVideosAndABrokenClip() throws {
        let root = scratch.dir + "/DFEW"
        try LookAlikeTrees.dfew(at: root)
        #expect(DatasetFormat.detect(root: root) == .dfew)
        let d = try DatasetFormat.dfew.open(root: root, fold: 1)
        #expect(d.classes == EmotionClasses.seven)
        #expect(d.splits["train"]!.count == 14 && d.splits["test"]!.count == 7)
        #expect(d.splits["train"]![0] == ClipRecord(id: "00001", path: root + "/Clip/clip_224x224/00001", declaredFrames: nil, label: 0))
        #expect(d.splits["test"]!.last!.path == root + "/Clip/original/part_2/00021.mp4")
        let s = DatasetSummary.compute(d)
        let train = s.splits[0], test = s.splits[1]
        #expect(train.name == "train" && train.perClass == [2, 2, 2, 2, 2, 2, 2])
        #expect(train.frames == DatasetSummary.FrameStats(min: 11, max: 24, median: 18, mean: 17.5))
        #expect(test.unreadable.map(\.id) == ["00020"])
        #expect(test.unreadable[0].reason.contains("notes.txt"))
        #expect(s.table().contains("Happy") && s.table().contains("1 unreadable clip"))
        #expect(throws: DatasetError.badFold(fold: 6, available: 1...5)) { try DatasetFormat.dfew.open(root: root, fold: 6) }
        #expect(throws: DatasetError.self) { try DatasetFormat.dfew.open(root: root, fold: 2) }
    }

    @Test func dfewCSVErrorsNameTheLine() throws {
        let root = scratch.dir + "/DFEWbad"
        try LookAlikeTrees.write(root + "/EmoLabel_DataSplit/train(single-labeled)/set_1.csv", "video_name,label\n1,3\n2,9\n")
        try LookAlikeTrees.write(root + "/EmoLabel_DataSplit/test(single-labeled)/set_1.csv", "video_name,label\n")
        #expect(throws: DatasetError.badLine(file: root + "/EmoLabel_DataSplit/train(single-labeled)/set_1.csv", line: 3,
                                             reason: "label \"9\" is not 1–7")) {
            try DatasetFormat.dfew.open(root: root, fold: 1)
        }
    }

    @Test func ferv39kScenesAndClasses() throws {
        let root = scratch.dir + "/FERV39k"
        try LookAlikeTrees.ferv39k(at: root)
        #expect(DatasetFormat.detect(root: root) == .ferv39k)
        let d = try DatasetFormat.ferv39k.open(root: root, fold: nil)
        #expect(d.splits["train"]!.count == 7 && d.splits["test"]!.count == 7)
        let angry = d.splits["train"]!.first { $0.id == "Action/Angry/0001" }!
        #expect(angry.label == 3 && angry.path == root + "/2_ClipsforFaceCrop/Action/Angry/0001")
        let s = DatasetSummary.compute(d)
        #expect(s.splits.allSatisfy { $0.perClass == [1, 1, 1, 1, 1, 1, 1] && $0.frames?.median == 8 && $0.unreadable.isEmpty })
        #expect(throws: DatasetError.badFold(fold: 2, available: 1...1)) { try DatasetFormat.ferv39k.open(root: root, fold: 2) }
    }

    @Test func mafwVideosFacesAndItsElevenClasses() throws {
        let root = scratch.dir + "/MAFW"
        try LookAlikeTrees.mafw(at: root)
        #expect(DatasetFormat.detect(root: root) == .mafw)
        let d = try DatasetFormat.mafw.open(root: root, fold: 1)
        #expect(d.classes.count == 11)
        // Official words map to DFER-CLIP's order: anger → 3, happiness → 0, contempt → 7.
        #expect(d.splits["train"]!.map(\.label) == [3, 5, 6, 0, 2, 1, 4, 7, 8, 9, 10])
        #expect(d.splits["train"]![0].path == root + "/data/clips/00100.mp4")
        #expect(d.splits["test"]!.map(\.path) == [root + "/data/faces/00200", root + "/data/faces/00201"])
        let s = DatasetSummary.compute(d)
        #expect(s.splits[0].frames?.min == 9 && s.splits[1].frames?.max == 12)
        #expect(s.splits[0].perClass == Array(repeating: 1, count: 11))
    }

    @Test func annotationListsFromAnotherMachineAreReRooted() throws {
        let root = scratch.dir + "/lists"
        try LookAlikeTrees.writeFrames(root + "/DFEW_Frame_Face/00001", count: 16) { String(format: "%05d.png", $0) }
        try LookAlikeTrees.writeFrames(root + "/DFEW_Frame_Face/00002", count: 9) { String(format: "%05d.png", $0) }
        try LookAlikeTrees.write(root + "/annotation/DFEW_set_1_train.txt",
                                 "/data/EECS-IoannisLab/datasets/DFEW/DFEW_Frame_Face/00001 16 0\n")
        try LookAlikeTrees.write(root + "/annotation/DFEW_set_1_test.txt",
                                 "/data/EECS-IoannisLab/datasets/DFEW/DFEW_Frame_Face/00002 16 6\nbroken line\n")
        #expect(DatasetFormat.detect(root: root) == .list)
        #expect(throws: DatasetError.self) { try DatasetFormat.list.open(root: root, fold: 1) }
        let d = try DatasetFormat.list.open(root: root, fold: 1, skipBadLines: true)
        #expect(d.skippedLines == 1)
        #expect(d.splits["train"]![0].path == root + "/DFEW_Frame_Face/00001")
        let s = DatasetSummary.compute(d)
        #expect(s.splits[1].frameCountMismatches.map(\.reason) == ["annotation says 16 frames, found 9"])
        #expect(s.skippedLines == 1)
    }
}

@Suite struct DatasetInfoCommandTests {
    @Test func infoOnADFEWLikeTreeAsANewcomerRunsIt() throws {
        let scratch = Scratch()
        let root = scratch.path("DFEW")
        try LookAlikeTrees.dfew(at: root)
        let table = try FinecliperBinary.run(["dataset", "info", "--data", root])
        #expect(table.status == 0, "\(table.output)")
        #expect(table.output.contains("dataset DFEW, fold 1") && table.output.contains("Disgust"))
        #expect(table.output.contains("00020"))
        let json = try FinecliperBinary.run(["dataset", "info", "--data", root, "--fold", "1", "--json"])
        let start = json.output.firstIndex(of: "{")!
        let summary = try JSONDecoder().decode(DatasetSummary.self, from: Data(json.output[start...].utf8))
        #expect(summary.splits.map(\.clips) == [14, 7] && summary.splits[1].unreadable.count == 1)
        let missing = try FinecliperBinary.run(["dataset", "info", "--data", scratch.path("nowhere")])
        #expect(missing.status == 66 && missing.output.contains("nowhere: not found"), "\(missing.output)")
        let unknown = try FinecliperBinary.run(["dataset", "info", "--data", scratch.dir])
        #expect(unknown.status == 65 && unknown.output.contains("--format"), "\(unknown.output)")
        let badFold = try FinecliperBinary.run(["dataset", "info", "--data", root, "--fold", "9"])
        #expect(badFold.status != 0 && badFold.output.contains("fold 9 does not exist"))
    }

    @Test func verifyDecodesEveryFrameAndNamesTheBadOnes() throws {
        let scratch = Scratch()
        let root = scratch.path("gen")
        let made = try FinecliperBinary.run(["synth", "-o", root, "--train-per-class", "1", "--test-per-class", "1", "--frames", "4", "--size", "32"])
        #expect(made.status == 0, "\(made.output)")
        let list = try String(contentsOfFile: root + "/annotation/synth_set_1_test.txt", encoding: .utf8)
        let clip = String(list.split(separator: " ")[0])
        try Data("not a jpeg".utf8).write(to: URL(fileURLWithPath: root + "/" + clip + "/00003.jpg"))
        let plain = try FinecliperBinary.run(["dataset", "info", "--data", root])
        #expect(plain.status == 0 && !plain.output.contains("do not decode"))
        let verified = try FinecliperBinary.run(["dataset", "info", "--data", root, "--verify"])
        #expect(verified.status == 0 && verified.output.contains("test: 1 clip(s) with frames that do not decode"), "\(verified.output)")
        #expect(verified.output.contains("1 of 4 frames do not decode: 2"))
        #expect(try FinecliperBinary.run(["dataset", "info", "--data", root, "--verify", "--no-open"]).status == 64)
    }
}
