/// An exponential moving average of parameters' values (Polyak averaging), updated after each
/// optimizer step: a ← d·a + (1 − d)·w with d = min(decay, (1 + t)/(10 + t)) at step t, so that
/// the starting values fade out within the first tens of steps whatever the decay. With a steady
/// learning rate the weights keep moving around a minimum from step to step; their average sits
/// nearer its middle, which is what a run then scores and exports.
public final class WeightAverage {
    public let decay: Double
    let parameters: [Parameter]
    /// The averages, in the parameters' order.
    public private(set) var values: [Tensor]

    /// Starts at the parameters' current values.
    public init(decay: Double, parameters: [Parameter]) {
        precondition(decay > 0 && decay < 1, "an average's decay must be in (0, 1)")
        self.decay = decay
        self.parameters = parameters
        values = parameters.map(\.value)
    }

    /// Starts again at the parameters' current values (after they were loaded from elsewhere).
    public func restart() { values = parameters.map(\.value) }

    /// The decay used after step `step` (counted from 1).
    public func decay(afterStep step: Int) -> Double { min(decay, Double(1 + step) / Double(10 + step)) }

    /// Folds the parameters' values after step `step` (counted from 1) into the averages.
    public func update(afterStep step: Int) {
        let d = Float(decay(afterStep: step))
        for (k, p) in parameters.enumerated() {
            values[k] = binaryMap(values[k], p.value) { a, w in a * d + (1 - d) * w }
        }
    }

    /// Runs `body` with the averages in the parameters and puts their own values back after it.
    public func applied<T>(_ body: () throws -> T) rethrows -> T {
        let own = parameters.map(\.value)
        for (p, a) in zip(parameters, values) { p.value = a }
        defer { for (p, w) in zip(parameters, own) { p.value = w } }
        return try body()
    }

    /// The averages by parameter name, for a checkpoint.
    public func state() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: zip(parameters, values).map { ($0.name, $1) })
    }

    /// Restores the averages from `state()`'s output; a missing or misshapen one is refused.
    public func loadState(_ state: [String: Tensor]) throws {
        var restored = values
        for (k, p) in parameters.enumerated() {
            guard let a = state[p.name] else { throw OptimizerStateError(description: "the weights' average lacks \(p.name)") }
            guard a.shape == p.shape else {
                throw OptimizerStateError(description: "the weights' average of \(p.name) is \(a.shape), the parameter \(p.shape)")
            }
            restored[k] = a
        }
        values = restored
    }
}
