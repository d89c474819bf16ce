import Datasets
import Foundation

/// DFER-CLIP annotation lists and the CSV reader behind DFEW's split files and descriptions CSVs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let path = FuzzFile.write(bytes, name: "list.txt")
    _ = try? AnnotationList.read(path, root: "/data", classCount: 7)
    _ = try? AnnotationList.read(path, root: "/data", classCount: 11, skipBadLines: true)
    if let text = String(validating: bytes, as: UTF8.self) { _ = try? CSVTable.parse(text) }
    return 0
}
