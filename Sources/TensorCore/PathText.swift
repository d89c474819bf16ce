/// Path names taken apart on plain strings. Foundation's `NSString.lastPathComponent` and
/// `deletingPathExtension` trap on Linux when a doubled slash comes before a non-ASCII character
/// (`"a//é"`, found by the annotations fuzz target in an annotation list), and paths come from
/// user files and arguments.
public enum PathText {
    /// The last component, trailing slashes ignored ("/" for the root, "" for "").
    public static func lastComponent(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if let last = parts.last { return String(last) }
        return path.hasPrefix("/") ? "/" : ""
    }

    /// `path` without the extension of its last component (from that component's last dot, unless
    /// the dot starts the name), trailing slashes dropped as Foundation does.
    public static func deletingExtension(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        let nameStart = p.lastIndex(of: "/").map { p.index(after: $0) } ?? p.startIndex
        guard let dot = p[nameStart...].lastIndex(of: "."), dot > nameStart else { return String(p) }
        return String(p[..<dot])
    }

    /// The last component without its extension: a clip's id from its file or folder name.
    public static func stem(_ path: String) -> String { deletingExtension(lastComponent(path)) }
}
