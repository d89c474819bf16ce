import Foundation

/// What the workbench's launch form asks for; the rest of `finecliper train`'s options keep
/// their defaults.
public struct TrainingRequest: Sendable, Equatable {
    public var data: String
    public var fold: Int?
    public var variant = "all"
    public var mode = "cached"
    public var model = "embedded"
    public var epochs = 10
    public var batch = 16
    /// What the landmark stream reads (mid and all): the embedded model's points (varied in
    /// training, as its recipe does), or the drawing.
    public var landmarkInput = "points"
    public var out: String

    public init(data: String, fold: Int? = nil, out: String) { self.data = data; self.fold = fold; self.out = out }

    /// The command line, after the executable.
    public var arguments: [String] {
        ["train", "--data", data] + (fold.map { ["--fold", String($0)] } ?? []) + [
            "--model", model, "--variant", variant, "--mode", mode, "--epochs", String(epochs), "--batch", String(batch),
            "--optimizer", "adamw", "--out", out] + landmarkArguments
    }

    var landmarkArguments: [String] {
        guard ["mid", "all"].contains(variant) else { return [] }
        return ["--landmark-input", landmarkInput] + (landmarkInput == "points" ? ["--point-augmentation"] : [])
    }
}

public enum LaunchError: Error, CustomStringConvertible {
    case folderInUse(String)
    case spawn(String, Int32)
    public var description: String {
        switch self {
        case let .folderInUse(f): return "\(f) already holds a run; choose another run folder"
        case let .spawn(what, code): return "cannot start \(what): \(String(cString: strerror(code)))"
        }
    }
}

/// Starts `finecliper train` as a process of its own session, so closing the workbench (or its
/// terminal) does not stop the run; its output goes to RUN/train.log.
public enum TrainingLauncher {
    /// glibc's POSIX_SPAWN_SETSID (not imported into Swift): the child leads a new session.
    static let spawnSetSID: Int16 = 0x80

    public static func launch(_ request: TrainingRequest, executable: String = selfExecutable) throws -> Int32 {
        let fm = FileManager.default
        if fm.fileExists(atPath: request.out + "/events.jsonl") { throw LaunchError.folderInUse(request.out) }
        try fm.createDirectory(atPath: request.out, withIntermediateDirectories: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, request.out + "/train.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, spawnSetSID)
        let argv = ([executable] + request.arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard code == 0 else { throw LaunchError.spawn(executable, code) }
        return pid
    }

    /// This program's own binary.
    public static var selfExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
