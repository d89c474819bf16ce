import Foundation
import Testing
import TensorCore
import TestSupport
@testable import Face

/// The TFLite reader and kernels against the LiteRT interpreter's reference kernels on the same
/// BlazeFace model (Tests/Reference/blazeface_reference.py): |Δ| ≤ 1e-4 + 1e-4·|ref| on both outputs.
@Suite struct TFLiteTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let modelPath = root.appendingPathComponent("assets/face_detection_short_range.tflite").path

    @Test(arguments: ["random", "photo"])
    func blazeFaceOutputsMatchLiteRT(_ input: String) throws {
        let model = try TFLiteModel(path: Self.modelPath)
        #expect(model.inputShape == [1, 128, 128, 3])
        let f = try SafeTensorsFile(path: Self.root.appendingPathComponent("Tests/Fixtures/blazeface_reference.safetensors").path)
        let out = try model.run(try f.tensor("\(input).input"))
        for (i, name) in ["regressors", "classificators"].enumerated() {
            let r = out[i].compare(to: try f.tensor("\(input).\(name)"), rtol: 1e-4, atol: 1e-4)
            print("BlazeFace \(input) \(name): \(r)")
            #expect(r.withinTolerance, "\(input) \(name): \(r)")
        }
    }

    @Test func foreignAndCorruptFilesAreRefused() throws {
        let scratch = Scratch()
        let text = scratch.write("x.tflite", "definitely not a flatbuffer")
        #expect(throws: TFLiteModel.LoadError.self) { try TFLiteModel(path: text) }
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.modelPath))
        let cut = scratch.path("cut.tflite")
        try data.prefix(data.count / 3).write(to: URL(fileURLWithPath: cut))
        #expect(throws: TFLiteModel.LoadError.self) { try TFLiteModel(path: cut) }
    }
}
