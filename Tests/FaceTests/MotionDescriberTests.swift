import Datasets
import Foundation
import Media
import Testing
import TestSupport
@testable import Face

@Suite(.serialized) struct MotionDescriberTests {
    /// The apex is where the drawn expression peaks: on ground-truth landmarks of clips whose
    /// movement rises and stays, the apex frame is at ≥ 90 % of the envelope.
    @Test func theApexIsWhereTheExpressionPeaks() throws {
        for (label, seed) in [("Happy", UInt64(3)), ("Surprise", 8), ("Angry", 11)] {
            let clip = SyntheticClip(id: "x", label: label, seed: seed, frameCount: 24, size: 160)
            let apex = try #require(MotionDescriber.apex((0..<24).map { clip.landmarks(at: $0) }))
            let peak = (0..<24).map(clip.envelope).max()!
            #expect(clip.envelope(at: apex.index) >= 0.9 * peak, "\(label): apex \(apex.index), envelope \(clip.envelope(at: apex.index)) of \(peak)")
        }
        #expect(MotionDescriber.apex([[]]) == nil)
    }

    /// dlib's mean face scaled to 300 px: a neutral, frontal face.
    static let neutral: [SIMD2<Double>] = {
        let s = try! ShapePredictor(path: ShapePredictorTests.modelPath).initialShape
        return (0..<68).map { SIMD2(Double(s[2 * $0]) * 300 + 50, Double(s[2 * $0 + 1]) * 300 + 50) }
    }()
    static let iod = hypot(neutral[36].x - neutral[45].x, neutral[36].y - neutral[45].y)

    /// A clip that holds `neutral` for 5 frames, then moves to `apex` over 5 frames and holds it.
    static func clip(_ apex: [SIMD2<Double>]) -> [[SIMD2<Double>]] {
        (0..<15).map { i in
            let t = min(1, max(0, Double(i - 4) / 5))
            return zip(neutral, apex).map { $0 + ($1 - $0) * t }
        }
    }

    static func moved(_ indices: [Int], by offset: SIMD2<Double>) -> [SIMD2<Double>] {
        var p = neutral
        for i in indices { p[i] += offset * iod }
        return p
    }

    static let emotionWords = ["happy", "happiness", "sad", "anger", "angry", "fear", "surpris", "disgust", "contempt",
                               "joy", "smile", "frown", "anxi", "helpless", "disappoint", "emotion", "express"]

