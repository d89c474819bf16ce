import ArgumentParser
import Datasets
import Face
import Foundation
import TensorCore
import Training

/// `finecliper dataset describe --data DIR`: descriptions.jsonl from each clip's landmarks by the
/// motion describer, so that a model is trained on the same kind of text it is given for any
/// video at prediction time (the generator's own descriptions are worded from its action units).
struct DatasetDescribe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Write DIR/descriptions.jsonl with the motion describer, from DIR/landmarks/<id>.csv or the face pipeline.",
        discussion: """
            With a landmarks folder (as finecliper synth writes it) every clip there is described. \
            Without one (an official release), every clip of the dataset is tracked by the face \
            pipeline through all its frames, as predict tracks a video; the points are kept in the \
            landmark cache that training uses, so the work is done once. Clips without a frame with a \
            face are listed and left out. The old file, if any, is replaced atomically.
            """)

    @Option(name: .long, help: "Dataset root.")
    var data: String

    @Option(help: "Layout: dfew, ferv39k, mafw or list (detected when omitted).")
    var format: DatasetFormat?

    func run() throws {
        let tracks = FileManager.default.fileExists(atPath: data + "/landmarks") ? try landmarkFiles() : try faceTracks()
        var lines: [String] = [], skipped: [String] = []
        for (id, track) in tracks {
            guard let track, track.contains(where: { $0.count == 68 }) else { skipped.append(id); continue }
            let object = ["id": id, "description": MotionDescriber.describe(track)]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        guard !lines.isEmpty else { throw CommandError("\(data): no clip with a face to describe", kind: .badData) }
        try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: data + "/descriptions.jsonl")
        print("\(lines.count) descriptions in \(data)/descriptions.jsonl" + (skipped.isEmpty ? "" : "; \(skipped.count) clips without a face left out"))
    }

    /// Every landmarks/<id>.csv's whole track.
    func landmarkFiles() throws -> [(String, [[SIMD2<Double>]]?)] {
        let folder = data + "/landmarks"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        return try names.sorted().filter { $0.hasSuffix(".csv") }.map { name in
            let path = folder + "/" + name
            return (String(name.dropLast(4)), try LandmarksFile(try String(contentsOfFile: path, encoding: .utf8), path: path).track)
        }
    }

    /// Every clip of the dataset tracked by the face pipeline (through the landmark cache); a clip
    /// that cannot be read has no track.
    func faceTracks() throws -> [(String, [[SIMD2<Double>]]?)] {
        guard let layout = format ?? DatasetFormat.detect(root: data) else {
            throw CommandError("\(data): no landmarks folder and no dataset layout recognised", kind: .missingInput)
        }
        let splits = try layout.open(root: data, fold: nil)
        var seen = Set<String>(), clips: [ClipRecord] = []
        for name in splits.splits.keys.sorted() { for c in splits.splits[name]! where seen.insert(c.id).inserted { clips.append(c) } }
        let models = try FaceModels.load(blazeFace: try Assets.require(Assets.blazeFace, what: "the BlazeFace model"),
                                         dlibLandmarks: try Assets.require(Assets.dlibLandmarks, what: "dlib's 68-point model (Debian libdlib-data)"))
        let cache = LandmarkCache(root: FeatureCache.defaultRoot, faceModels: models.fingerprint ?? "", dataset: splits.root)
        let bar = ProgressBar(label: "tracking")
        defer { bar.finish() }
        return clips.enumerated().map { i, clip in
            bar.update(i, of: clips.count)
            return (clip.id, try? cache.points(clip.id, path: clip.path, stamp: FeatureCache.stamp([clip.path]), faceModels: models))
        }
    }
}
