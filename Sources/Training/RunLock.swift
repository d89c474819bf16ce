import Foundation

/// `RUN/.lock` holds the pid of the process training into the folder. A second run is refused
/// while that process lives; a lock left by a dead process is taken over.
final class RunLock {
    let path: String

    init(folder: String) throws {
        path = folder + "/.lock"
        if let text = try? String(contentsOfFile: path, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
           pid != getpid(), kill(pid, 0) == 0 {
            throw TrainError.runInUse(path: folder, pid: pid)
        }
        guard FileManager.default.createFile(atPath: path, contents: Data("\(getpid())\n".utf8)) else {
            throw TrainError.io(path: path, reason: "cannot write the run lock")
        }
    }

    /// Prepares a run folder (with `checkpoints/`) and locks it. A folder that already holds a
    /// run is refused unless `resume`.
    static func claim(_ folder: String, resume: Bool) throws -> RunLock {
        let fm = FileManager.default
        if !resume, fm.fileExists(atPath: folder + "/events.jsonl") {
            throw TrainError.badConfig("\(folder) already holds a run; pass --resume to continue it or choose another --out")
        }
        do { try fm.createDirectory(atPath: folder + "/checkpoints", withIntermediateDirectories: true) } catch {
            throw TrainError.io(path: folder, reason: "cannot create the run folder: \(error.localizedDescription)")
        }
        return try RunLock(folder: folder)
    }

    func release() { try? FileManager.default.removeItem(atPath: path) }

    deinit { release() }
}
