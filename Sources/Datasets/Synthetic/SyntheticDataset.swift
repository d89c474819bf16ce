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
    /// Write DFER-style face crops (`SyntheticClip.faceBox`, rendered at twice the size and
    /// resampled), as DFEW and FERV39k ship their clips, instead of whole frames.
    public var faceCrops = false
    /// Harder clips (`SyntheticClip.init(…hard:)`): weak and blended expressions, talking, head motion.
    public var hard = false
    /// Share of clips rendered from real face photos (`SyntheticClip.render(frame:texture:)`)
    /// instead of drawn faces, and the names of the textures the set was made with (in order):
    /// test clips take every fourth person (a photo and its mirror image), training clips the
    /// others, so test faces are unseen. Textures that already show a class
    /// (`FaceTexture.expression`, by name) animate clips of that class only, and the people are
    /// held out within each such group, so the test clips have faces of every kind.
    public var realFaces = 0.0
    public var textures: [String] = []
    public var textureExpressions: [String: String] = [:]
    /// Real faces keep their own proportions (`SyntheticClip.wear(_:)`) instead of taking the
    /// drawn identity's; `clips(_:)` cannot know them (it has no photos), the written set's
    /// `clips.jsonl` and landmarks do.
    public var photoShapes = false
    /// Share of happy clips that laugh (`SyntheticClip.laugh(share:)`): the jaw drops with the smile.
    public var laughing = 0.0
    /// Share of sad clips that cry (`SyntheticClip.cry(share:)`): the mouth stretches open, the eyes squeeze.
    public var crying = 0.0
    /// Share of clips whose expression is already under way at the first frame
    /// (`SyntheticClip.hold(share:)`).
    public var held = 0.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case seed, trainPerClass, testPerClass, frames, size, jpegQuality, parsingMaps, faceCrops, hard, realFaces, textures, textureExpressions, photoShapes, laughing, crying, held
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        seed = try c.decode(UInt64.self, forKey: .seed)
        trainPerClass = try c.decode(Int.self, forKey: .trainPerClass)
        testPerClass = try c.decode(Int.self, forKey: .testPerClass)
        frames = try c.decode(Int.self, forKey: .frames)
        size = try c.decode(Int.self, forKey: .size)
        jpegQuality = try c.decode(Int.self, forKey: .jpegQuality)
        parsingMaps = try c.decode(Bool.self, forKey: .parsingMaps)
        faceCrops = try c.decodeIfPresent(Bool.self, forKey: .faceCrops) ?? false   // sets written before face crops
        hard = try c.decodeIfPresent(Bool.self, forKey: .hard) ?? false
        realFaces = try c.decodeIfPresent(Double.self, forKey: .realFaces) ?? 0
        textures = try c.decodeIfPresent([String].self, forKey: .textures) ?? []
        textureExpressions = try c.decodeIfPresent([String: String].self, forKey: .textureExpressions) ?? [:]
        photoShapes = try c.decodeIfPresent(Bool.self, forKey: .photoShapes) ?? false
        laughing = try c.decodeIfPresent(Double.self, forKey: .laughing) ?? 0
        crying = try c.decodeIfPresent(Double.self, forKey: .crying) ?? 0
        held = try c.decodeIfPresent(Double.self, forKey: .held) ?? 0
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seed, forKey: .seed); try c.encode(trainPerClass, forKey: .trainPerClass); try c.encode(testPerClass, forKey: .testPerClass)
        try c.encode(frames, forKey: .frames); try c.encode(size, forKey: .size); try c.encode(jpegQuality, forKey: .jpegQuality)
        try c.encode(parsingMaps, forKey: .parsingMaps); try c.encode(faceCrops, forKey: .faceCrops); try c.encode(hard, forKey: .hard)
        // Sets of drawn faces only keep the file they always had.
        if realFaces > 0 { try c.encode(realFaces, forKey: .realFaces); try c.encode(textures, forKey: .textures) }
        if realFaces > 0 && !textureExpressions.isEmpty { try c.encode(textureExpressions, forKey: .textureExpressions) }
        if realFaces > 0 && photoShapes { try c.encode(photoShapes, forKey: .photoShapes) }
        if laughing > 0 { try c.encode(laughing, forKey: .laughing) }
        if crying > 0 { try c.encode(crying, forKey: .crying) }
        if held > 0 { try c.encode(held, forKey: .held) }
    }
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
                var clip = SyntheticClip(id: String(format: "synth_%05d", n), label: name, seed: splitMix64(config.seed &+ UInt64(n)),
                                         frameCount: config.frames, size: config.faceCrops ? 2 * config.size : config.size, hard: config.hard)
                let split = k < config.trainPerClass ? "train" : "test"
                clip.texture = texture(for: n, split: split, label: name, config)
                if config.laughing > 0 { clip.laugh(share: config.laughing) }
                if config.crying > 0 { clip.cry(share: config.crying) }
                if config.held > 0 { clip.hold(share: config.held) }
                out.append((clip, split))
            }
        }
        return out
    }

    /// The real face a clip of class `label` is rendered from, if any: drawn with its own
    /// generator, so the other parameters of a seed stay as they were.
    static func texture(for n: Int, split: String, label: String, _ config: SyntheticConfig) -> String? {
        guard config.realFaces > 0, !config.textures.isEmpty else { return nil }
        var g = SeededGenerator(seed: splitMix64(config.seed ^ UInt64(n) ^ 0x5445_5854))
        guard Double(g.uniform(0, 1)) < config.realFaces else { return nil }
        // Held out by person, every fourth of each group (resting faces, faces already showing a
        // class): a texture and its mirror image go to the same side.
        var groups: [String: [String]] = [:]
        for t in config.textures {
            let group = config.textureExpressions[t] ?? "", person = Self.person(t)
            if !(groups[group]?.contains(person) ?? false) { groups[group, default: []].append(person) }
        }
        let pool = config.textures.filter { t in
            let group = config.textureExpressions[t] ?? "", people = groups[group]!
            guard group.isEmpty || group == label else { return false }
            return people.count < 4 || (people.firstIndex(of: Self.person(t))! % 4 == 3) == (split == "test")
        }
        return pool.isEmpty ? nil : pool[g.integer(below: pool.count)]
    }

    static func person(_ texture: String) -> String {
        texture.hasSuffix("~mirror") ? String(texture.dropLast("~mirror".count)) : texture
    }

    /// Generates the dataset into `root` (which must not exist unless `replace`); `progress` is
    /// called after each clip with (done, total).
    /// `progress` may throw to stop (a signal): the partial folder is removed and `root` is
    /// left as it was.
    /// `textures` must hold every name in `config.textures`.
    public static func write(_ config: SyntheticConfig, to root: String, replace: Bool = false, textures: [FaceTexture] = [],
                             progress: (Int, Int) throws -> Void = { _, _ in }) throws {
        let fm = FileManager.default
        let byName = Dictionary(textures.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        if let missing = config.textures.first(where: { byName[$0] == nil }) { throw DatasetError.missingTexture(name: missing) }
        let target = (root as NSString).standardizingPath
        if fm.fileExists(atPath: target) && !replace {
            throw DatasetError.alreadyExists(path: target)
        }
        let staging = target + ".partial-\(getpid())"
        try? fm.removeItem(atPath: staging)
        do {
            try build(config, in: staging, textures: byName, progress: progress)
            if fm.fileExists(atPath: target) { try fm.removeItem(atPath: target) }
            try fm.moveItem(atPath: staging, toPath: target)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    static func build(_ config: SyntheticConfig, in dir: String, textures: [String: FaceTexture], progress: (Int, Int) throws -> Void) throws {
        let fm = FileManager.default
        for sub in ["frames", "annotation", "landmarks"] + (config.parsingMaps ? ["parsing"] : []) {
            try fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        let all = clips(config)
        var lists = ["train": "", "test": ""], descriptions = "", parameters = ""
        for (n, (drawn, split)) in all.enumerated() {
            let texture = drawn.texture.flatMap { textures[$0] }
            var clip = drawn
            if config.photoShapes, let texture { clip.wear(texture) }
            let folder = "frames/" + clip.id
            try fm.createDirectory(atPath: dir + "/" + folder, withIntermediateDirectories: true)
            if config.parsingMaps { try fm.createDirectory(atPath: dir + "/parsing/" + clip.id, withIntermediateDirectories: true) }
            for f in 0..<clip.frameCount {
                var (image, parsing) = texture.map { clip.render(frame: f, texture: $0) } ?? clip.render(frame: f)
                var side = clip.size
                if config.faceCrops {
                    let box = clip.faceBox(at: f)
                    image = image.cropped(x: box.x, y: box.y, width: box.side, height: box.side).resized(width: config.size, height: config.size, filter: .bicubic)
                    parsing = Self.nearest(parsing, width: clip.size, box: box, size: config.size)
                    side = config.size
                }
                let name = String(format: "%05d", f + 1)
                try MediaWriter.writeJPEG(image, quality: config.jpegQuality, to: "\(dir)/\(folder)/\(name).jpg")
                if config.parsingMaps {
                    let grey = RGBImage(width: side, height: side, pixels: parsing.flatMap { [$0, $0, $0] })
                    try MediaWriter.writePNG(grey, to: "\(dir)/parsing/\(clip.id)/\(name).png")
                }
            }
            try AtomicFile.write(Data(landmarksCSV(clip, cropTo: config.faceCrops ? config.size : nil).utf8), to: "\(dir)/landmarks/\(clip.id).csv")
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

    /// A class map's `box` resampled to size×size by nearest neighbour (classes must not blend).
    static func nearest(_ classes: [UInt8], width: Int, box: (x: Int, y: Int, side: Int), size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size * size)
        for y in 0..<size {
            let sy = box.y + min(box.side - 1, (2 * y + 1) * box.side / (2 * size))
            for x in 0..<size {
                let sx = box.x + min(box.side - 1, (2 * x + 1) * box.side / (2 * size))
                out[y * size + x] = classes[sy * width + sx]
            }
        }
        return out
    }

    /// Ground-truth landmarks, one row per frame: frame, x_0…x_67, y_0…y_67 (pixels, 2 decimals);
    /// with `cropTo`, in the pixels of the frame's face crop resampled to that size.
    public static func landmarksCSV(_ clip: SyntheticClip, cropTo: Int? = nil) -> String {
        var csv = "frame," + LandmarksFile.coordinateHeader + "\n"
        for f in 0..<clip.frameCount {
            var points = clip.landmarks(at: f)
            if let size = cropTo {
                let box = clip.faceBox(at: f)
                points = points.map { ($0 - SIMD2(Double(box.x), Double(box.y))) * (Double(size) / Double(box.side)) }
            }
            csv += "\(f)," + LandmarksFile.coordinateFields(points).joined(separator: ",") + "\n"
        }
        return csv
    }
}
