import Datasets
import Foundation
import Media
import Testing
@testable import Face

/// The real face pipeline on the synthetic clips: the detector finds the drawn faces, the landmarks
/// land near the ground truth, and the parsing classes agree with those drawn from the landmarks.
@Suite(.serialized) struct SyntheticFaceTests {
    static func nme(_ a: [SIMD2<Double>], _ b: [SIMD2<Double>]) -> Double {
        let iod = ((b[36] - b[45]) * (b[36] - b[45])).sum().squareRoot()
        return zip(a, b).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.reduce(0, +) / 68 / iod
    }

    @Test(arguments: ["Happy", "Surprise", "Angry"])
    func detectorAndLandmarksFindTheSyntheticFace(_ label: String) throws {
        let clip = SyntheticClip(id: "x", label: label, seed: 21, frameCount: 12, size: 160)
        let tracker = FaceTrackerTests.makeTracker()
        var errors: [Double] = []
        for f in 0..<clip.frameCount {
            let r = try tracker.process(clip.render(frame: f).image, frame: f, timestamp: Double(f) / 25)
            if r.success { errors.append(Self.nme(r.points, clip.landmarks(at: f))) }
        }
        let mean = errors.reduce(0, +) / Double(max(errors.count, 1))
        print("synthetic \(label): face in \(errors.count)/\(clip.frameCount) frames, NME \(String(format: "%.3f", mean))")
        #expect(errors.count == clip.frameCount && mean < 0.12)
    }

    @Test func parsingFromGroundTruthLandmarksMatchesTheDrawnParts() {
        let clip = SyntheticClip(id: "x", label: "Surprise", seed: 4, frameCount: 8, size: 160)
        let (_, truth) = clip.render(frame: 7)
        let drawn = ParsingMap(landmarks: clip.landmarks(at: 7), width: 160, height: 160)
        #expect(ParsingMap.FaceClass.allCases.count == 11)
        for c: ParsingMap.FaceClass in [.skin, .leftEye, .rightEye, .nose, .upperLip, .lowerLip, .innerMouth] {
            let a = truth.map { $0 == UInt8(c.rawValue) }, b = drawn.classes.map { $0 == UInt8(c.rawValue) }
            let inter = zip(a, b).filter { $0 && $1 }.count, union = zip(a, b).filter { $0 || $1 }.count
            let iou = Double(inter) / Double(max(union, 1))
            print("parsing IoU \(c): \(String(format: "%.2f", iou))")
            #expect(iou > 0.5, "\(c) IoU \(iou)")
        }
    }
}
