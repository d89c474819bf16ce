import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a path names, told apart without opening it (opening a FIFO blocks until a writer comes):
/// inputs must be regular files or folders, and a missing path is told apart from a symlink loop
/// or a permission problem.
public enum FileKind: Equatable, Sendable {
    case regular, directory, other(String), missing, unreachable(String)

    public init(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            self = e == ENOENT || e == ENOTDIR ? .missing : .unreachable(String(cString: strerror(e)))
            return
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .other("a FIFO")
        case S_IFCHR: self = .other("a character device")
        case S_IFBLK: self = .other("a block device")
        case S_IFSOCK: self = .other("a socket")
        default: self = .other("not a regular file")
        }
    }
}
