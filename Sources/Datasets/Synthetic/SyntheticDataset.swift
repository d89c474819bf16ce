import Foundation
import Media
import TensorCore

/// What `finecliper synth` generates (DFEW's seven classes); saved beside the data (`synth.json`) so any set can be
/// regenerated exactly.
public struct SyntheticConfig: Codable, Equatable, Sendable {
    public var seed: UInt64 = 1
    public var trainPerClass = 8
    public var testPerClass = 2
    public var frames = 16
    public var size = 112
    public var jpegQuality = 90
    /// Also write each frame's parsing map (PNG, class index in every channel).
    public var parsingMaps = false

    public init() {}
}

/// Writes synthetic clips as a dataset in DFER-CLIP's layout: `frames/<id>/00001.jpg…`,
/// `annotation/synth_set_1_{train,test}.txt`, `descriptions.jsonl`, ground-truth landmarks
/// (`landmarks/<id>.csv`, x_0…x_67 then y_0…y_67 per frame), each clip's parameters
/// (`clips.jsonl`), optional parsing maps, and `synth.json`. Everything is built in a temporary
/// folder beside the target and renamed into place, so a stopped run leaves no half dataset.
public enum SyntheticDataset {
    /// Every clip of a configuration with its split, classes interleaved.
    public static func clips(_ config: SyntheticConfig) -> [(clip: SyntheticClip, split: String)] {
        let perClass = config.trainPerClass + config.testPerClass
        var out: [(SyntheticClip, String)] = []
        for k in 0..<perClass {
            for name in EmotionClasses.seven {
                let n = out.count + 1
                let clip = SyntheticClip(id: String(format: "synth_%05d", n), label: name, seed: splitMix64(config.seed &+ UInt64(n)),
                                         frameCount: config.frames, size: config.size)
                out.append((clip, k < config.trainPerClass ? "train" : "test"))
            }
        }
        return out
    }

    /// Generates the dataset into `root` (which must not exist unless `replace`); `progress` is
    /// called after each clip with (done, total).
    /// `progress` may throw to stop (a signal): the partial folder is removed and `root` is
    /// left as it was.
    public static func write(_ config: SyntheticConfig, to root: String, replace: Bool = false,
                             progress: (Int, Int) throws -> Void = { _, _ in }) throws {
        let fm = FileManager.default
        let target = (root as NSString).standardizingPath
        if fm.fileExists(atPath: target) && !replace {
            throw DatasetError.alreadyExists(path: target)
        }
        let staging = target + ".partial-\(getpid())"
        try? fm.removeItem(atPath: staging)
        do {
            try build(config, in: staging, progress: progress)
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.moveItem(atPath: staging, toPath: target)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    static func build(_ config: SyntheticConfig, in dir: String, progress: (Int, Int) throws -> Void) throws {
        let fm = FileManager.default
        for sub in ["frames", "annotation", "landmarks"] + (config.parsingMaps ? ["parsing"] : []) {
            try fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        let all = clips(config)
        var lists = ["train": "", "test": ""], descriptions = "", parameters = ""
        for (n, (clip, split)) in all.enumerated() {
            let folder = "frames/" + clip.id
            try fm.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true)
            if config.parsingMaps { try fm.createDirectory(atPath: dir + "/parsing/" + clip.id, withIntermediateDirectories: true) }
            for f in 0..<clip.frameCount {
                let (image, parsing) = clip.render(frame: f)
                let name = String(format: "%05d", f + 1)
                try MediaWriter.writeJPEG(image, quality: config.jpegQuality, to: "\(dir)/\(folder)/\(name).jpg")
                if config.parsingMaps {
                    let grey = RGBImage(width: clip.size, height: clip.size, pixels: parsing.flatMap { [$0, $0, $0] })
                    try MediaWriter.writePNG(grey, to: "\(dir)/parsing/\(clip.id)/\(name).png")
                }
            }
            try AtomicFile.write(Data(landmarksCSV(clip).utf8), to: "\(dir)/landmarks/\(clip.id).csv")
            let text = try records(clip)
            lists[split, default: ""] += text.annotation
            descriptions += text.description
            parameters += text.parameters
            try progress(n + 1, all.count)
        }
        for (split, text) in lists { try AtomicFile.write(Data(text.utf8), to: "\(dir)/annotation/synth_set_1_\(split).txt") }
        try AtomicFile.write(Data(descriptions.utf8), to: dir + "/descriptions.jsonl")
        try AtomicFile.write(Data(parameters.utf8), to: dir + "/clips.jsonl")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(try encoder.encode(config), to: dir + "/synth.json")
    }

    /// The clip's lines in the annotation list, descriptions.jsonl and clips.jsonl.
    static func records(_ clip: SyntheticClip) throws -> (annotation: String, description: String, parameters: String) {
        let label = EmotionClasses.seven.firstIndex(of: clip.label)!
        let description = try JSONSerialization.data(withJSONObject: ["id": clip.id, "description": clip.movementDescription], options: [.sortedKeys])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return ("frames/\(clip.id) \(clip.frameCount) \(label)\n", String(decoding: description, as: UTF8.self) + "\n",
                String(decoding: try encoder.encode(clip), as: UTF8.self) + "\n")
    }

    /// Ground-truth landmarks, one row per frame: frame, x_0…x_67, y_0…y_67 (pixels, 2 decimals).
    public static func landmarksCSV(_ clip: SyntheticClip) -> String {
        var csv = "frame," + (0..<68).map { "x_\($0)" }.joined(separator: ",") + "," + (0..<68).map { "y_\($0)" }.joined(separator: ",") + "\n"
        for f in 0..<clip.frameCount {
            let points = clip.landmarks(at: f)
            csv += "\(f)," + (points.map { String(format: "%.2f", $0.x) } + points.map { String(format: "%.2f", $0.y) }).joined(separator: ",") + "\n"
        }
        return csv
    }
}
