import Foundation

/// Mean cross-entropy of logits [N, C] against class indices, as PyTorch's
/// `F.cross_entropy(logits, targets, label_smoothing=ε)`; computed with log-sum-exp for stability.
public func crossEntropy(logits: Tensor, targets: [Int], labelSmoothing: Float = 0) -> Float {
    crossEntropyWithProbabilities(logits: logits, targets: targets, labelSmoothing: labelSmoothing).loss
}

/// log Σ_j exp(row[j]) in Double, shifted by the row's maximum so that nothing overflows.
func logSumExp(_ row: UnsafePointer<Float>, _ c: Int) -> Double {
    var m = -Float.infinity
    for j in 0..<c { m = Swift.max(m, row[j]) }
    var s = 0.0
    for j in 0..<c { s += Foundation.exp(Double(row[j] - m)) }
    return Double(m) + log(s)
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
            let logZ = logSumExp(row, c)
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

extension Tape {
    /// Mean cross-entropy of logits [N, C] against target distributions [N, C] (rows summing to
    /// 1): −Σ_j q_ij log softmax(z_i)_j, averaged over rows. Contrastive losses use it when a
    /// batch holds the same text twice, so both matches count as positives.
    public func crossEntropy(logits: Variable, targetDistributions q: Tensor) -> Variable {
        check(logits.value.rank == 2 && q.shape == logits.shape, "crossEntropy: targets \(q.shape) do not match logits \(logits.shape)")
        let n = logits.shape[0], c = logits.shape[1]
        let probs = TensorCore.softmax(logits.value)
        var total = 0.0
        logits.value.withUnsafeBufferPointer { pl in
            q.withUnsafeBufferPointer { pq in
                for i in 0..<n {
                    let row = pl.baseAddress! + i * c
                    let logZ = logSumExp(row, c)
                    for j in 0..<c where pq[i * c + j] != 0 { total += Double(pq[i * c + j]) * (logZ - Double(row[j])) }
                }
            }
        }
        return record(Tensor(scalar: Float(total / Double(Swift.max(n, 1)))), inputs: [logits]) { dy, _ in
            // d/dz_i = (softmax(z_i)·Σ_j q_ij − q_i)/N.
            let scale = dy.item / Float(Swift.max(n, 1))
            var dz = probs
            dz.withUnsafeMutableBufferPointer { p in
                q.withUnsafeBufferPointer { pq in
                    for i in 0..<n {
                        var mass: Float = 0
                        for j in 0..<c { mass += pq[i * c + j] }
                        for j in 0..<c { p[i * c + j] = (p[i * c + j] * mass - pq[i * c + j]) * scale }
                    }
                }
            }
            return [dz]
        }
    }
}
