import TensorCore

/// A problem with a settings file, at its line (and column for syntax errors) when known.
public struct ConfigError: DomainError, Equatable {
    public let file: String
    public var line: Int? = nil
    public var column: Int? = nil
    public let reason: String
    public var kind: FailureKind = .badData

    public init(file: String, line: Int? = nil, column: Int? = nil, reason: String, kind: FailureKind = .badData) {
        self.file = file; self.line = line; self.column = column; self.reason = reason; self.kind = kind
    }

    public var description: String {
        let at = line.map { ":\($0)" + (column.map { ":\($0)" } ?? "") } ?? ""
        return "\(file)\(at): \(reason)"
    }
}
