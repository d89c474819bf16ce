extension Tape {
    /// Gradient checkpointing: runs `body` without keeping any of its intermediate values, and in
    /// backward runs it once more on a tape of its own to get the gradients. Only `inputs` are
    /// held between forward and backward, which is what lets a backward pass through a frozen
    /// ViT fit: per block its input instead of every activation. Trainable parameters used in
    /// `body` receive their gradients from the inner pass; say `trainable` when it has any, so
    /// the block is recorded even if no input needs a gradient. `body` must compute the same
    /// values both times (no state of its own; randomness keyed, not drawn). Its third argument
    /// says whether the body's output value will be read: not in the replay, where only the
    /// output's graph is used, so work feeding nothing but that value may be skipped there.
    public func recomputed(_ inputs: [Variable], trainable: Bool, _ body: @escaping (Tape, [Variable], _ valueNeeded: Bool) -> Variable) -> Variable {
        guard isRecording, trainable || inputs.contains(where: \.requiresGrad) else { return body(self, inputs, true) }
        let values = inputs.map(\.value)
        let scratch = Tape(recording: false)
        let output = body(scratch, values.map { scratch.constant($0) }, true).value
        let store = self.store
        return record(output, inputs: inputs, always: trainable) { dy, needs in
            let inner = Tape(store: store)
            let xs = zip(values, needs).map { inner.input($0, requiresGrad: $1) }
            inner.backward(body(inner, xs, false), seed: dy)
            return xs.map { inner.gradient(of: $0) }
        }
    }
}
