/// What kind of failure an error reports, so that every command maps it to one exit status
/// (the scheme is in the README): the input is malformed, an input is missing, an output cannot be
/// created, reading/writing failed part-way, or the user interrupted the work.
public enum FailureKind: Sendable, Equatable {
    case badData
    case missingInput
    case cannotCreate
    case io
    case interrupted
}

/// An error from the program's own domain: it says what was wrong and where in its
/// `description`, and which kind of failure it is.
public protocol DomainError: Error, CustomStringConvertible {
    var kind: FailureKind { get }
}
