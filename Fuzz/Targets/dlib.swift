import Face
import Media
import Foundation

/// dlib's shape_predictor serialization: any bytes give a model or a typed error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let model = try? ShapePredictor(path: FuzzFile.write(bytes, name: "model.dat")) else { return 0 }
    // An accepted model must also run on an image without reading out of bounds.
    let image = GrayImage(RGBImage(width: 32, height: 32, fill: (128, 100, 90)))
    _ = model.landmarks(in: image, box: FaceBox(left: 4, top: 4, right: 28, bottom: 28))
    return 0
}
