import Face
import Foundation

/// The FlatBuffer/TFLite reader: any bytes give a model or a typed error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? TFLiteModel(path: FuzzFile.write(bytes, name: "model.tflite"))
    return 0
}
