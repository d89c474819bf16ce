/// Parameter gradients of backward passes kept apart from the parameters. Passes that run side by
/// side on several threads each write to a store of their own instead of racing on the shared
/// parameters' `grad`; adding the stores into the parameters afterwards in a fixed order (clip
/// order, not finishing order) makes the sum independent of how many threads ran them.
public final class GradientStore: @unchecked Sendable {
    private var entries: [ObjectIdentifier: (parameter: Parameter, gradient: Tensor)] = [:]

    public init() {}

    func accumulate(_ p: Parameter, _ g: Tensor) {
        check(g.shape == p.value.shape, "gradient \(g.shape) does not match parameter \(p.name) \(p.value.shape)")
        let key = ObjectIdentifier(p)
        if entries[key] == nil { entries[key] = (p, g) } else { entries[key]!.gradient.addScaled(g) }
    }

    /// The gradient gathered for `p`, or nil when no pass reached it.
    public func gradient(of p: Parameter) -> Tensor? { entries[ObjectIdentifier(p)]?.gradient }

    /// How many parameters received a gradient.
    public var count: Int { entries.count }

    /// Adds every stored gradient into its parameter's `grad` (each parameter once, so the order
    /// among parameters does not matter) and empties the store.
    public func addToParameters() {
        for (p, g) in entries.values { p.accumulate(g) }
        entries.removeAll()
    }
}
