import TensorCore

/// Problems loading or running a CLIP model, with the file and tensor names involved.
public enum CLIPError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String, what: String)
    case badConfig(path: String, reason: String)
    case weights(path: String, missing: [String], unexpected: [String], misshaped: [String])
    case badInput(reason: String)

    public var description: String {
        switch self {
        case let .missingFile(p, w): return "\(p): not found (expected \(w))"
        case let .badConfig(p, r): return "\(p): \(r)"
        case let .weights(p, m, u, s):
            var parts: [String] = []
            if !m.isEmpty { parts.append("missing \(m.count): \(m.prefix(5).joined(separator: ", "))\(m.count > 5 ? ", …" : "")") }
            if !s.isEmpty { parts.append("wrong shape \(s.count): \(s.prefix(5).joined(separator: "; "))") }
            if !u.isEmpty { parts.append("unexpected \(u.count): \(u.prefix(5).joined(separator: ", "))\(u.count > 5 ? ", …" : "")") }
            return "\(p): the weights do not fit the configuration (\(parts.joined(separator: "; ")))"
        case let .badInput(r): return r
        }
    }
}

extension CLIPError: DomainError {
    public var kind: FailureKind {
        if case .missingFile = self { return .missingInput }
        return .badData
    }
}
