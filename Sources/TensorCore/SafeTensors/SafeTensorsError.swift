/// Everything that can be wrong with a safetensors file, each naming the file and the problem.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case truncated(path: String, size: Int)
    case headerPastEnd(path: String, headerLength: UInt64, fileSize: Int)
    case headerTooLarge(path: String, headerLength: UInt64, limit: Int)
    case headerNotUTF8(path: String)
    case headerNotJSON(path: String, detail: String)
    case malformedEntry(path: String, tensor: String, reason: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case sizeOverflow(path: String, tensor: String, shape: [Int])
    case byteCountMismatch(path: String, tensor: String, dtype: String, shape: [Int], expected: Int, actual: Int)
    case offsetsOutOfRange(path: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    case overlapping(path: String, first: String, second: String)
    case gap(path: String, tensor: String, begin: Int, expected: Int)
    case uncoveredData(path: String, covered: Int, dataSize: Int)
    case missingTensor(path: String, name: String)
    case wrongDType(path: String, tensor: String, dtype: String, wanted: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(p, r): return "\(p): cannot open: \(r)"
        case let .truncated(p, s): return "\(p): truncated: \(s) bytes, a safetensors file starts with an 8-byte header length"
        case let .headerPastEnd(p, n, s): return "\(p): header length \(n) runs past the end of the \(s)-byte file (truncated download?)"
        case let .headerTooLarge(p, n, l): return "\(p): header length \(n) exceeds the \(l)-byte limit (not a safetensors file?)"
        case let .headerNotUTF8(p): return "\(p): header is not valid UTF-8 (not a safetensors file?)"
        case let .headerNotJSON(p, d): return "\(p): header is not a JSON object: \(d)"
        case let .malformedEntry(p, t, r): return "\(p): tensor \"\(t)\": \(r)"
        case let .unsupportedDType(p, t, d): return "\(p): tensor \"\(t)\": unsupported dtype \(d) (supported: F32, F16, BF16, F64, I64, I32, U8)"
        case let .sizeOverflow(p, t, s): return "\(p): tensor \"\(t)\": shape \(s) is impossibly large"
        case let .byteCountMismatch(p, t, d, s, e, a):
            return "\(p): tensor \"\(t)\": \(d) \(s) needs \(e) bytes but its data_offsets span \(a)"
        case let .offsetsOutOfRange(p, t, b, e, n):
            return "\(p): tensor \"\(t)\": data_offsets [\(b), \(e)] fall outside the \(n)-byte data section"
        case let .overlapping(p, a, b): return "\(p): tensors \"\(a)\" and \"\(b)\" overlap in the data section"
        case let .gap(p, t, b, e): return "\(p): tensor \"\(t)\" starts at byte \(b) of the data section, the previous tensor ends at \(e) (the tensors must tile the data exactly)"
        case let .uncoveredData(p, c, n):
            return "\(p): the tensors cover \(c) of the \(n) data bytes (the header and data disagree: truncated or not a safetensors file)"
        case let .missingTensor(p, n): return "\(p): no tensor named \"\(n)\""
        case let .wrongDType(p, t, d, w): return "\(p): tensor \"\(t)\" is \(d), expected \(w)"
        case let .writeFailed(p, r): return "\(p): cannot write: \(r)"
        }
    }
}

extension SafeTensorsError: DomainError {
    public var kind: FailureKind {
        switch self {
        case let .cannotOpen(_, reason) where reason.contains("No such file"): return .missingInput
        case .missingTensor, .cannotOpen: return .badData
        case .writeFailed: return .cannotCreate
        default: return .badData
        }
    }
}
