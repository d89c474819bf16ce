import TensorCore

/// What can go wrong when reading or writing media; each case names the file and the reason.
public enum MediaError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case notMedia(path: String, reason: String)
    case noVideoStream(path: String)
    case unsupportedCodec(path: String, codec: String)
    case noFrames(path: String)
    case frameOutOfRange(path: String, index: Int, count: Int)
    case decodeFailed(path: String, frames: [Int], reason: String)
    case folderEmpty(path: String)
    case folderHasNonImages(path: String, files: [String])
    case folderHasGaps(path: String, missing: [Int])
    case sizeMismatch(path: String, expected: String, found: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(p): return "\(p): no such file or directory"
        case let .notMedia(p, r): return "\(p): not a readable video or image (\(r))"
        case let .noVideoStream(p): return "\(p): has no video stream"
        case let .unsupportedCodec(p, c): return "\(p): codec \(c) cannot be decoded by the installed FFmpeg libraries"
        case let .noFrames(p): return "\(p): contains no decodable frames"
        case let .frameOutOfRange(p, i, n): return "\(p): frame \(i) requested, the clip has \(n) frames"
        case let .decodeFailed(p, f, r):
            let list = f.prefix(8).map(String.init).joined(separator: ", ") + (f.count > 8 ? ", …" : "")
            return "\(p): frames \(list) could not be decoded (\(r))"
        case let .folderEmpty(p): return "\(p): frame folder holds no images"
        case let .folderHasNonImages(p, f): return "\(p): frame folder holds files that are not images: \(f.prefix(5).joined(separator: ", "))"
        case let .folderHasGaps(p, m):
            return "\(p): frame numbering has gaps, missing \(m.prefix(8).map(String.init).joined(separator: ", "))\(m.count > 8 ? ", …" : "")"
        case let .sizeMismatch(p, e, f): return "\(p): expected \(e), found \(f)"
        case let .writeFailed(p, r): return "\(p): cannot write: \(r)"
        }
    }
}

extension MediaError: DomainError {
    public var kind: FailureKind {
        switch self {
        case .fileNotFound: return .missingInput
        case .writeFailed: return .cannotCreate
        default: return .badData
        }
    }
}
