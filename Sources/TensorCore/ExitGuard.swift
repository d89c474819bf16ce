#if os(Linux)
import Glibc

/// Ends the process without running library destructors. Debian 12's OpenBLAS (0.3.21) can hang
/// in its destructor: `blas_thread_shutdown_` joins a worker thread that went to sleep just as the
/// shutdown woke it, and the join never returns (seen as a test process stuck at exit after every
/// test had passed). An `on_exit` handler, which glibc runs before the destructors and hands the
/// exit status, flushes C stdio and leaves with that status through `_exit`. Installed with the
/// first matrix product and by the executable at start-up; later calls do nothing.
public enum ExitGuard {
    public static func install() { _ = installed }

    @usableFromInline static let installed: Void = {
        _ = glibcOnExit({ status, _ in
            fflush(nil)
            _exit(status)
        }, nil)
    }()
}

/// glibc's `on_exit` (stdlib.h with _DEFAULT_SOURCE), which the Glibc module does not export.
@_silgen_name("on_exit")
private func glibcOnExit(_ handler: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void, _ argument: UnsafeMutableRawPointer?) -> Int32
#else
public enum ExitGuard {
    public static func install() {}
}
#endif
