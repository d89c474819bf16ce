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
