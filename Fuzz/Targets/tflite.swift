import Foundation
import TensorCore
@testable import Face

/// The FlatBuffer/TFLite reader: any bytes give a model or a typed error, and a model that loads
/// runs without trapping (when it is small enough to run in a fuzzing step).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let model = try? TFLiteModel(path: FuzzFile.write(bytes, name: "model.tflite")) else { return 0 }
    if model.work <= 20_000_000 {
        _ = try? model.run(Tensor(repeating: 0.5, shape: model.inputShape))
    }
    return 0
}
