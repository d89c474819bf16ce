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

    public func callAsFunction(_ x: Variable, tape t: Tape, valueNeeded: Bool = true) -> Variable {
        t.linear(x, weight: t.parameter(weight), bias: bias.map { t.parameter($0) }, valueNeeded: valueNeeded)
    }
}
