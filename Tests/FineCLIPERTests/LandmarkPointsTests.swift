import Foundation
import Testing
import TestSupport
@testable import CLIP
@testable import FineCLIPER
import TensorCore

/// The landmark stream read as points: the rows `LandmarkPoints` makes, and the model's point
/// encoder (its gradients, its checks, its checkpoint).
@Suite struct LandmarkPointsTests {
    typealias Parity = FineCLIPERParityTests

    /// 68 points of a level face whose eyes are 40 px apart (eye centres (80, 100) and (120, 100)),
    /// the rest spread deterministically around them.
    static func face() -> [SIMD2<Double>] {
        (0..<68).map { k in
            switch k {
            case 36..<42: return SIMD2(80 + 6 * cos(Double(k - 36) * .pi / 3), 100 + 3 * sin(Double(k - 36) * .pi / 3))
            case 42..<48: return SIMD2(120 + 6 * cos(Double(k - 42) * .pi / 3), 100 + 3 * sin(Double(k - 42) * .pi / 3))
            default: return SIMD2(100 + 45 * cos(Double(k) * 0.7), 130 + 40 * sin(Double(k) * 1.3))
            }
        }
    }

    static func rows(_ t: Tensor) -> [[Float]] { (0..<t.shape[0]).map { t.row($0).scalars } }

    @Test func aStillFaceSitsLevelInEyeUnitsAndDoesNotMove() {
        let f = LandmarkPoints.features(Array(repeating: Self.face(), count: 5))
        #expect(f.shape == [5, LandmarkPoints.width])
        let r = Self.rows(f)[0]
        func point(_ k: Int) -> SIMD2<Double> { SIMD2(Double(r[2 * k]), Double(r[2 * k + 1])) }
        func centre(_ ks: Range<Int>) -> SIMD2<Double> { ks.map(point).reduce(SIMD2<Double>.zero, +) / Double(ks.count) }
        let eyes = centre(42..<48) - centre(36..<42)
        #expect(abs(eyes.x - 1) < 1e-6 && abs(eyes.y) < 1e-6)
        #expect(Self.rows(f).allSatisfy { $0[136...].allSatisfy { abs($0) < 1e-6 } })
    }

    @Test func whereTheFaceIsAndHowBigDoNotChangeTheRows() {
        var frames = Array(repeating: Self.face(), count: 6)
        for t in 3..<6 { frames[t][57].y += 4; frames[t][48].x -= 2 }
        let angle = 0.35, scale = 1.7, shift = SIMD2(-31.0, 12.5)
        func place(_ p: SIMD2<Double>) -> SIMD2<Double> {
            let turned = SIMD2(cos(angle) * p.x - sin(angle) * p.y, sin(angle) * p.x + cos(angle) * p.y)
            return turned * scale + shift
        }
        let moved = frames.map { $0.map(place) }
        let a = LandmarkPoints.features(frames), b = LandmarkPoints.features(moved)
        #expect(a.compare(to: b, rtol: 0, atol: 1e-5).withinTolerance)
        // 4 px of a 40-px eye distance is 0.1 of it: ×10 in the movement rows, measured from the
        // mean of the first three frames.
        let last = Self.rows(a)[5]
        #expect(abs(last[136 + 2 * 57 + 1] - 1) < 1e-5)
        #expect(abs(last[136 + 2 * 48] + 0.5) < 1e-5)
        #expect(abs(last[136 + 2 * 30]) < 1e-5)
    }

    @Test func framesWithoutAFaceTakeTheirNearestFace() {
        var frames = Array(repeating: Self.face(), count: 5)
        frames[4][57].y += 8
        let full = Self.rows(LandmarkPoints.features(frames))
        var gaps = frames
        gaps[3] = []
        let filled = Self.rows(LandmarkPoints.features(gaps))
        // Frame 3's nearest faces are frames 2 and 4: the earlier one (still), not the moved one.
        #expect(filled[3] == full[2] && filled[3] != full[4])
        gaps[0] = []
        #expect(Self.rows(LandmarkPoints.features(gaps))[0] == Self.rows(LandmarkPoints.features(gaps))[1])
        let none = LandmarkPoints.features(Array(repeating: [], count: 3))
        #expect(none.shape == [3, LandmarkPoints.width] && none.scalars.allSatisfy { $0 == 0 })
        // Points no tracker gives (a malformed landmarks file): zeros, never NaN.
        var broken = Self.face()
        broken[60].x = .nan
        for bad in [Array(repeating: SIMD2<Double>(5, 5), count: 68), broken] {
            #expect(LandmarkPoints.features([bad, Self.face()]).scalars.allSatisfy { $0 == 0 })
        }
    }

