/// How a backward pass through a stack of blocks trades memory for time.
public enum Recomputation: Sendable, Equatable {
    /// Every activation that backward reads is kept from forward.
    case off
    /// Gradient checkpointing: each block keeps its input and runs again in backward. Up to
    /// `keeping` bytes per forward pass also keep the products a block marks as worth keeping
    /// (its frozen layers' matrix products), so their replay skips those multiplications.
    case blocks(keeping: Int)

    /// Checkpointing with up to 768 MiB per pass of kept products: every adapted block of a
    /// ViT-B/32 FineCLIPER pass over one clip of 16 frames (20 blocks of 19.7 MB), ten of a
    /// ViT-B/16's (77.5 MB each); the step's peak memory stays below PyTorch's (README).
    public static let standard = Recomputation.blocks(keeping: standardBudget)
    public static let standardBudget = 768 << 20

    /// What is left of the budget after a part of the pass kept `bytes`.
    public func spending(_ bytes: Int) -> Recomputation {
        guard case let .blocks(budget) = self else { return self }
        return .blocks(keeping: max(0, budget - bytes))
    }

    public var isOn: Bool { self != .off }
}

/// One run of a recomputed body: the first (in forward) or the replay (in backward). The body
/// may keep chosen values of its first run with `reusing`, which its replay then receives
/// instead of computing them again.
public struct RecomputePass {
    /// False in the replay, where only the output's graph is used: work that feeds nothing but
    /// the output value may be skipped.
    public let valueNeeded: Bool
    let memo: Memo?

    /// A pass outside any recomputation: computes everything, keeps nothing.
    public static var plain: RecomputePass { RecomputePass(valueNeeded: true, memo: nil) }

    /// `op` records one value, computing it when given nil, or recording its graph around the
    /// value it is given. With keeping on, the first run's value is kept and handed to the
    /// replay's `op`, in the order of the calls, and released there.
    public func reusing(_ op: (_ known: Tensor?) -> Variable) -> Variable {
        guard let memo else { return op(nil) }
        if valueNeeded {
            let v = op(nil)
            memo.values.append(v.value)
            return v
        }
        check(memo.next < memo.values.count, "a recomputed body asked its replay for more kept values than its first run kept")
        defer { memo.values[memo.next] = nil; memo.next += 1 }
        return op(memo.values[memo.next])
    }

    final class Memo {
        var values: [Tensor?] = []
        var next = 0
    }
}

extension Tape {
    /// Gradient checkpointing: runs `body` without keeping any of its intermediate values, and in
    /// backward runs it once more on a tape of its own to get the gradients. Only `inputs` (and,
    /// with `keep`, what the body keeps through `RecomputePass.reusing`) are held between forward
    /// and backward, which is what lets a backward pass through a frozen ViT fit: per block its
    /// input instead of every activation. Trainable parameters used in `body` receive their
    /// gradients from the inner pass; say `trainable` when it has any, so the block is recorded
    /// even if no input needs a gradient. `body` must compute the same values both times (no
    /// state of its own; randomness keyed, not drawn).
    public func recomputed(_ inputs: [Variable], trainable: Bool, keep: Bool = false,
                           _ body: @escaping (Tape, [Variable], RecomputePass) -> Variable) -> Variable {
        guard isRecording, trainable || inputs.contains(where: \.requiresGrad) else { return body(self, inputs, .plain) }
        let values = inputs.map(\.value)
        let memo = keep ? RecomputePass.Memo() : nil
        let scratch = Tape(recording: false)
        let output = body(scratch, values.map { scratch.constant($0) }, RecomputePass(valueNeeded: true, memo: memo)).value
        let store = self.store
        return record(output, inputs: inputs, always: trainable) { dy, needs in
            let inner = Tape(store: store)
            let xs = zip(values, needs).map { inner.input($0, requiresGrad: $1) }
            inner.backward(body(inner, xs, RecomputePass(valueNeeded: false, memo: memo)), seed: dy)
            return xs.map { inner.gradient(of: $0) }
        }
    }
}
