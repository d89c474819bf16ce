/// Layer normalisation over the last axis with an affine scale and shift; keys `weight`, `bias`.
public struct LayerNormalization: Module, Sendable {
    public let weight: Parameter
    public let bias: Parameter
    public let eps: Float

    public init(_ path: ParameterPath, width: Int, eps: Float = 1e-5, trainable: Bool = false) {
        weight = path.parameter("weight", [width], trainable: trainable, value: Tensor(repeating: 1, shape: [width]))
        bias = path.parameter("bias", [width], trainable: trainable)
        self.eps = eps
    }

    public func callAsFunction(_ x: Variable, tape t: Tape) -> Variable {
        t.layerNorm(x, gamma: t.parameter(weight), beta: t.parameter(bias), eps: eps)
    }
}
