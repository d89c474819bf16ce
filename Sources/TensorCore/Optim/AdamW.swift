import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter), updating as PyTorch's `torch.optim.AdamW`:
/// p ← p·(1 − lr·wd), then p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
public final class AdamW: Optimizer {
    public var groups: [ParameterGroup]
    public let beta1: Float, beta2: Float, eps: Float
    var moments: [ObjectIdentifier: (m: Tensor, v: Tensor)] = [:]
    public private(set) var stepCount = 0

    public init(_ groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.groups = groups
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    public func step(lrFactor: Float) {
        stepCount += 1
        let bc1 = Float(1 - pow(Double(beta1), Double(stepCount))), bc2 = Float(1 - pow(Double(beta2), Double(stepCount)))
        for group in groups {
            let lr = group.learningRate * lrFactor
            for p in group.parameters where p.isTrainable {
                guard let g = p.grad else { continue }
                let key = ObjectIdentifier(p)
                var (m, v) = moments[key] ?? (Tensor(zeros: p.shape), Tensor(zeros: p.shape))
                moments[key] = nil
                m = binaryMap(m, g) { [beta1] m, g in m * beta1 + (1 - beta1) * g }
                v = binaryMap(v, g) { [beta2] v, g in v * beta2 + (1 - beta2) * g * g }
                moments[key] = (m, v)
                if group.weightDecay != 0 { p.value = affine(p.value, scale: 1 - lr * group.weightDecay) }
                let stepSize = lr / bc1, sqrtBC2 = bc2.squareRoot(), eps = self.eps
                let update = binaryMap(m, v) { m, v in m / (v.squareRoot() / sqrtBC2 + eps) }
                p.value.addScaled(update, -stepSize)
            }
        }
    }

    public func state() -> [String: Tensor] {
        var s: [String: Tensor] = ["adamw.step": Tensor(scalar: Float(stepCount))]
        for g in groups {
            for p in g.parameters {
                if let mv = moments[ObjectIdentifier(p)] { s["\(p.name).exp_avg"] = mv.m; s["\(p.name).exp_avg_sq"] = mv.v }
            }
        }
        return s
    }

    public func loadState(_ state: [String: Tensor]) throws {
        if let s = state["adamw.step"] { stepCount = Int(s.item) }
        for g in groups {
            for p in g.parameters {
                if let m = try restored(state, "\(p.name).exp_avg", like: p.shape),
                   let v = try restored(state, "\(p.name).exp_avg_sq", like: p.shape) {
                    moments[ObjectIdentifier(p)] = (m, v)
                }
            }
        }
    }
}
