/// One value of a TOML or JSON settings file. Tables keep their keys sorted so that two reads of
/// the same file compare equal; a file's own order lives in `ConfigDocument.entries`.
public indirect enum ConfigValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])

    /// The name a message uses for this value's type.
    public var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }

    public var string: String? { if case let .string(s) = self { s } else { nil } }

    /// Strings alone, or the strings of an array of strings (`key = "x"` or `key = ["x", "y"]`).
    public var strings: [String]? {
        switch self {
        case let .string(s): [s]
        case let .array(items): items.allSatisfy { $0.string != nil } ? items.map { $0.string! } : nil
        default: nil
        }
    }
}

/// Encoded as plain JSON values, so a table can be decoded into any Decodable configuration.
extension ConfigValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([ConfigValue].self) { self = .array(a) }
        else { self = .table(try c.decode([String: ConfigValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .string(s): try c.encode(s)
        case let .integer(i): try c.encode(i)
        case let .number(d): try c.encode(d)
        case let .bool(b): try c.encode(b)
        case let .array(a): try c.encode(a)
        case let .table(t): try c.encode(t)
        }
    }
}
