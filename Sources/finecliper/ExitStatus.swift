import ArgumentParser
import Foundation
import TensorCore

/// The exit statuses of every command (BSD sysexits values, listed in the README): 0 success,
/// 64 bad usage (a wrong option or argument; argument-parser prints the usage line), 65 bad data
/// (a file is malformed or does not fit), 66 a missing input, 73 an output that cannot be created,
/// 74 an I/O error part-way, 130 interrupted.
enum ExitStatus: Int32 {
    case usage = 64, badData = 65, missingInput = 66, cannotCreate = 73, io = 74, interrupted = 130

    init(_ kind: FailureKind) {
        switch kind {
        case .badData: self = .badData
        case .missingInput: self = .missingInput
        case .cannotCreate: self = .cannotCreate
        case .io: self = .io
        case .interrupted: self = .interrupted
        }
    }
}

/// One error path for every command: domain errors are printed as themselves (no usage line) and
/// exit with their kind's status; argument errors are left to argument-parser (usage, 64).
enum ErrorReport {
    /// The message and status for an error thrown from a command's `run()`, or nil when
    /// argument-parser should report it (help, version, validation and parse errors).
    static func classify(_ error: Error) -> (message: String, status: ExitStatus)? {
        switch error {
        case let e as DomainError:
            return (e.description, ExitStatus(e.kind))
        case let e as CocoaError:
            let path = (e.userInfo[NSFilePathErrorKey] as? String).map { "\($0): " } ?? ""
            let missing = e.code == .fileNoSuchFile || e.code == .fileReadNoSuchFile
            return (path + e.localizedDescription, missing ? .missingInput : .io)
        default:
            return nil
        }
    }

    static func print(_ message: String) {
        FileHandle.standardError.write(Data("finecliper: \(TerminalText.escaped(message))\n".utf8))
    }
}

/// Text from files (tensor names, metadata, paths) made safe to print on a terminal: control
/// characters, including ESC, are shown as `\u{…}` instead of being interpreted.
enum TerminalText {
    static func escaped(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            let v = u.value
            let control = (v < 0x20 && u != "\n" && u != "\t") || (0x7F...0x9F).contains(v)
            if control { out += "\\u{\(String(v, radix: 16))}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }
}

/// A command's own failure (not a library's): its message and kind.
struct CommandError: DomainError {
    let description: String
    let kind: FailureKind

    init(_ description: String, kind: FailureKind = .badData) {
        self.description = description
        self.kind = kind
    }
}
