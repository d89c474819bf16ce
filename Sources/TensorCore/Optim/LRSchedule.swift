import Foundation

/// A learning-rate schedule: the factor applied to every group's base rate at a given epoch
/// (or step, when the trainer schedules per step).
public enum LRSchedule: Codable, Equatable, Sendable {
    /// ×γ at each milestone passed, as PyTorch's MultiStepLR.
    case multiStep(milestones: [Int], gamma: Float)
    /// Linear warm-up over the first `warmup` units (factor (t+1)/warmup), then cosine annealing
    /// from 1 down to `minFactor` (a fraction of each group's base rate) at t = `total`, where it
    /// stays. With warmup = 0 this is CosineAnnealingLR's closed form up to T_max.
    case cosine(total: Int, warmup: Int = 0, minFactor: Float = 0)
    case constant

    public func factor(at t: Int) -> Float {
        switch self {
        case let .multiStep(milestones, gamma):
            let passed = milestones.filter { t >= $0 }.count
            return Float(pow(Double(gamma), Double(passed)))
        case let .cosine(total, warmup, minFactor):
            if t < warmup { return Float(t + 1) / Float(warmup) }
            let span = max(total - warmup, 1)
            let progress = min(Double(t - warmup) / Double(span), 1)
            return minFactor + (1 - minFactor) * Float((1 + cos(Double.pi * progress)) / 2)
        case .constant:
            return 1
        }
    }
}