    static func pointsModel() throws -> FineCLIPERModel {
        var c = Parity.config()
        c.landmarkInput = .points
        let clip = CLIPModel(config: .tiny)
        clip.fillDeterministic()
        let model = try FineCLIPERModel(config: c, clip: clip)
        model.fillDeterministic()
        return model
    }

    static func pointsBatch() throws -> (ClipBatch, ClassPrompts) {
        var (batch, prompts) = try Parity.batch()
        batch.streams[.landmarks] = .points(DeterministicParameters.tensor("test.points", [2, 4, LandmarkPoints.width], scale: 1, offset: 0))
        return (batch, prompts)
    }

    @Test func theEncodersGradientsAgreeWithFiniteDifferences() throws {
        let model = try Self.pointsModel()
        #expect(model.landmarkAdapters == nil)
        let encoder = try #require(model.landmarkPoints)
        let (batch, prompts) = try Self.pointsBatch()
        try FineCLIPERBehaviourTests.expectFiniteDifferences(model, batch, prompts, probes: [
            (encoder.fc1.weight, 300), (encoder.fc1.bias!, 7), (encoder.fc2.weight, 41), (encoder.fc2.bias!, 5),
        ])
    }

    @Test func eachModelTakesOnlyItsOwnLandmarkInput() throws {
        let points = try Self.pointsModel(), images = try Parity.model()
        let (pointBatch, prompts) = try Self.pointsBatch()
        let (imageBatch, _) = try Parity.batch()
        #expect(throws: ModelError.self) { try points.forward(imageBatch, prompts: prompts) }
        #expect(throws: ModelError.self) { try images.forward(pointBatch, prompts: prompts) }
        var wrong = pointBatch
        wrong.streams[.landmarks] = .points(Tensor(zeros: [2, 4, 136]))
        #expect { try points.forward(wrong, prompts: prompts) } throws: { "\($0)".contains("expected [2, 4, 272]") }
        wrong.streams[.landmarks] = .images(Tensor(zeros: [2, 4, 272]))
        wrong.streams[.video] = .points(Tensor(zeros: [2, 4, 272]))
        #expect(throws: ModelError.self) { try points.forward(wrong, prompts: prompts) }

        var low = FineCLIPERConfig(clip: .tiny, variant: .low, classNames: FineCLIPERConfig.sevenClassNouns)
        low.landmarkInput = .points
        #expect(low.validate()?.contains("landmark stream") == true)
    }

    @Test func theEncoderTrainsAtTheTemporalRateAndTravelsInTheCheckpoint() throws {
        let model = try Self.pointsModel()
        #expect(model.parameterGroups.contains { $0.name == "landmark points" })
        let groups = model.optimizerGroups(adapterRate: 1, temporalRate: 2, fusionRate: 3, weightDecay: 0)
        let temporal = try #require(groups.first { $0.name == "temporal" })
        #expect(temporal.parameters.contains { $0 === model.landmarkPoints!.fc1.weight })
        // Written only when set: earlier checkpoints' configurations read the same.
        let plain = String(decoding: try JSONEncoder().encode(Parity.config()), as: UTF8.self)
        #expect(!plain.contains("landmarkInput"))
        #expect(String(decoding: try JSONEncoder().encode(model.config), as: UTF8.self).contains("\"landmarkInput\":\"points\""))

        let scratch = Scratch()
        let path = scratch.path("points.safetensors")
        try ModelCheckpoint.save(model, to: path)
        let file = try SafeTensorsFile(path: path)
        let fresh = try FineCLIPERModel(config: try ModelCheckpoint.config(of: file), clip: model.clip)
        try ModelCheckpoint.load(into: fresh, from: file)
        let (batch, prompts) = try Self.pointsBatch()
        #expect(try fresh.forward(batch, prompts: prompts).output == model.forward(batch, prompts: prompts).output)
        #expect(throws: (any Error).self) { try ModelCheckpoint.load(into: try Parity.model(), from: file) }
    }
}
