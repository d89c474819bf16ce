import Foundation

/// Mean cross-entropy of logits [N, C] against class indices, as PyTorch's
/// `F.cross_entropy(logits, targets, label_smoothing=ε)`; computed with log-sum-exp for stability.
public func crossEntropy(logits: Tensor, targets: [Int], labelSmoothing: Float = 0) -> Float {
    crossEntropyWithProbabilities(logits: logits, targets: targets, labelSmoothing: labelSmoothing).loss
}

func crossEntropyWithProbabilities(logits: Tensor, targets: [Int], labelSmoothing eps: Float) -> (loss: Float, probabilities: Tensor) {
    check(logits.rank == 2 && logits.shape[0] == targets.count,
                 "crossEntropy: logits \(logits.shape) need one row per target (\(targets.count))")
    let c = logits.shape[1]
    check(targets.allSatisfy { $0 >= 0 && $0 < c }, "crossEntropy: a target is outside 0..<\(c)")
    let probs = softmax(logits)
    var total = 0.0
    logits.withUnsafeBufferPointer { pl in
        for (n, t) in targets.enumerated() {
            let row = pl.baseAddress! + n * c
            var m = -Float.infinity
            for j in 0..<c { m = Swift.max(m, row[j]) }
            var s = 0.0
            for j in 0..<c { s += Foundation.exp(Double(row[j] - m)) }
            let logZ = Double(m) + log(s)
            var rowLoss = (1 - Double(eps)) * (logZ - Double(row[t]))
            if eps > 0 {
                var meanNegLog = 0.0
                for j in 0..<c { meanNegLog += logZ - Double(row[j]) }
                rowLoss += Double(eps) * meanNegLog / Double(c)
            }
            total += rowLoss
        }
    }
    return (Float(total / Double(targets.count)), probs)   // no targets: NaN, as in PyTorch
}

extension Tape {
    /// Differentiable mean cross-entropy; the result is a scalar variable.
    public func crossEntropy(logits: Variable, targets: [Int], labelSmoothing: Float = 0) -> Variable {
        let (loss, probs) = crossEntropyWithProbabilities(logits: logits.value, targets: targets, labelSmoothing: labelSmoothing)
        return record(Tensor(scalar: loss), inputs: [logits]) { dy, _ in
            // d/dz = (softmax(z) − q)/N with q = (1−ε)·onehot + ε/C.
            let n = targets.count, c = logits.shape[1]
            let scale = dy.item / Float(Swift.max(n, 1))
            var dz = probs
            dz.withUnsafeMutableBufferPointer { p in
                for i in 0..<(n * c) { p[i] -= labelSmoothing / Float(c) }
                for (i, t) in targets.enumerated() { p[i * c + t] -= 1 - labelSmoothing }
                for i in 0..<(n * c) { p[i] *= scale }
            }
            return [dz]
        }
    }
}
