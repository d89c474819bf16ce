/// Scales all gradients so that their global L2 norm is at most `maxNorm`, as PyTorch's
/// `clip_grad_norm_` (coefficient maxNorm/(norm + 1e-6), applied only when below 1).
/// Returns the norm before clipping, which trainers log to spot exploding gradients.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    var total = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        g.withUnsafeBufferPointer { for x in $0 { total += Double(x) * Double(x) } }
    }
    let norm = Float(total.squareRoot())
    let coef = maxNorm / (norm + 1e-6)
    if !(coef >= 1) {   // also when the norm is NaN or infinite: the gradients become NaN, as in PyTorch
        for p in parameters where p.grad != nil { p.grad = affine(p.grad!, scale: coef) }
    }
    return norm
}
