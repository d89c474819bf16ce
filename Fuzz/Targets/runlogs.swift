import Foundation
import Workbench

/// What the workbench reads from run folders: a run's events.jsonl, tailed by the training
/// screen, and predictions files of `finecliper eval`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let log = FuzzFile.write(bytes, name: "events.jsonl")
    let monitor = RunMonitor(folder: (log as NSString).deletingLastPathComponent)
    _ = monitor.status.eta
    _ = monitor.status.bestEpoch
    _ = try? PredictionsFile.read(FuzzFile.write(bytes, name: "predictions.jsonl"))
    return 0
}
