import Foundation

/// Parsers that read from a path get the fuzzer's bytes through a file in memory-backed /dev/shm
/// (or the temporary folder), one per process, rewritten for every input.
enum FuzzFile {
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = base + "/finecliper-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// Writes `bytes` to `name` in the scratch folder and returns its path.
    static func write(_ bytes: UnsafeRawBufferPointer, name: String) -> String {
        let path = folder + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Splits the input at its first 0xFF byte (for formats made of two files).
    static func split(_ bytes: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer) {
        guard let i = bytes.firstIndex(of: 0xFF) else { return (bytes, UnsafeRawBufferPointer(rebasing: bytes[bytes.count...])) }
        return (UnsafeRawBufferPointer(rebasing: bytes[..<i]), UnsafeRawBufferPointer(rebasing: bytes[(i + 1)...]))
    }
}
