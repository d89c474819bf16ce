import ConfigFiles
import Foundation
import TUI
import Training

/// Settings files: themes, keys.toml and config.toml (TOML through TOMLKit) and `train --config`
/// files (TOML or JSON) laid over the training defaults.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    _ = Theme.parse(text, name: "fuzz", file: "fuzz.theme")
    var keymap = Keymap()
    _ = keymap.apply(text, file: "keys.toml")
    if let doc = try? ConfigDocument(text: text, file: "config.toml") {
        var display = DisplaySettings()
        _ = display.apply(doc)
        _ = try? TrainConfig.overlay(doc, on: TrainConfig(data: "d", model: "m"))
    }
    if let doc = try? ConfigDocument(text: text, file: "config.json") {
        _ = try? TrainConfig.overlay(doc, on: TrainConfig(data: "d", model: "m"))
    }
    return 0
}
