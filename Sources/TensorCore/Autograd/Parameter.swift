/// A named model weight. Trainable parameters collect a gradient on each backward pass; frozen
/// ones never get a gradient buffer, though gradients still flow through them to their inputs.
public final class Parameter: @unchecked Sendable {
    public let name: String
    public var value: Tensor
    /// Accumulated gradient; `nil` until a backward pass reaches this parameter, always `nil` when frozen.
    public var grad: Tensor?
    public var isTrainable: Bool {
        didSet { if !isTrainable { grad = nil } }
    }

    public init(_ name: String, _ value: Tensor, trainable: Bool = true) {
        self.name = name
        self.value = value
        self.isTrainable = trainable
    }

    public var shape: [Int] { value.shape }

    /// Adds to the gradient buffer (creating it on first use).
    func accumulate(_ g: Tensor) {
        check(g.shape == value.shape, "gradient \(g.shape) does not match parameter \(name) \(value.shape)")
        if grad == nil { grad = g } else { grad!.addScaled(g) }
    }

    public func zeroGrad() { grad = nil }
}
