import Datasets
import Face
import FineCLIPER
import Foundation
import Media
import Testing
import TestSupport
@testable import Training

/// The model-vs-reference measure: class lists matched by emotion name, frames counted only where
/// the reference is confident, and the command on a real clip.
@Suite struct ReferenceAgreementTests {
    @Test func classListsMatchByEmotion() {
        #expect(EmotionClasses.map(ExpressionReference.labels, to: ["happiness", "sadness", "neutral", "anger", "surprise", "disgust", "fear"])
                == [3, 5, 6, 0, 1, 4, 2])
        #expect(EmotionClasses.map(["Happy", "Contempt"], to: EmotionClasses.eleven) == [0, nil])
        #expect(EmotionClasses.basic("Disappointment") == nil)
    }

    @Test func onlyConfidentFramesOfSharedClassesCount() {
        let classes = ["happiness", "sadness", "contempt"]
        var a = ReferenceAgreement(modelClasses: classes, minConfidence: 0.6)
        func fer(_ k: Int, _ p: Float) -> [Float] { (0..<7).map { $0 == k ? p : (1 - p) / 6 } }
        a.add(reference: fer(3, 0.9), model: [0.8, 0.1, 0.1])   // happy, agrees
        a.add(reference: fer(4, 0.7), model: [0.8, 0.1, 0.1])   // sad, model says happy
        a.add(reference: fer(3, 0.5), model: [0.8, 0.1, 0.1])   // not confident
        a.add(reference: fer(0, 0.9), model: [0.8, 0.1, 0.1])   // angry: the model has no anger
        a.add(reference: nil, model: [0.8, 0.1, 0.1])           // no face for the reference
        a.add(reference: fer(3, 0.9), model: nil)               // no face for the model
        #expect(a.frames == 6 && a.confident == 2 && a.agreeing == 1 && a.rate == 0.5)
        #expect(a.perClass[3] == (1, 1) && a.perClass[4] == (1, 0))
        // Per class: happy 1/1, sad 0/1; one more happy frame moves the frame share, not this.
        #expect(a.balancedRate == 0.5)
        var c = a
        c.add(reference: fer(3, 0.8), model: [0.9, 0.05, 0.05])
        #expect(c.rate == 2.0 / 3 && c.balancedRate == 0.5 && c.majority?.reference == 3 && c.majority?.rate == 2.0 / 3)
        #expect(a.choices[3] == [1, 0, 0] && a.choices[4] == [1, 0, 0])
        #expect(a.disagreements.count == 1 && a.disagreements[0].reference == 4 && a.disagreements[0].model.map(\.class) == [0])
        var b = a
        b.merge(a)
        #expect(b.confident == 4 && b.agreeing == 2 && b.choices[4] == [2, 0, 0])
        #expect(ReferenceAgreement(modelClasses: classes).rate == nil && ReferenceAgreement(modelClasses: classes).balancedRate == nil)
        #expect(ReferenceAgreement(modelClasses: classes).majority == nil)
    }

    /// The timeline built crop by crop equals scoring, for every frame, the segment whose centre is
    /// nearest (the last one ending on the last frame), and holds one segment's crops at most.
    @Test func theTimelineScoresEveryFrameWithItsNearestSegment() throws {
        let root = EmbeddedModelTests.root
        let predictor = try VideoPredictor(checkpoint: EmbeddedModelTests.checkpoint, bpeFile: TrainerTests.bpe, embeddedFolder: EmbeddedModelTests.clip)
        let source = try openFrameSource(root + "/samples/frames/synth_00001")
        let images = try source.clip(Array(0..<source.frameCount))
        let table = try LandmarksFile(String(contentsOfFile: root + "/samples/landmarks/synth_00001.csv", encoding: .utf8), path: "x")
        let points = images.indices.map { table.points[$0]! }
        for (frames, segment, hop) in [(25, 8, 5), (5, 8, 3)] {
            var timeline = VideoPredictor.Timeline(predictor, segment: segment, hop: hop)
            for f in 0..<frames {
                try timeline.add(images[f], points: points[f], track: points[f])
                #expect(timeline.window.count <= segment)
            }
            let scores = try timeline.finish()
            #expect(scores.count == frames)
            let length = min(segment, frames)
            let starts = Array(Set(Array(stride(from: 0, through: frames - length, by: hop)) + [frames - length])).sorted()
            #expect(timeline.scored.map(\.start) == starts)
            for f in [0, frames / 2, frames - 1] {
                let start = starts.min { abs(Double($0) + Double(length - 1) / 2 - Double(f)) < abs(Double($1) + Double(length - 1) / 2 - Double(f)) }!
                let r = start..<(start + length)
                let part = FaceClip(frames: Array(images[r]), points: Array(points[r]), description: MotionDescriber.describe(Array(points[r])), facesFound: length)
                #expect(scores[f].probabilities == (try predictor.predict(part, windowFrames: 0).output.probabilities[0]), "frame \(f) of \(frames)")
                #expect(Set(scores[f].margins.keys) == Set(Modality.allCases))
            }
        }
    }

    /// single_face.mp4: a man goes from neutral to smiling; the reference sees exactly that.
    @Test func referenceTimelineOfARealClip() throws {
        let video = EmbeddedModelTests.root + "/assets/media/single_face.mp4"
        let run = try FinecliperBinary.run(["reference", video, "--json", "--width", "12"])
        #expect(run.status == 0, "\(run.output)")
        let line = run.output.split(separator: "\n").last { $0.hasPrefix("{") }.map(String.init) ?? ""
        struct Line: Decodable {
            let frames: Int; let confidentFrames: Int; let agreement: Double; let balancedAgreement: Double
            let streamAgreement: [String: Double]; let reference: String; let model: String
        }
        let result = try JSONDecoder().decode(Line.self, from: Data(line.utf8))
        #expect(result.frames == 72 && result.reference.count == 12 && result.model.count == 12)
        #expect(result.reference.hasPrefix("NN") && result.reference.hasSuffix("HH"), "\(result.reference)")
        #expect(result.confidentFrames > 60 && (0...1).contains(result.agreement) && (0...1).contains(result.balancedAgreement))
        // Each modality of the embedded model (variant all) measured on its own.
        #expect(Set(result.streamAgreement.keys) == ["video", "parsing", "landmarks", "description"])
        #expect(result.streamAgreement.values.allSatisfy { (0...1).contains($0) })
    }
}
