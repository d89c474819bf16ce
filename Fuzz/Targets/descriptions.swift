import Datasets
import Foundation

/// Descriptions files, as JSON Lines and as CSV.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? DescriptionStore(path: FuzzFile.write(bytes, name: "descriptions.jsonl"))
    _ = try? DescriptionStore(path: FuzzFile.write(bytes, name: "descriptions.csv"))
    return 0
}
