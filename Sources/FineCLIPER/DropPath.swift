import TensorCore

/// Stochastic depth on adapter branches (AIM): in training each sample's branch is dropped with
/// probability p and the kept ones are scaled by 1/(1 − p). Masks are a pure function of (seed,
/// site, row) — not draws from a shared generator — so a block recomputed in backward sees the
/// same masks as in forward, threads need no lock, and a run is reproducible from its seed.
public struct DropPath: Sendable {
    public let rate: Float
    public let seed: UInt64
    /// For sites whose rows belong to clips: this batch's first clip in the whole batch, and its
    /// clip count (0: rows are not per clip).
    var firstClip = 0, clips = 0

    public init(rate: Float, seed: UInt64) {
        self.rate = rate
        self.seed = seed
    }

    /// The masks for rows that belong to `count` clips starting at clip `first` of the whole batch.
    func forClips(first: Int, of count: Int) -> DropPath {
        var d = self
        d.firstClip = first; d.clips = count
        return d
    }

    /// Whether row `row` at `site` (an adapter and the call it serves) is kept.
    func keeps(site: String, row: Int) -> Bool {
        let z = splitMix64((seed ^ DeterministicParameters.nameHash(site)) &+ UInt64(row + 1) &* 0x9E37_79B9_7F4A_7C15)
        return Float(z >> 40) * 0x1p-24 >= rate
    }

    /// x: [N, …]; every row of the first axis is kept or dropped whole.
    func apply(_ x: Variable, site: String, tape t: Tape) -> Variable {
        guard rate > 0 else { return x }
        let rows = x.shape[0], inner = x.value.count / max(rows, 1)
        var mask = Tensor(zeros: x.shape)
        let kept = 1 / (1 - rate)
        mask.withUnsafeMutableBufferPointer { m in
            let offset = clips > 0 ? firstClip * (rows / clips) : 0
            for r in 0..<rows where keeps(site: site, row: offset + r) {
                for i in 0..<inner { m[r * inner + i] = kept }
            }
        }
        return t.multiply(x, t.constant(mask))
    }
}
