/// Pointwise activations and their derivatives, on 16 lanes at a time.
public enum Activation: String, Codable, Sendable, CaseIterable {
    /// x·Φ(x) with the exact normal CDF (PyTorch `nn.GELU()`), used by AIM adapters.
    case gelu
    /// 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) (PyTorch `approximate="tanh"`).
    case geluTanh
    /// x·σ(1.702x), OpenAI CLIP's activation.
    case quickGelu
    case sigmoid
    case relu
    case tanh

    @usableFromInline static let sqrtHalf: Float = 0.70710678118654752
    @usableFromInline static let invSqrt2Pi: Float = 0.39894228040143268
    @usableFromInline static let sqrt2OverPi: Float = 0.79788456080286536

    /// f(x).
    @inlinable @inline(__always)
    public func forward(_ x: Vec16) -> Vec16 {
        switch self {
        case .gelu: return 0.5 * x * VectorMath.erfc(-x * Activation.sqrtHalf)
        case .geluTanh:
            // 0.5·(1 + tanh(u)) = σ(2u): no cancellation on the negative tail.
            let u = Activation.sqrt2OverPi * (x + 0.044715 * x * x * x)
            return x * VectorMath.sigmoid(2 * u)
        case .quickGelu: return x * VectorMath.sigmoid(1.702 * x)
        case .sigmoid: return VectorMath.sigmoid(x)
        case .relu: return VectorMath.max(x, Vec16())
        case .tanh: return VectorMath.tanh(x)
        }
    }

    /// dy·f′(x).
    @inlinable @inline(__always)
    public func backward(_ x: Vec16, _ dy: Vec16) -> Vec16 {
        switch self {
        case .gelu:
            let cdf = 0.5 * VectorMath.erfc(-x * Activation.sqrtHalf)
            let pdf = Activation.invSqrt2Pi * VectorMath.exp(-0.5 * x * x)
            return dy * (cdf + x * pdf)
        case .geluTanh:
            let x2 = x * x
            let u = Activation.sqrt2OverPi * (x + 0.044715 * x2 * x)
            let du = Activation.sqrt2OverPi * (1 + 3 * 0.044715 * x2)
            let s = VectorMath.sigmoid(2 * u)
            return dy * (s + x * s * (1 - s) * 2 * du)
        case .quickGelu:
            let s = VectorMath.sigmoid(1.702 * x)
            return dy * (s + 1.702 * x * s * (1 - s))
        case .sigmoid:
            let s = VectorMath.sigmoid(x)
            return dy * s * (1 - s)
        case .relu: return VectorMath.select(VectorMath.negativeMask(Vec16() - x), dy, Vec16())  // x > 0
        case .tanh:
            let t = VectorMath.tanh(x)
            return dy * (1 - t * t)
        }
    }
}

/// f(x) elementwise.
public func activation(_ kind: Activation, _ x: Tensor) -> Tensor {
    unaryMap(x) { kind.forward($0) }
}

public func gelu(_ x: Tensor) -> Tensor { activation(.gelu, x) }
public func geluTanh(_ x: Tensor) -> Tensor { activation(.geluTanh, x) }
public func quickGelu(_ x: Tensor) -> Tensor { activation(.quickGelu, x) }
public func sigmoid(_ x: Tensor) -> Tensor { activation(.sigmoid, x) }

extension Tape {
    /// Differentiable activation.
    public func activation(_ kind: Activation, _ x: Variable) -> Variable {
        record(TensorCore.activation(kind, x.value), inputs: [x]) { dy, _ in
            [binaryMap(x.value, dy) { kind.backward($0, $1) }]
        }
    }

    public func gelu(_ x: Variable) -> Variable { activation(.gelu, x) }
    public func geluTanh(_ x: Variable) -> Variable { activation(.geluTanh, x) }
    public func quickGelu(_ x: Variable) -> Variable { activation(.quickGelu, x) }
    public func sigmoid(_ x: Variable) -> Variable { activation(.sigmoid, x) }
}
