import Foundation
import TensorCore

/// The committed fixtures in Tests/Fixtures, produced by Tests/Reference/*.py.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func open(_ name: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(path: directory.appendingPathComponent(name).path)
    }
}

/// A scratch directory removed when the value is dropped.
final class TemporaryDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "finecliper-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
