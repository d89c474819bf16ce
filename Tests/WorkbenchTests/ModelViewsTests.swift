import Face
import Foundation
import Media
import Testing
import Training
@testable import Workbench

/// The embedded model in the workbench: live scores grow with the frames tracked, the player's
/// final scores equal the evaluation's verdict on the same clip, and an evaluation of the samples
/// lands every clip.
@Suite(.serialized) struct ModelViewsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let model = try! ClassifierModel(checkpoint: nil, embeddedCheckpoint: root + "/" + ModelSource.embeddedCheckpoint,
                                            embeddedCLIP: root + "/" + ModelSource.embeddedCLIP, bpeFile: root + "/assets/bpe_simple_vocab_16e6.txt")
    static let faces = try! FaceModels.load(blazeFace: root + "/assets/face_detection_short_range.tflite",
                                            dlibLandmarks: "/usr/share/dlib/shape_predictor_68_face_landmarks.dat")
    static let catalog = try! ClipCatalog.dataset(root: root + "/samples", format: nil, fold: nil, split: "all")
    static let withReference = try! FaceModels.load(blazeFace: root + "/assets/face_detection_short_range.tflite",
                                                    dlibLandmarks: "/usr/share/dlib/shape_predictor_68_face_landmarks.dat",
                                                    expressionReference: root + "/assets/emotion_model_quantized.tflite")

    func waitUntil(_ seconds: Double = 60, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while !condition() && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        return condition()
    }

    func entry(_ id: String) -> ClipEntry { Self.catalog.clips.first { $0.id == id }! }

    @Test func liveScoresGrowWithTheTrackedFrames() throws {
        let source = try openFrameSource(entry("synth_00008").path, frameRate: 25)
        let tracker = FaceTracker(detector: Self.faces.detector, predictor: Self.faces.predictor)
        let live = LiveInference(model: Self.model, every: 8)
        defer { live.cancel() }
        #expect(live.scores == nil && live.status == .waiting)
        for i in 0..<20 {
            let image = try source.frames(at: [i], size: nil).frames[i]!
            live.add(image, found: try tracker.process(image, frame: i, timestamp: Double(i) / 25), frame: i)
            if i == 7 { #expect(waitUntil { live.scores?.framesScored == 8 }, "scored after the first 8 frames") }
            if i == 15 { #expect(waitUntil { live.scores?.framesScored == 16 }) }
        }
        #expect(live.status == .scoring)
        live.finish()
        #expect(waitUntil { live.status == .done })
        let s = try #require(live.scores)
        #expect(s.framesScored == 20 && s.classes == Self.model.classes)
        #expect(abs(s.probabilities.reduce(0, +) - 1) < 1e-4)
        #expect(s.sampledFrames.count == 16 && s.sampledFrames == s.sampledFrames.sorted() && s.sampledFrames.last! < 20)
        #expect(s.windowProbabilities.count == 16 && s.frameProbabilities.count == 16)
        #expect(s.positivePrompts.count == 7 && s.positivePrompts[0].contains("happiness") && s.negativePrompts[0].contains("no happiness"))
        #expect(s.phrases.count == 3 && s.modalityMargins.count == 4 && s.fusionWeights.count == 4)
        #expect(abs(s.fusionWeights.map(\.weight).reduce(0, +) - 1) < 1e-4)
        #expect(s.sample(at: 0) == 0 && s.sample(at: 19) == 15)
    }

    /// A long video keeps a bounded number of crops, spread over it, and still says how many of
    /// its frames were seen.
    @Test func liveScoresOfALongVideoComeFromEvenlySpreadCrops() throws {
        let source = try openFrameSource(entry("synth_00008").path, frameRate: 25)
        let tracker = FaceTracker(detector: Self.faces.detector, predictor: Self.faces.predictor)
        let live = LiveInference(model: Self.model, every: 8, limit: 8)
        defer { live.cancel() }
        for i in 0..<30 {
            let image = try source.frames(at: [i], size: nil).frames[i]!
            live.add(image, found: try tracker.process(image, frame: i, timestamp: Double(i) / 25), frame: i)
        }
        live.finish()
        #expect(waitUntil { live.status == .done })
        let s = try #require(live.scores)
        #expect(s.framesScored == 30 && s.sampledFrames.count == 16)
        #expect(Set(s.sampledFrames).isSubset(of: Set(stride(from: 0, to: 30, by: 4))), "\(s.sampledFrames)")
    }

    /// The real-face reference's second opinion arrives frame by frame in the model's class order:
    /// on single_face.mp4 neutral first, happiness from the middle on.
    @Test func framesGetTheRealFaceReferencesOpinion() throws {
        let clip = ClipEntry(id: "single_face", path: Self.root + "/assets/media/single_face.mp4")
        let playback = ClipPlayback(entry: clip, faceModels: Self.withReference)
        defer { playback.cancel() }
        #expect(playback.hasReference)
        #expect(waitUntil { playback.referenceProbabilities(at: 71, classes: Self.model.classes) != nil })
        func top(_ f: Int) -> String? {
            guard let q = playback.referenceProbabilities(at: f, classes: Self.model.classes) else { return nil }
            #expect(q.count == 7 && q.allSatisfy { $0 != nil })
            return Self.model.classes[q.indices.max { q[$0]! < q[$1]! }!]
        }
        #expect(top(0) == "neutral" && top(45) == "happiness")
        #expect(!ClipPlayback(entry: clip, faceModels: Self.faces).hasReference)
    }

    @Test func thePlayersScoresEqualTheEvaluationsVerdict() throws {
        let clip = entry("synth_00014")
        let playback = ClipPlayback(entry: clip, faceModels: Self.faces, model: Self.model)
        defer { playback.cancel() }
        #expect(waitUntil { playback.inference?.status == .done })
        let live = try #require(playback.inference?.scores)
        #expect(live.framesScored == 32)

        let evaluation = Evaluation(clips: [clip], datasetClasses: Self.catalog.classes, model: Self.model, faceModels: Self.faces)
        #expect(waitUntil { evaluation.progress.finished })
        let verdict = try #require(evaluation.predictions[clip.id])
        #expect(verdict.probabilities == live.probabilities, "one clip, one answer, whichever path")
        #expect(verdict.truth == 6 && verdict.classes[verdict.truth] == "fear", "Fear is the model's fear (index by dataset order)")
        #expect(verdict.margins == live.margins)
    }

    @Test func anEvaluationOfTheSamplesLandsEveryClip() throws {
        let broken = ClipEntry(id: "broken", path: "/nonexistent/clip.mp4", label: "Happy", labelIndex: 0)
        let evaluation = Evaluation(clips: Self.catalog.clips + [broken], datasetClasses: Self.catalog.classes, model: Self.model, faceModels: Self.faces)
        #expect(waitUntil(300) { evaluation.progress.finished })
        let p = evaluation.progress
        #expect(p.done == 22 && p.failures.count == 1 && p.failures[0].hasPrefix("broken:"))
        let predictions = evaluation.predictions
        #expect(predictions.count == 21)
        let m = ConfusionMatrix(truth: predictions.values.map(\.truth), predictions: predictions.values.map(\.prediction), classes: 7)
        print(String(format: "embedded model on the 21 samples through the workbench: UAR %.2f WAR %.2f", m.uar, m.war))
        #expect(m.uar >= 75, "measured 80.95 when written")
    }
}
