import Foundation

/// Clips and images made for the tests by the `ffmpeg` program (installed by scripts/setup), which
/// is also the reference decoder: its rawvideo RGB24 output is what the Swift reader must equal.
public final class GeneratedMedia: @unchecked Sendable {
    let scratch = Scratch()
    public var dir: String { scratch.dir }

    public init() {}

    public func path(_ name: String) -> String { scratch.path(name) }

    /// Serialises launches: Foundation's Process on Linux is not safe to spawn from parallel tests.
    public static let launchLock = NSLock()

    /// Runs ffmpeg and returns what it wrote to stdout. Output goes through files, not pipes.
    @discardableResult
    public static func ffmpeg(_ args: [String]) throws -> Data {
        launchLock.lock()
        defer { launchLock.unlock() }
        let base = NSTemporaryDirectory() + "finecliper-ffmpeg-" + UUID().uuidString
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        // A test must never hang on the reference tool: stop it after a minute.
        p.arguments = ["60", "/usr/bin/ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + args
        p.standardOutput = out
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        guard p.terminationStatus == 0 else {
            let message = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            throw NSError(domain: "ffmpeg", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "ffmpeg \(args.joined(separator: " ")): \(message)"])
        }
        return try Data(contentsOf: URL(fileURLWithPath: base + ".out"))
    }

    /// A synthetic clip (moving test pattern) encoded with `codec` into `name`.
    public func clip(_ name: String, codec: [String], size: String = "320x240", rate: String = "25", seconds: String = "2",
              pattern: String = "testsrc2", extra: [String] = []) throws -> String {
        let out = path(name)
        try Self.ffmpeg(["-f", "lavfi", "-i", "\(pattern)=size=\(size):rate=\(rate):duration=\(seconds)"] + codec + extra + [out])
        return out
    }

    /// Every frame of `file` as RGB24 bytes, decoded by the ffmpeg program.
    public static func referenceFrames(_ file: String, extra: [String] = []) throws -> Data {
        try ffmpeg(["-i", file] + extra + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
    }
}
