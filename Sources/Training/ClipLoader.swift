import Datasets
import Face
import FineCLIPER
import Foundation
import Media
import TensorCore

/// One clip ready for the model: per visual stream T frames at the model's input size, the
/// description's token ids and the label.
public struct LoadedClip: Sendable {
    public var id: String
    public var label: Int
    public var streams: [VisualStream: [RGBImage]]
    public var description: [Int]
    /// The landmark stream's `LandmarkPoints` rows [T, 272], when it reads points.
    public var points: Tensor? = nil
}

/// Reads a clip's frames with DFER-CLIP's sampling (random segments in training, segment centres
/// in evaluation), renders the parsing and landmark streams from the face landmarks of those
/// frames, and applies one augmentation draw to all three streams alike (same crop, same flip).
/// Landmarks come from the dataset (`landmarks/<id>.csv`, as `finecliper synth` writes them) or
/// from the face pipeline.
public struct ClipLoader: Sendable {
    public let streams: [VisualStream]
    public let size: Int
    public let frames: Int
    public let augmentation: ClipAugmentation?
    public let datasetRoot: String
    public let descriptions: DescriptionStore?
    let faceModels: FaceModels?
    /// Where the face pipeline's points of clips without a landmarks file are kept (nil: tracked
    /// on every load).
    let landmarkCache: LandmarkCache?
    /// Clips missing from `descriptions` are described by the motion describer from their whole
    /// track, as `predict` describes any video (for variants that read descriptions).
    let describeMissing: Bool
    /// The landmark stream reads points (`LandmarkPoints`): no drawing, and no augmentation (the
    /// rows do not depend on crop or scale). They come from the face pipeline even where the
    /// dataset has landmarks files (which the parsing stream still draws from), as they do for any
    /// video given to `predict`, so that training and `eval` see the points the model gets in use:
    /// coordinates, unlike a drawing at the CLIP's size, show which annotator placed them (the
    /// generator's exact points are cleaner than any tracker's).
    let landmarkPoints: Bool
    let tokenize: @Sendable (String) -> [Int]

    public init(streams: [VisualStream], size: Int, frames: Int, augmentation: ClipAugmentation?, datasetRoot: String,
                descriptions: DescriptionStore?, faceModels: FaceModels?, landmarkCache: LandmarkCache? = nil,
                describeMissing: Bool = false, landmarkPoints: Bool = false, tokenize: @escaping @Sendable (String) -> [Int]) {
        self.streams = streams; self.size = size; self.frames = frames; self.augmentation = augmentation
        self.datasetRoot = datasetRoot; self.descriptions = descriptions; self.faceModels = faceModels
        self.landmarkCache = landmarkCache; self.describeMissing = describeMissing; self.landmarkPoints = landmarkPoints
        self.tokenize = tokenize
    }

    /// `generator` drives sampling and augmentation in training; nil means evaluation.
    public func load(_ clip: ClipRecord, generator: inout SeededGenerator?) throws -> LoadedClip {
        let source = try openFrameSource(clip.path)
        let n = source.frameCount
        guard n > 0 else { throw MediaError.noFrames(path: clip.path) }
        let indices: [Int]
        if generator != nil { indices = FrameSampler.training(frameCount: n, segments: frames, using: &generator!) }
        else { indices = FrameSampler.test(frameCount: n, segments: frames) }
        let images = try source.clip(indices)
        var raw: [VisualStream: [RGBImage]] = [.video: images]
        var pointRows: Tensor? = nil
        if streams.contains(.parsing) || streams.contains(.landmarks) {
            let points = try landmarks(clip, indices: indices, images: images)
            if streams.contains(.parsing) {
                raw[.parsing] = zip(images, points).map { image, p in
                    let map = p.count == 68 ? ParsingMap(landmarks: p, width: image.width, height: image.height)
                                            : ParsingMap(width: image.width, height: image.height, classes: Array(repeating: 0, count: image.width * image.height))
                    return map.overlay(on: image)
                }
            }
            if streams.contains(.landmarks) && landmarkPoints {
                let tracked = faceModels == nil ? points : try landmarks(clip, indices: indices, images: images, fromFile: false)
                pointRows = LandmarkPoints.features(tracked)
            } else if streams.contains(.landmarks) {
                raw[.landmarks] = zip(images, points).map { image, p in LandmarkRender.dots(on: image, points: p) }
            }
        }
        var out: [VisualStream: [RGBImage]] = [:]
        var advanced = generator
        for s in streams {
            guard let frames = raw[s] else { continue }
            if let augmentation, var g = generator {
                // Every stream takes the same draws: each starts from a copy of the generator.
                out[s] = augmentation.apply(frames, size: size, using: &g)
                advanced = g
            } else {
                out[s] = ClipAugmentation.test(frames, size: size)
            }
        }
        generator = advanced
        return LoadedClip(id: clip.id, label: clip.label, streams: out, description: tokenize(description(clip)), points: pointRows)
    }