    static func check(_ text: String) {
        for w in emotionWords { #expect(!text.lowercased().contains(w), "emotion word \(w) in: \(text)") }
    }

    @Test func stillFaceIsDescribedAsStill() {
        let text = MotionDescriber.describe(Self.clip(Self.neutral))
        #expect(text.contains("stays still"))
        #expect(MotionDescriber.changes(Self.clip(Self.neutral)).isEmpty)
    }

    @Test func raisedBrowsAndWideEyes() {
        var apex = Self.moved(Array(17...26), by: SIMD2(0, -0.12))
        for i in [37, 38, 43, 44] { apex[i].y -= 0.05 * Self.iod }
        let changes = MotionDescriber.changes(Self.clip(apex)).map(\.phrase)
        #expect(changes.contains("the eyebrows rise") && changes.contains("the eyes widen"))
        #expect(!changes.contains { $0.contains("mouth") || $0.contains("head") })
        let text = MotionDescriber.describe(Self.clip(apex))
        #expect(text.hasPrefix("Over the clip, ") && text.hasSuffix("."))
        Self.check(text)
    }

    @Test func loweredKnittedBrows() {
        var apex = Self.moved(Array(17...26), by: SIMD2(0, 0.08))
        apex[21].x += 0.05 * Self.iod; apex[22].x -= 0.05 * Self.iod
        let changes = MotionDescriber.changes(Self.clip(apex)).map(\.phrase)
        #expect(changes.contains("the eyebrows lower") && changes.contains("the brows draw together"))
        Self.check(MotionDescriber.describe(Self.clip(apex)))
    }

    @Test func mouthCornersUpAndWider() {
        var apex = Self.neutral
        apex[48] += SIMD2(-0.06, -0.08) * Self.iod
        apex[54] += SIMD2(0.06, -0.08) * Self.iod
        let changes = MotionDescriber.changes(Self.clip(apex)).map(\.phrase)
        #expect(changes.contains("the lip corners pull up") && changes.contains("the mouth stretches wider"))
        Self.check(MotionDescriber.describe(Self.clip(apex)))
    }

    @Test func jawDropWithOpenMouth() {
        let apex = Self.moved([5, 6, 7, 8, 9, 10, 11, 55, 56, 57, 58, 59, 65, 66, 67], by: SIMD2(0, 0.3))
        let text = MotionDescriber.describe(Self.clip(apex))
        #expect(text.contains("the jaw drops") && !text.contains("the mouth opens"), "\(text)")
        Self.check(text)
    }

    @Test func headRoll() {
        let c = Self.neutral.reduce(SIMD2(), +) / 68, a = 12 * Double.pi / 180
        let apex = Self.neutral.map { p -> SIMD2<Double> in
            let d = p - c
            return c + SIMD2(d.x * cos(a) - d.y * sin(a), d.x * sin(a) + d.y * cos(a))
        }
        let text = MotionDescriber.describe(Self.clip(apex))
        #expect(text.contains("The head tilts"), "\(text)")
        Self.check(text)
    }

    @Test func describeCommandOnARealClip() throws {
        let video = TFLiteTests.root.appendingPathComponent("assets/media/single_face.mp4").path
        let r = try FinecliperBinary.run(["describe", video])
        #expect(r.status == 0 && r.output.hasPrefix("Over the clip, "), "\(r.output)")
        Self.check(r.output)
    }

    @Test func tooFewFaces() {
        #expect(MotionDescriber.describe([[]]).hasPrefix("No face"))
    }

    /// The thresholds sit above tracking jitter: between consecutive frames of single_face.mp4 the
    /// median change of every measure is under a third of its threshold (movements add up over a
    /// clip; jitter does not).
    @Test func thresholdsClearFrameToFrameJitter() throws {
        let reader = try VideoReader(path: TFLiteTests.root.appendingPathComponent("assets/media/single_face.mp4").path)
        let tracker = FaceTrackerTests.makeTracker()
        tracker.smoothing = true
        var track: [[SIMD2<Double>]] = []
        try reader.forEachFrame { i, image in track.append(try tracker.process(image, frame: i, timestamp: reader.timestamps[i]).points) }
        let measures = track.map(FaceMeasures.init)
        let mirror = Mirror(reflecting: measures[0])
        for child in mirror.children {
            let name = child.label!
            let values = measures.map { Mirror(reflecting: $0).children.first { $0.label == name }!.value as! Double }
            let steps = zip(values, values.dropFirst()).map { abs($1 - $0) }.sorted()
            let median = steps[steps.count / 2]
            print("jitter \(name): median frame-to-frame change \(String(format: "%.4f", median)) (threshold \(MotionDescriber.thresholds[name]!))")
            #expect(median < MotionDescriber.thresholds[name]! / 3, "\(name) changes \(median) per frame")
        }
    }

    @Test func realClipDescription() throws {
        let reader = try VideoReader(path: TFLiteTests.root.appendingPathComponent("assets/media/single_face.mp4").path)
        let tracker = FaceTrackerTests.makeTracker()
        var track: [[SIMD2<Double>]] = []
        try reader.forEachFrame { i, image in track.append(try tracker.process(image, frame: i, timestamp: reader.timestamps[i]).points) }
        let text = MotionDescriber.describe(track)
        print("single_face.mp4: \(text)")
        // The man goes from neutral to a broad smile: the mouth must be part of the description.
        #expect(text.contains("lip corners pull up") || text.contains("mouth stretches wider") || text.contains("mouth opens"))
        Self.check(text)
    }
}
