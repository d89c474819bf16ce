import TensorCore

/// What stops a run: each names the file or setting and what to do.
public enum TrainError: DomainError, Equatable {
    case badConfig(String)
    case missing(path: String, what: String)
    case io(path: String, reason: String)
    case runInUse(path: String, pid: Int32)
    case noClips(split: String)
    case checkpoint(path: String, reason: String)
    case nonFiniteLoss(step: Int, checkpoint: String?)
    /// MPI could not be loaded, or a collective operation failed.
    case distributed(String)

    public var description: String {
        switch self {
        case let .badConfig(r): return "training configuration: \(r)"
        case let .missing(p, w): return "\(p): not found (expected \(w))"
        case let .io(p, r): return "\(p): \(r)"
        case let .runInUse(p, pid): return "\(p): another training run (process \(pid)) is writing to this folder"
        case let .noClips(s): return "the \(s) split has no readable clips"
        case let .checkpoint(p, r): return "\(p): \(r)"
        case let .nonFiniteLoss(step, ckpt):
            return "the loss became NaN or infinite at step \(step); stopped" + (ckpt.map { ", the last good checkpoint is \($0)" } ?? "")
        case let .distributed(r): return "distributed run: \(r)"
        }
    }

    public var kind: FailureKind {
        switch self {
        case .missing: return .missingInput
        case .io: return .io
        case .runInUse: return .cannotCreate
        case .distributed: return .io
        default: return .badData
        }
    }
}
