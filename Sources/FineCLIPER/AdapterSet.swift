import CLIP
import TensorCore

/// The adapters one tower carries for one stream or prompt kind: per chosen layer a serial adapter
/// on the attention output (with its skip) and, optionally, a parallel adapter beside the MLP
/// scaled by s. Keys `layers.N.attn.*` and `layers.N.mlp.*`.
public struct AdapterSet: Module {
    public let serial: [Adapter?]
    public let parallel: [Adapter?]
    public let scale: Float

    /// `layers` of a tower with `depth` blocks of `width`; `parallel` false gives serial adapters only.
    public init(_ path: ParameterPath, depth: Int, layers: [Int], width: Int, ratio: Float, scale: Float, parallel hasParallel: Bool = true) {
        let chosen = Set(layers)
        serial = (0..<depth).map { chosen.contains($0) ? Adapter(path("layers.\($0).attn"), width: width, ratio: ratio) : nil }
        parallel = (0..<depth).map { chosen.contains($0) && hasParallel ? Adapter(path("layers.\($0).mlp"), width: width, ratio: ratio) : nil }
        self.scale = scale
    }

    public var layers: [Int] { serial.indices.filter { serial[$0] != nil } }

    public func initialize(seed: UInt64) {
        for a in serial + parallel { a?.initialize(seed: seed) }
    }

    /// The per-call additions for a tower's forward pass: serial x + branch(x) (AIM's S-Adapter),
    /// parallel s·branch(h) (AIM's MLP-Adapter), each branch through drop-path when training.
    /// `call` tells apart the drop-path masks of one set serving several streams.
    public func blockAdapters(dropPath: DropPath?, call: String = "") -> [Int: BlockAdapters] {
        var out: [Int: BlockAdapters] = [:]
        let s = scale
        for i in serial.indices where serial[i] != nil || parallel[i] != nil {
            var b = BlockAdapters()
            if let a = serial[i] {
                let site = call + "/" + a.fc1.weight.name
                b.afterAttention = { x, t in
                    let branch = a.branch(x, tape: t)
                    return t.add(x, dropPath?.apply(branch, site: site, tape: t) ?? branch)
                }
            }
            if let a = parallel[i] {
                let site = call + "/" + a.fc1.weight.name
                b.besideMLP = { h, t in
                    let branch = t.scale(a.branch(h, tape: t), s)
                    return dropPath?.apply(branch, site: site, tape: t) ?? branch
                }
            }
            out[i] = b
        }
        return out
    }
}
