import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter), updating as PyTorch's `torch.optim.AdamW`:
/// p ← p·(1 − lr·wd), then p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), where t counts the updates
/// of that parameter (a parameter unfrozen late starts its own bias correction, as in PyTorch).
public final class AdamW: Optimizer {
    public var groups: [ParameterGroup]
    public let beta1: Float, beta2: Float, eps: Float

    struct Moments {
        var m: Tensor
        var v: Tensor
        var step: Int
    }

    var moments: [ObjectIdentifier: Moments] = [:]

    public init(_ groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8) {
        self.groups = groups
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
    }

    public func step(lrFactor: Float) {
        for group in groups {
            let lr = group.learningRate * lrFactor
            for p in group.parameters where p.isTrainable {
                guard let g = p.grad else { continue }
                let key = ObjectIdentifier(p)
                var s = moments.removeValue(forKey: key) ?? Moments(m: Tensor(zeros: p.shape), v: Tensor(zeros: p.shape), step: 0)
                s.step += 1
                s.m = binaryMap(s.m, g) { [beta1] m, g in m * beta1 + (1 - beta1) * g }
                s.v = binaryMap(s.v, g) { [beta2] v, g in v * beta2 + (1 - beta2) * g * g }
                if group.weightDecay != 0 { p.value = affine(p.value, scale: 1 - lr * group.weightDecay) }
                let bc1 = Float(1 - pow(Double(beta1), Double(s.step))), bc2 = Float(1 - pow(Double(beta2), Double(s.step)))
                let stepSize = lr / bc1, sqrtBC2 = bc2.squareRoot(), eps = self.eps
                let update = binaryMap(s.m, s.v) { m, v in m / (v.squareRoot() / sqrtBC2 + eps) }
                p.value.addScaled(update, -stepSize)
                moments[key] = s
            }
        }
    }

    public func state() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for g in groups {
            for p in g.parameters {
                guard let s = moments[ObjectIdentifier(p)] else { continue }
                out["\(p.name).exp_avg"] = s.m
                out["\(p.name).exp_avg_sq"] = s.v
                out["\(p.name).step"] = Tensor(scalar: Float(s.step))
            }
        }
        return out
    }

    public func loadState(_ state: [String: Tensor]) throws {
        for g in groups {
            for p in g.parameters {
                guard let m = try restored(state, "\(p.name).exp_avg", like: p.shape),
                      let v = try restored(state, "\(p.name).exp_avg_sq", like: p.shape) else { continue }
                guard let stepTensor = state["\(p.name).step"], stepTensor.count == 1,
                      stepTensor.item.isFinite, stepTensor.item >= 0, stepTensor.item <= 1e9 else {
                    throw OptimizerStateError(description: "optimizer state \(p.name).step is missing or not a step count")
                }
                moments[ObjectIdentifier(p)] = Moments(m: m, v: v, step: Int(stepTensor.item))
            }
        }
    }
}
