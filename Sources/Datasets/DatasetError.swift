import TensorCore

/// Problems with annotation files, dataset folders and description files; each names the file
/// (and line, where there is one) and says what was expected.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case missing(path: String, what: String)
    case badLine(file: String, line: Int, reason: String)
    case duplicateID(file: String, line: Int, id: String, firstLine: Int)
    case unknownIDs(file: String, ids: [String])
    case badFold(fold: Int, available: ClosedRange<Int>)
    case unknownFormat(path: String)
    case alreadyExists(path: String)
    case missingTexture(name: String)

    public var description: String {
        switch self {
        case let .missing(p, w): return "\(p): not found (expected \(w))"
        case let .badLine(f, l, r): return "\(f):\(l): \(r)"
        case let .duplicateID(f, l, id, first): return "\(f):\(l): clip \"\(id)\" was already described on line \(first)"
        case let .unknownIDs(f, ids):
            return "\(f): \(ids.count) clip id(s) are not in the dataset: \(ids.prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : "")"
        case let .badFold(f, r): return "fold \(f) does not exist; this dataset has folds \(r.lowerBound)–\(r.upperBound)"
        case let .unknownFormat(p): return "\(p): cannot tell which dataset layout this is; pass --format dfew|ferv39k|mafw|list"
        case let .alreadyExists(p): return "\(p): already exists; pass --replace to regenerate it"
        case let .missingTexture(n): return "the real face \"\(n)\" this set was made with is not among the installed textures (run scripts/setup)"
        }
    }
}

extension DatasetError: DomainError {
    public var kind: FailureKind {
        switch self {
        case .missing, .missingTexture: return .missingInput
        case .alreadyExists: return .cannotCreate
        default: return .badData
        }
    }
}
