import Foundation
import Media
@testable import Datasets

/// Small trees laid out like the official DFEW, FERV39k and MAFW releases (a few generated clips
/// per class), built fresh by the tests.
enum LookAlikeTrees {
    static func frame(_ i: Int) -> RGBImage {
        var img = RGBImage(width: 24, height: 24, fill: (UInt8(i * 9 % 256), 90, 160))
        img[i % 24, i % 24] = (255, 255, 255)
        return img
    }

    static func writeFrames(_ dir: String, count: Int, name: (Int) -> String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for i in 1...count { try MediaWriter.writePNG(frame(i), to: dir + "/" + name(i)) }
    }

    static func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// DFEW fold 1: clip k (1-based) has label (k − 1) % 7 + 1 and 10 + k frames; clips 1–14 train,
    /// 15–21 test. Clip 21 exists only as a video in Clip/original/part_2; clip 20's folder is broken.
    static func dfew(at root: String) throws {
        var train = "video_name,label\n", test = "video_name,label\n"
        for k in 1...21 {
            let id = String(format: "%05d", k), label = (k - 1) % 7 + 1
            if k <= 14 { train += "\(k),\(label)\n" } else { test += "\(k),\(label)\n" }
            if k == 21 {
                try FileManager.default.createDirectory(atPath: root + "/Clip/original/part_2", withIntermediateDirectories: true)
                try MediaWriter.writeVideo((1...12).map(frame), frameRate: 25, to: root + "/Clip/original/part_2/\(id).mp4")
            } else if k == 20 {
                try write(root + "/Clip/clip_224x224/\(id)/notes.txt", "not a frame")
            } else {
                try writeFrames(root + "/Clip/clip_224x224/\(id)", count: 10 + k) { "\(id)_\(String(format: "%05d", $0)).png" }
            }
        }
        try write(root + "/EmoLabel_DataSplit/train(single-labeled)/set_1.csv", train)
        try write(root + "/EmoLabel_DataSplit/test(single-labeled)/set_1.csv", test)
    }

    /// FERV39k: two scenes, every class once in train and once in test, 8 frames each.
    static func ferv39k(at root: String) throws {
        var train = "", test = ""
        for (i, c) in ["Angry", "Disgust", "Fear", "Happy", "Neutral", "Sad", "Surprise"].enumerated() {
            for (split, scene) in [("train", "Action"), ("test", "Talkshow")] {
                let rel = "\(scene)/\(c)/\(String(format: "%04d", i + 1))"
                try writeFrames(root + "/2_ClipsforFaceCrop/" + rel, count: 8) { String(format: "%02d.png", $0) }
                if split == "train" { train += "\(rel) \(c)\n" } else { test += "\(rel) \(c)\n" }
            }
        }
        try write(root + "/4_setups/All_scenes/train_All.csv", train)
        try write(root + "/4_setups/All_scenes/test_All.csv", test)
    }

    /// MAFW fold 1: one clip per official class word in train (videos in data/clips), two in test
    /// (face frames in data/faces).
    static let mafwWords = ["anger", "disgust", "fear", "happiness", "neutral", "sadness", "surprise",
                            "contempt", "anxiety", "helplessness", "disappointment"]

    static func mafw(at root: String) throws {
        var train = "", test = ""
        for (i, w) in mafwWords.enumerated() {
            let id = String(format: "%05d", 100 + i)
            try FileManager.default.createDirectory(atPath: root + "/data/clips", withIntermediateDirectories: true)
            try MediaWriter.writeVideo((1...9).map(frame), frameRate: 25, to: root + "/data/clips/\(id).mp4")
            train += "\(id).mp4 \(w)\n"
        }
        for (j, w) in ["anger", "contempt"].enumerated() {
            let id = String(format: "%05d", 200 + j)
            try writeFrames(root + "/data/faces/\(id)", count: 12) { String(format: "%05d.png", $0) }
            test += "\(id).mp4 \(w)\n"
        }
        try write(root + "/Train & Test Set/single/no_caption/set_1/train.txt", train)
        try write(root + "/Train & Test Set/single/no_caption/set_1/test.txt", test)
    }
}
