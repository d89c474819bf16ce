/// How far a tensor is from a reference: the numbers parity tests assert on and report.
public struct ParityReport: CustomStringConvertible, Sendable {
    public let maxAbsoluteError: Float
    /// max |a − b| / max(|b|, floor): the floor keeps near-zero references from dominating.
    public let maxRelativeError: Float
    /// Whether every element satisfies |a − b| ≤ atol + rtol·|b| (numpy's allclose rule).
    public let withinTolerance: Bool
    public let worstIndex: Int
    public let shapesMatch: Bool

    public var description: String {
        guard shapesMatch else { return "shape mismatch" }
        return "max abs err \(maxAbsoluteError), max rel err \(maxRelativeError) at \(worstIndex)" + (withinTolerance ? "" : " (outside tolerance)")
    }
}

extension Tensor {
    /// Compares to `reference` elementwise with |a − b| ≤ atol + rtol·|b|. NaNs never match.
    public func compare(to reference: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6, relativeFloor: Float = 1e-3) -> ParityReport {
        guard shape == reference.shape else {
            return ParityReport(maxAbsoluteError: .infinity, maxRelativeError: .infinity, withinTolerance: false,
                                worstIndex: -1, shapesMatch: false)
        }
        var maxAbs: Float = 0, maxRel: Float = 0, worst = 0, ok = true
        withUnsafeBufferPointer { a in
            reference.withUnsafeBufferPointer { b in
                for i in 0..<a.count {
                    let diff = abs(a[i] - b[i])
                    if !(diff <= atol + rtol * abs(b[i])) { ok = false }
                    if diff.isNaN { maxAbs = .nan; worst = i; continue }
                    if diff > maxAbs { maxAbs = diff; worst = i }
                    maxRel = Swift.max(maxRel, diff / Swift.max(abs(b[i]), relativeFloor))
                }
            }
        }
        return ParityReport(maxAbsoluteError: maxAbs, maxRelativeError: maxRel, withinTolerance: ok,
                            worstIndex: worst, shapesMatch: true)
    }
}
