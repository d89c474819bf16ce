/// A value flowing through a computation recorded on a `Tape`.
public struct Variable: Sendable {
    public let value: Tensor
    /// Position in the tape; variables that need no gradient have `requiresGrad == false`.
    let id: Int
    let requiresGrad: Bool

    public var shape: [Int] { value.shape }
}

/// Reverse-mode automatic differentiation over coarse operations. Each operation computes its
/// value at once and, when any input needs a gradient, records a closure that maps the output's
/// gradient to its inputs' gradients. A tape that is not recording (inference) keeps nothing.
/// One tape per forward/backward pass; it is not shared between threads. Passes that run at once
/// on several threads each give their tape a `GradientStore`.
public final class Tape {
    public let isRecording: Bool
    /// Where `backward` puts parameter gradients; nil: into the parameters' `grad`.
    public let store: GradientStore?

    struct Node {
        let output: Int
        let inputs: [Int]
        let needs: [Bool]
        let backward: (Tensor, [Bool]) -> [Tensor?]
    }

    var nodes: [Node] = []
    var nextID = 0
    var parameters: [Int: Parameter] = [:]
    var gradients: [Int: Tensor] = [:]
    /// Set by `backward`: the graph has been used and released.
    var consumed = false

    public init(recording: Bool = true, store: GradientStore? = nil) {
        isRecording = recording
        self.store = store
    }

    func newID() -> Int { defer { nextID += 1 }; return nextID }

    /// A value that needs no gradient.
    public func constant(_ t: Tensor) -> Variable { Variable(value: t, id: newID(), requiresGrad: false) }

    /// A leaf whose gradient can be read with `gradient(of:)` after `backward`.
    public func input(_ t: Tensor, requiresGrad: Bool = true) -> Variable {
        Variable(value: t, id: newID(), requiresGrad: requiresGrad && isRecording)
    }

    /// A leaf bound to a parameter: a trainable one receives its gradient in `backward`.
    public func parameter(_ p: Parameter) -> Variable {
        let v = Variable(value: p.value, id: newID(), requiresGrad: p.isTrainable && isRecording)
        if v.requiresGrad { parameters[v.id] = p }
        return v
    }

    /// Records an operation. `backward` receives the output gradient and which inputs need one,
    /// and returns one gradient (or nil) per input.
    /// With `always`, the operation is recorded even when no input needs a gradient (its body
    /// holds trainable parameters of its own, as a recomputed block does).
    public func record(_ value: Tensor, inputs: [Variable], always: Bool = false,
                       backward: @escaping (Tensor, [Bool]) -> [Tensor?]) -> Variable {
        let needs = inputs.map(\.requiresGrad)
        guard isRecording, always || needs.contains(true) else { return constant(value) }
        check(!consumed, "this tape already ran backward; record each forward pass on a new Tape")
        let v = Variable(value: value, id: newID(), requiresGrad: true)
        nodes.append(Node(output: v.id, inputs: inputs.map(\.id), needs: needs, backward: backward))
        return v
    }

    /// Back-propagates from `output` (seeded with ones, or `seed`), accumulating into trainable
    /// parameters' `grad` (or the tape's store) and into the gradients of inputs. The recorded
    /// graph is released after.
    public func backward(_ output: Variable, seed: Tensor? = nil) {
        check(isRecording, "backward on a tape that does not record")
        check(!consumed, "backward called twice on one tape; record each forward pass on a new Tape")
        consumed = true
        guard output.requiresGrad else { return }
        gradients[output.id] = seed ?? Tensor(repeating: 1, shape: output.shape)
        // Each operation is released once it has run, and with it what it kept for backward.
        while let node = nodes.popLast() {
            guard let g = gradients[node.output] else { continue }
            if parameters[node.output] == nil { gradients[node.output] = nil }
            let grads = node.backward(g, node.needs)
            check(grads.count == node.inputs.count, "an operation returned \(grads.count) gradients for \(node.inputs.count) inputs")
            for (i, id) in node.inputs.enumerated() where node.needs[i] {
                guard let gi = grads[i] else { continue }
                if gradients[id] == nil { gradients[id] = gi } else { gradients[id]!.addScaled(gi) }
            }
        }
        // In recording order: a parameter used at several places sums its gradients in the same
        // order in every process (a dictionary's order changes with its per-process hash seed).
        for id in parameters.keys.sorted() {
            guard let p = parameters[id], let g = gradients.removeValue(forKey: id) else { continue }
            if let store { store.accumulate(p, g) } else { p.accumulate(g) }
        }
        parameters.removeAll()
        nodes.removeAll()
    }

    /// The gradient of a leaf created with `input(_:)` after `backward`.
    public func gradient(of v: Variable) -> Tensor? { gradients[v.id] }
}
