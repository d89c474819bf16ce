import Foundation
import TUI

/// The workbench's theme files and keys.toml.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    _ = Theme.parse(text, name: "fuzz", file: "fuzz.theme")
    var keymap = Keymap()
    _ = keymap.apply(text, file: "keys.toml")
    return 0
}
