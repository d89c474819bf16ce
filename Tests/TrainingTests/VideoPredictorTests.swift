import Datasets
import Face
import Foundation
import Media
import Testing
import TestSupport
import TensorCore
@testable import FineCLIPER
@testable import Training

/// A checkpoint applied to clips outside any dataset gives what evaluation gives for the same
/// frames, landmarks and description.
@Suite(.serialized) struct VideoPredictorTests {
    @Test func predictingAClipEqualsEvaluatingIt() throws {
        let scratch = Scratch()
        let trainer = try TrainerTests.trainer(TrainerTests.config(epochs: 1), scratch.path("run"))
        try trainer.run()
        let predictor = try VideoPredictor(checkpoint: trainer.lastCheckpoint, bpeFile: TrainerTests.bpe)
        #expect(predictor.classes == trainer.model.config.classNames)
        try ModelCheckpoint.load(into: trainer.model, from: try SafeTensorsFile(path: trainer.lastCheckpoint))
        let record = trainer.test[3]
        let (_, outputs) = try trainer.experiment.evaluate([record])

        // The same clip as a FaceClip: its frames, its landmarks file, its description.
        let source = try openFrameSource(record.path)
        let frames = try source.clip(Array(0..<source.frameCount))
        let table = try LandmarksFile(String(contentsOfFile: TrainerTests.dataset + "/landmarks/\(record.id).csv", encoding: .utf8), path: "x")
        let store = try DescriptionStore(path: TrainerTests.dataset + "/descriptions.jsonl")
        let clip = FaceClip(frames: frames, points: (0..<frames.count).map { table.points[$0]! }, description: store[record.id]!, facesFound: frames.count)
        let (output, sampled) = try predictor.predict(clip, windowFrames: 3)
        #expect(sampled == FrameSampler.test(frameCount: frames.count, segments: 8))
        #expect(output.probabilities == outputs[0].output.probabilities)
        #expect(output.windowProbabilities.first?.count == sampled.count)
        #expect(output.windowProbabilities[0].allSatisfy { abs($0.reduce(0, +) - 1) < 1e-4 })
    }

    @Test func aCheckpointWithoutTrainingConfigurationIsRefused() throws {
        let scratch = Scratch()
        let path = scratch.path("plain.safetensors")
        try SafeTensorsWriter().write(to: path)
        #expect(throws: TrainError.self) { try VideoPredictor(checkpoint: path, bpeFile: TrainerTests.bpe) }
        #expect(throws: TrainError.self) { try VideoPredictor(checkpoint: scratch.path("missing"), bpeFile: TrainerTests.bpe) }
    }
}
