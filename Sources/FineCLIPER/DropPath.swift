import TensorCore

/// Stochastic depth on adapter branches (AIM): in training each sample's branch is dropped with
/// probability p and the kept ones are scaled by 1/(1 − p). Masks are a pure function of (seed,
/// site, row) — not draws from a shared generator — so a block recomputed in backward sees the
/// same masks as in forward, threads need no lock, and a run is reproducible from its seed.
public struct DropPath: Sendable {
    public let rate: Float
    public let seed: UInt64

    public init(rate: Float, seed: UInt64) {
        self.rate = rate
        self.seed = seed
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
            for r in 0..<rows where keeps(site: site, row: r) {
                for i in 0..<inner { m[r * inner + i] = kept }
            }
        }
        return t.multiply(x, t.constant(mask))
    }
}
