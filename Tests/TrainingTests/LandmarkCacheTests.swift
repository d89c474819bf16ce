import Datasets
import Face
import Foundation
import Media
import Testing
import TestSupport
import TensorCore
@testable import Training

/// The face pipeline's points of clips that bring no landmarks file: tracked once through the
/// whole clip, kept on disk, read back, and tracked again when the clip or the file changes.
@Suite(.serialized) struct LandmarkCacheTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let faces = try! FaceModels.load(blazeFace: root + "/assets/face_detection_short_range.tflite",
                                            dlibLandmarks: "/usr/share/dlib/shape_predictor_68_face_landmarks.dat")

    @Test func clipsWithoutLandmarksAreTrackedOnceThenReadBack() throws {
        let scratch = Scratch()
        let data = scratch.path("data")
        var synth = SyntheticConfig()
        synth.seed = 4; synth.trainPerClass = 1; synth.testPerClass = 1; synth.frames = 12; synth.faceCrops = true
        try SyntheticDataset.write(synth, to: data)
        try FileManager.default.removeItem(atPath: data + "/landmarks")
        let clip = try #require(try DatasetFormat.detect(root: data)!.open(root: data, fold: nil).splits["train"]?.first)
        let cache = LandmarkCache(root: scratch.path("cache"), faceModels: try #require(Self.faces.fingerprint), dataset: data)
        let loader = ClipLoader(streams: [.video, .parsing, .landmarks], size: 64, frames: 8, augmentation: nil, datasetRoot: data,
                                descriptions: nil, faceModels: Self.faces, landmarkCache: cache, tokenize: { _ in [] })
        var none: SeededGenerator? = nil
        let tracked = try loader.load(clip, generator: &none)
        let file = cache.path(clip.id)
        #expect(FileManager.default.fileExists(atPath: file))

        // What was stored is the whole clip tracked in order with its frames' time stamps.
        let source = try openFrameSource(clip.path)
        let tracker = Self.faces.tracker()
        var direct: [[SIMD2<Double>]] = []
        try source.forEachFrame { i, time, image in
            let r = try tracker.process(image, frame: i, timestamp: time)
            direct.append(r.success ? r.points : [])
        }
        let stored = try #require(cache.load(clip.id, stamp: FeatureCache.stamp([clip.path])))
        #expect(stored.count == 12 && stored.filter { !$0.isEmpty }.count >= 10)
        for (a, b) in zip(stored, direct) {
            #expect(a.count == b.count)
            #expect(zip(a, b).allSatisfy { abs($0.x - $1.x) < 1e-3 && abs($0.y - $1.y) < 1e-3 })
        }

        // Read back: the same streams; a corrupt file is tracked again and rewritten.
        let again = try loader.load(clip, generator: &none)
        #expect(again.streams == tracked.streams)
        try Data("not a cache".utf8).write(to: URL(fileURLWithPath: file))
        #expect(cache.load(clip.id, stamp: FeatureCache.stamp([clip.path])) == nil)
        #expect(try loader.load(clip, generator: &none).streams == tracked.streams)
        #expect(cache.load(clip.id, stamp: FeatureCache.stamp([clip.path])) != nil)

        // A clip changed in place has another stamp: its stored points are not used.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: clip.path)
        #expect(cache.load(clip.id, stamp: FeatureCache.stamp([clip.path])) == nil)
        _ = try loader.load(clip, generator: &none)
        #expect(cache.load(clip.id, stamp: FeatureCache.stamp([clip.path])) != nil)

        // Other face models or another dataset (whose clips may have the same ids), another folder;
        // the same dataset however its path is spelt, the same one.
        let fingerprint = try #require(Self.faces.fingerprint)
        #expect(LandmarkCache(root: scratch.path("cache"), faceModels: "other", dataset: data).folder != cache.folder)
        #expect(LandmarkCache(root: scratch.path("cache"), faceModels: fingerprint, dataset: scratch.path("other")).folder != cache.folder)
        #expect(LandmarkCache(root: scratch.path("cache"), faceModels: fingerprint, dataset: data + "/./").folder == cache.folder)
        #expect(URL(fileURLWithPath: cache.folder).lastPathComponent.hasPrefix("data-"))
    }
}
