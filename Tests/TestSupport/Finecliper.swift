import Foundation

/// Runs the built `finecliper` binary, as a user would from a shell.
public enum FinecliperBinary {
    /// The binary beside the test bundle (both live in the build folder).
    public static var path: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("finecliper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/release/finecliper").path
    }

    /// Exit status and combined stdout + stderr; `environment` is added to the test's own.
    public static func run(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        GeneratedMedia.launchLock.lock()
        defer { GeneratedMedia.launchLock.unlock() }
        let out = NSTemporaryDirectory() + "finecliper-run-" + UUID().uuidString
        FileManager.default.createFile(atPath: out, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        try handle.close()
        return (p.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }
}
