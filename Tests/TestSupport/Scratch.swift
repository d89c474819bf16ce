import Foundation

/// A scratch folder for one test, removed when the value goes away, or when the test process
/// exits for one a suite keeps in a static (which is never released).
public final class Scratch: @unchecked Sendable {
    public let dir: String

    public init() {
        dir = NSTemporaryDirectory() + "finecliper-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        ScratchFolders.shared.add(dir)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: dir)
        ScratchFolders.shared.remove(dir)
    }

    public func path(_ name: String) -> String { dir + "/" + name }

    /// Writes `text` to `name` (creating folders) and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let p = path(name)
        try! FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}

/// The scratch folders that exist, removed at exit.
final class ScratchFolders: @unchecked Sendable {
    static let shared: ScratchFolders = {
        atexit { ScratchFolders.shared.removeAll() }
        return ScratchFolders()
    }()
    private let lock = NSLock()
    private var folders: Set<String> = []

    func add(_ dir: String) { lock.withLock { _ = folders.insert(dir) } }
    func remove(_ dir: String) { lock.withLock { _ = folders.remove(dir) } }
    func removeAll() {
        for dir in lock.withLock({ folders }) { try? FileManager.default.removeItem(atPath: dir) }
    }
}
