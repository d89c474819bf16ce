import Foundation

/// SIGINT and SIGTERM ask a long command to stop at its next safe point (a training run after its
/// current step, keeping its last checkpoint) instead of dying mid-write. A second signal ends
/// the process at once.
enum StopSignal {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static func install() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for s in [SIGINT, SIGTERM] {
            signal(s) { _ in
                if StopSignal.flag != 0 { _exit(130) }
                StopSignal.flag = 1
            }
            sigaddset(&unblock, s)
        }
        // A parent may start us with these signals blocked (a thread pool's mask is inherited
        // through posix_spawn); then Ctrl-C or `kill` would wait until the work is done.
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    static var requested: Bool { flag != 0 }
}
