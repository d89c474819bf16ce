/// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, updating as
/// PyTorch's `torch.optim.SGD` does (the first step seeds the momentum buffer with the gradient).
public final class SGD: Optimizer {
    public var groups: [ParameterGroup]
    public let momentum: Float, dampening: Float, nesterov: Bool
    var buffers: [ObjectIdentifier: Tensor] = [:]

    public init(_ groups: [ParameterGroup], momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false) {
        self.groups = groups
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }

    public func step(lrFactor: Float) {
        for group in groups {
            let lr = group.learningRate * lrFactor, wd = group.weightDecay
            for p in group.parameters where p.isTrainable {
                guard var d = p.grad else { continue }
                if wd != 0 { d.addScaled(p.value, wd) }
                if momentum != 0 {
                    let key = ObjectIdentifier(p)
                    if var buf = buffers[key] {
                        buffers[key] = nil
                        buf = binaryMap(buf, d) { [momentum, dampening] b, g in b * momentum + (1 - dampening) * g }
                        buffers[key] = buf
                    } else {
                        buffers[key] = d
                    }
                    d = nesterov ? binaryMap(d, buffers[key]!) { [momentum] g, b in g + momentum * b } : buffers[key]!
                }
                p.value.addScaled(d, -lr)
            }
        }
    }

    public func state() -> [String: Tensor] {
        var s: [String: Tensor] = [:]
        for g in groups { for p in g.parameters { if let b = buffers[ObjectIdentifier(p)] { s["\(p.name).momentum"] = b } } }
        return s
    }

    public func loadState(_ state: [String: Tensor]) throws {
        for g in groups {
            for p in g.parameters {
                if let b = try restored(state, "\(p.name).momentum", like: p.shape) { buffers[ObjectIdentifier(p)] = b }
            }
        }
    }
}
