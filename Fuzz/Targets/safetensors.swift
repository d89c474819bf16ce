import Foundation
@testable import TensorCore

/// The safetensors reader and its strict JSON header parser: any bytes give a file or a typed
/// error, and every tensor of an accepted file reads without a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? StrictJSON.parse(bytes)
    guard let file = try? SafeTensorsFile(path: FuzzFile.write(bytes, name: "x.safetensors")) else { return 0 }
    for name in file.names {
        _ = try? file.tensor(name)
        _ = try? file.integers(name)
        _ = try? file.bytes(name)
    }
    return 0
}
