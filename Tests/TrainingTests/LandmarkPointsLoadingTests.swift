import Datasets
import Face
import FineCLIPER
import Foundation
import Media
import Testing
import TestSupport
import TensorCore
@testable import Training

/// A landmark stream that reads points takes them from the face pipeline, as `predict` does, even
/// where the dataset has its own landmarks files; without the face models, from the files.
@Suite(.serialized) struct LandmarkPointsLoadingTests {
    @Test func pointsComeFromTheFacePipelineWhereItIsInstalled() throws {
        let scratch = Scratch()
        let data = scratch.path("data")
        var synth = SyntheticConfig()
        synth.seed = 5; synth.trainPerClass = 1; synth.testPerClass = 1; synth.frames = 12; synth.faceCrops = true
        try SyntheticDataset.write(synth, to: data)
        let clip = try #require(try DatasetFormat.detect(root: data)!.open(root: data, fold: nil).splits["train"]?.first)
        let faces = LandmarkCacheTests.faces
        let cache = LandmarkCache(root: scratch.path("cache"), faceModels: try #require(faces.fingerprint), dataset: data)
        func loader(_ faceModels: FaceModels?) -> ClipLoader {
            ClipLoader(streams: [.video, .parsing, .landmarks], size: 64, frames: 8, augmentation: nil, datasetRoot: data, descriptions: nil,
                       faceModels: faceModels, landmarkCache: cache, landmarkPoints: true, tokenize: { _ in [] })
        }
        var none: SeededGenerator? = nil
        let tracked = try loader(faces).load(clip, generator: &none)
        #expect(tracked.streams[.landmarks] == nil && tracked.streams[.parsing] != nil, "points are not drawn")
        let indices = FrameSampler.test(frameCount: 12, segments: 8)
        let whole = try #require(cache.load(clip.id, stamp: FeatureCache.stamp([clip.path])))
        #expect(tracked.points == LandmarkPoints.features(indices.map { whole[$0] }))

        let csv = data + "/landmarks/" + clip.id + ".csv"
        let file = try LandmarksFile(try String(contentsOfFile: csv, encoding: .utf8), path: csv)
        let fromFile = LandmarkPoints.features(try indices.map { try #require(file.points[$0]) })
        #expect(tracked.points != fromFile)
        #expect(try loader(nil).load(clip, generator: &none).points == fromFile)
    }
}
