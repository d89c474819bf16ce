/// Two linear layers with an activation between them (a transformer's feed-forward part).
public struct MLP: Module, Sendable {
    public let fc1: Linear
    public let fc2: Linear
    public let activation: Activation

    /// `names` are the keys of the two layers: Hugging Face CLIP says ("fc1", "fc2"), a
    /// `Sequential` with dropout says ("net.0", "net.3").
    public init(_ path: ParameterPath, width: Int, hidden: Int, activation: Activation, names: (String, String) = ("fc1", "fc2"),
                trainable: Bool = false) {
        fc1 = Linear(path(names.0), in: width, out: hidden, trainable: trainable)
        fc2 = Linear(path(names.1), in: hidden, out: width, trainable: trainable)
        self.activation = activation
    }

    /// In a recomputed block (`pass`), the first product may be kept from the first run, and the
    /// replay records the last without computing it (its value feeds only the block's unread
    /// output).
    public func callAsFunction(_ x: Variable, tape t: Tape, pass: RecomputePass = .plain) -> Variable {
        fc2(t.activation(activation, fc1(x, tape: t, pass: pass)), tape: t, output: pass.valueNeeded ? .computed : .unread)
    }
}
