import Foundation
import TensorCore

/// Stochastic depth on adapter branches (AIM): in training each sample's branch is dropped with
/// probability p and the kept ones are scaled by 1/(1 − p). One value per forward call, drawing
/// masks in call order from a seeded generator, so a run is reproducible from its seed.
public final class DropPath: @unchecked Sendable {
    public let rate: Float
    var generator: SeededGenerator
    let lock = NSLock()

    public init(rate: Float, seed: UInt64) {
        self.rate = rate
        generator = SeededGenerator(seed: seed)
    }

    /// x: [N, …]; every row of the first axis is kept or dropped whole.
    func apply(_ x: Variable, tape t: Tape) -> Variable {
        guard rate > 0 else { return x }
        let rows = x.shape[0], inner = x.value.count / max(rows, 1)
        let keep: [Bool] = lock.withLock { (0..<rows).map { _ in generator.nextUnit() >= rate } }
        var mask = Tensor(zeros: x.shape)
        let kept = 1 / (1 - rate)
        mask.withUnsafeMutableBufferPointer { m in
            for r in 0..<rows {
                let v: Float = keep[r] ? kept : 0
                for i in 0..<inner { m[r * inner + i] = v }
            }
        }
        return t.multiply(x, t.constant(mask))
    }
}
