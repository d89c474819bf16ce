import Face
import Foundation
import Media
import TensorCore

/// The face pipeline's 68 points on every frame of a clip, tracked once through the whole clip
/// (with its frames' time stamps, as `predict` and the player track) and kept on disk, for
/// datasets that bring no landmarks: the parsing and landmark streams of every later epoch, and
/// of evaluation, are drawn from them instead of tracking the sampled frames again. One
/// safetensors file per clip ([frames, 68, 2] points and a [frames] found mask, F32) in a folder
/// named by a hash of the face models' identity and the tracker's revision and, in it, one named
/// after the dataset; each file records its clip's source stamp, so a clip changed in place is
/// tracked again. The parsing and landmark renders are drawn from the points on each load, over
/// frames that are decoded for the video stream anyway: stored, they would take two RGB images
/// per frame of every clip (each epoch samples other frames), about 300 KB per 224-px frame where
/// the points take 544 bytes.
public struct LandmarkCache: Sendable {
    public let folder: String

    /// Bumped whenever the face pipeline's output for a frame changes.
    public static let trackerRevision = "tracker-1"

    /// One folder per face-model identity and, inside it, one per dataset (its folder's name and a
    /// hash of its full path): datasets whose clip ids coincide (every generated set has a
    /// synth_00001; DFEW's and MAFW's are both numbers) keep their own tracks instead of
    /// overwriting each other's and tracking again each time they take turns.
    public init(root: String, faceModels fingerprint: String, dataset: String) {
        let models = String(format: "landmarks-%016llx", DeterministicParameters.nameHash(fingerprint + "|" + Self.trackerRevision))
        let path = URL(fileURLWithPath: dataset).standardizedFileURL.path
        let name = String(URL(fileURLWithPath: path).lastPathComponent.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        folder = root + "/" + models + "/" + name + String(format: "-%08llx", DeterministicParameters.nameHash(path) & 0xffff_ffff)
    }

    func path(_ id: String) -> String { folder + "/" + id + ".safetensors" }

    /// Every frame's points (empty where no face was found): from the cache when it holds them for
    /// `stamp`, else tracked with `faceModels` and stored. Values pass through F32 either way, so
    /// a clip's streams are the same whether its points were just tracked or read back.
    public func points(_ id: String, path clip: String, stamp: String, faceModels: FaceModels) throws -> [[SIMD2<Double>]] {
        if let stored = load(id, stamp: stamp) { return stored }
        let source = try openFrameSource(clip)
        let tracker = faceModels.tracker()
        var frames = [[SIMD2<Double>]](repeating: [], count: source.frameCount)
        try source.forEachFrame { i, time, image in
            let r = try tracker.process(image, frame: i, timestamp: time)
            if r.success { frames[i] = r.points }
        }
        let (points, found) = Self.tensors(frames)
        var w = SafeTensorsWriter(metadata: [FeatureCache.stampKey: stamp])
        w.add("points", points)
        w.add("found", found)
        // A cache that cannot be written (read-only home, full disk) costs time, not the run.
        if (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)) != nil {
            try? w.write(to: path(id))
        }
        return Self.frames(points, found)
    }

    /// The stored points, or nil when they are missing, stale, or unreadable (tracked again then).
    func load(_ id: String, stamp: String) -> [[SIMD2<Double>]]? {
        guard let file = try? SafeTensorsFile(path: path(id)), file.metadata[FeatureCache.stampKey] == stamp,
              let points = try? file.tensor("points"), let found = try? file.tensor("found"),
              points.shape.count == 3, points.shape[1] == 68, points.shape[2] == 2, found.shape == [points.shape[0]] else { return nil }
        return Self.frames(points, found)
    }

    static func tensors(_ frames: [[SIMD2<Double>]]) -> (points: Tensor, found: Tensor) {
        var values: [Float] = [], mask: [Float] = []
        values.reserveCapacity(frames.count * 136)
        for p in frames {
            let face = p.count == 68
            mask.append(face ? 1 : 0)
            for k in 0..<68 { values += face ? [Float(p[k].x), Float(p[k].y)] : [0, 0] }
        }
        return (Tensor(shape: [frames.count, 68, 2], values: values), Tensor(shape: [frames.count], values: mask))
    }

    static func frames(_ points: Tensor, _ found: Tensor) -> [[SIMD2<Double>]] {
        let v = points.scalars, m = found.scalars
        return (0..<m.count).map { i -> [SIMD2<Double>] in
            guard m[i] != 0 else { return [] }
            let base = i * 136
            return (0..<68).map { k -> SIMD2<Double> in SIMD2(Double(v[base + 2 * k]), Double(v[base + 2 * k + 1])) }
        }
    }
}
