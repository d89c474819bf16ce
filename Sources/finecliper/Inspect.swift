import ArgumentParser
import Foundation
import TensorCore

/// `finecliper inspect FILE`: what a safetensors file holds, or why it cannot be read.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the tensors and metadata of a safetensors file.")

    @Argument(help: "A .safetensors file.")
    var file: String

    @Flag(help: "Also print min, max and mean of each tensor.")
    var stats = false

    func run() throws {
        let st = try SafeTensorsFile(path: file)
        for (k, v) in st.metadata.sorted(by: { $0.key < $1.key }) {
            let value = v.count > 120 ? String(v.prefix(117)) + "..." : v
            print(TerminalText.escaped("metadata \(k) = \(value)").replacingOccurrences(of: "\n", with: "\\n"))
        }
        var total = 0
        for name in st.names {
            let e = try st.entry(name)
            total += e.shape.reduce(1, *)
            var line = TerminalText.escaped(name).replacingOccurrences(of: "\n", with: "\\n") + "  \(e.dtype.rawValue)  \(e.shape)"
            if stats {
                let t = try st.tensor(name)
                let values = t.scalars
                if let lo = values.min(), let hi = values.max() {
                    line += String(format: "  min %.4g  max %.4g  mean %.4g", lo, hi, sumAll(t) / Float(values.count))
                }
            }
            let overflows = try st.float32Overflows(name)
            if overflows > 0 { line += "  (note: \(overflows) F64 value(s) lie beyond Float32's range and load as ±inf)" }
            print(line)
        }
        print("\(st.entries.count) tensors, \(total) elements")
    }
}
