import Foundation

/// SIGINT and SIGTERM ask a long command to stop at its next safe point (a training run after its
/// current step, keeping its last checkpoint) instead of dying mid-write. A second signal ends
/// the process at once.
enum StopSignal {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static func install() {
        for s in [SIGINT, SIGTERM] {
            signal(s) { _ in
                if StopSignal.flag != 0 { _exit(130) }
                StopSignal.flag = 1
            }
        }
    }

    static var requested: Bool { flag != 0 }
}
