import TensorCore

extension FileKind {
    /// The error for a path that should have been a media file or frame folder but is not.
    func mediaError(_ path: String) -> MediaError? {
        switch self {
        case .regular, .directory: return nil
        case .missing: return .fileNotFound(path: path)
        case let .other(what): return .notMedia(path: path, reason: "\(what), not a regular file")
        case let .unreachable(reason): return .notMedia(path: path, reason: reason)
        }
    }
}
