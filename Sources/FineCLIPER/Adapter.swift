import TensorCore

/// AIM's bottleneck adapter: fc1 (D → ⌊r·D⌋, bias) → exact GELU → fc2 (→ D, bias). fc2 starts at
/// zero, so an adapted network equals the frozen one at step 0; fc1 starts from a truncated
/// normal with std 0.02 (AIM's `_init_weights`). Keys `fc1.*`, `fc2.*`.
public struct Adapter: Module, Sendable {
    public let fc1: Linear
    public let fc2: Linear

    public init(_ path: ParameterPath, width: Int, ratio: Float) {
        let hidden = max(1, Int((Float(width) * ratio).rounded(.down)))
        fc1 = Linear(path("fc1"), in: width, out: hidden, trainable: true)
        fc2 = Linear(path("fc2"), in: hidden, out: width, trainable: true)
    }

    /// The branch fc2(GELU(fc1(x))), without the skip.
    public func branch(_ x: Variable, tape t: Tape) -> Variable {
        fc2(t.gelu(fc1(x, tape: t)), tape: t)
    }

    /// AIM's initial values, drawn from a generator seeded by `seed` and the parameter name (so a
    /// model's start does not depend on the order its parts are built in).
    public func initialize(seed: UInt64) {
        var g = SeededGenerator(seed: seed ^ DeterministicParameters.nameHash(fc1.weight.name))
        fc1.weight.value = Tensor.truncatedNormal(fc1.weight.shape, std: 0.02, using: &g)
        fc1.bias?.value = Tensor(zeros: [fc1.outFeatures])
        fc2.weight.value = Tensor(zeros: fc2.weight.shape)
        fc2.bias?.value = Tensor(zeros: [fc2.outFeatures])
    }
}