    /// What the clip's frozen features depend on besides the settings: its frames and landmarks files.
    public func stamp(_ clip: ClipRecord) -> String {
        FeatureCache.stamp([clip.path, datasetRoot + "/landmarks/" + clip.id + ".csv"])
    }

    /// The clip's description and label without reading frames (cached mode).
    public func descriptionOnly(_ clip: ClipRecord) -> LoadedClip {
        LoadedClip(id: clip.id, label: clip.label, streams: [:], description: tokenize(description(clip)))
    }

    /// The dataset's description of the clip; else, with `describeMissing`, the motion describer's
    /// account of its whole track (empty when the clip has none).
    func description(_ clip: ClipRecord) -> String {
        if let text = descriptions?[clip.id] { return text }
        guard describeMissing, let track = try? wholeTrack(clip), track.contains(where: { $0.count == 68 }) else { return "" }
        return MotionDescriber.describe(track)
    }

    /// Every frame's points: the dataset's landmarks file, else the face pipeline's through the
    /// cache; nil when neither is at hand.
    func wholeTrack(_ clip: ClipRecord) throws -> [[SIMD2<Double>]]? {
        let csv = datasetRoot + "/landmarks/" + clip.id + ".csv"
        if let text = try? String(contentsOfFile: csv, encoding: .utf8) {
            return try LandmarksFile(text, path: csv).track
        }
        return try trackedPoints(clip)
    }

    /// The face pipeline's points of every frame, from the landmark cache (nil without one).
    func trackedPoints(_ clip: ClipRecord) throws -> [[SIMD2<Double>]]? {
        guard let faceModels, let landmarkCache else { return nil }
        return try landmarkCache.points(clip.id, path: clip.path, stamp: FeatureCache.stamp([clip.path]), faceModels: faceModels)
    }

    /// The 68 points of each sampled frame, in that frame's pixels: from the dataset's landmarks
    /// file when it has one (and `fromFile`), else from the face pipeline.
    func landmarks(_ clip: ClipRecord, indices: [Int], images: [RGBImage], fromFile: Bool = true) throws -> [[SIMD2<Double>]] {
        let csv = datasetRoot + "/landmarks/" + clip.id + ".csv"
        if fromFile, let text = try? String(contentsOfFile: csv, encoding: .utf8) {
            let table = try LandmarksFile(text, path: csv)
            return try indices.map { i in
                guard let p = table.points[i] else { throw MediaError.sizeMismatch(path: csv, expected: "landmarks for frame \(i)", found: "none") }
                return p
            }
        }
        guard let faceModels else { throw TrainError.missing(path: csv, what: "landmarks, or the face models to compute them (scripts/setup)") }
        if let all = try trackedPoints(clip) {
            return try indices.map { i in
                guard all.indices.contains(i) else { throw MediaError.sizeMismatch(path: clip.path, expected: "frame \(i)", found: "\(all.count) frames") }
                return all[i]
            }
        }
        let tracker = faceModels.tracker()
        return try images.enumerated().map { i, image in
            let r = try tracker.process(image, frame: i, timestamp: Double(i))
            // No face: the landmark and parsing renders of that frame show no face either.
            return r.success ? r.points : []
        }
    }
}
