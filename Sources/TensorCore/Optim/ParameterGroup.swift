/// Parameters that share a learning rate and weight decay (e.g. adapters at 1e-3, a temporal
/// model at 1e-2). A schedule scales every group's base rate by the same factor.
public struct ParameterGroup {
    public var name: String
    public var parameters: [Parameter]
    public var learningRate: Float
    public var weightDecay: Float

    public init(name: String = "default", _ parameters: [Parameter], learningRate: Float, weightDecay: Float = 0) {
        self.name = name
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

/// An optimizer updates the trainable parameters of its groups from their gradients.
public protocol Optimizer: AnyObject {
    var groups: [ParameterGroup] { get set }
    /// One update with each group's learning rate multiplied by `lrFactor`.
    func step(lrFactor: Float)
    /// State (momentum buffers, moments, step count) by parameter name, for checkpoints.
    func state() -> [String: Tensor]
    func loadState(_ state: [String: Tensor]) throws
}

extension Optimizer {
    public func step() { step(lrFactor: 1) }

    public func zeroGrad() {
        for g in groups { for p in g.parameters { p.zeroGrad() } }
    }
}

/// A checkpointed optimizer state that does not fit the parameters.
public struct OptimizerStateError: DomainError {
    public var kind: FailureKind { .badData }
    public let description: String
}

/// Copies `state[key]` if present and shaped like `like`.
func restored(_ state: [String: Tensor], _ key: String, like shape: [Int]) throws -> Tensor? {
    guard let t = state[key] else { return nil }
    guard t.shape == shape else {
        throw OptimizerStateError(description: "optimizer state \(key) has shape \(t.shape), the parameter has \(shape)")
    }
    return t
}
