import TensorCore

/// Problems with a model's configuration, inputs or checkpoint.
public enum ModelError: DomainError, Equatable {
    case badConfig(String)
    case badInput(String)
    case checkpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case let .badConfig(r): return "model configuration: \(r)"
        case let .badInput(r): return "model input: \(r)"
        case let .checkpoint(p, r): return "\(p): \(r)"
        }
    }

    public var kind: FailureKind { .badData }
}
