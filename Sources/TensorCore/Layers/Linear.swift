/// y = x·Wᵀ + b with PyTorch's layout (weight [out, in]); keys `weight` and `bias`.
public struct Linear: Module, Sendable {
    public let weight: Parameter
    public let bias: Parameter?

    public init(_ path: ParameterPath, in inFeatures: Int, out outFeatures: Int, bias hasBias: Bool = true, trainable: Bool = false) {
        weight = path.parameter("weight", [outFeatures, inFeatures], trainable: trainable)
        bias = hasBias ? path.parameter("bias", [outFeatures], trainable: trainable) : nil
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public func callAsFunction(_ x: Variable, tape t: Tape, output: LinearOutput = .computed) -> Variable {
        t.linear(x, weight: t.parameter(weight), bias: bias.map { t.parameter($0) }, output: output)
    }

    /// In a recomputed block, the first run keeps the product and the replay records its graph
    /// around the kept value instead of multiplying again (`RecomputePass.reusing`).
    public func callAsFunction(_ x: Variable, tape t: Tape, pass: RecomputePass) -> Variable {
        pass.reusing { known in self(x, tape: t, output: known.map { .known($0) } ?? .computed) }
    }
}
