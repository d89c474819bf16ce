import CBLAS
import CFFmpeg
import CNCurses
import Foundation
import Testing

/// The system libraries link and behave as the shims promise, and the binary starts.
@Suite struct PlatformTests {
    @Test func openBLASMultipliesAndReportsItsCore() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        #expect(c == [19, 22, 43, 50])
        #expect(!String(cString: openblas_get_corename()).isEmpty)
    }

    @Test func ffmpegLibrariesLoad() {
        #expect(avcodec_version() >> 16 == UInt32(LIBAVCODEC_VERSION_MAJOR))
        #expect(avformat_version() >> 16 == UInt32(LIBAVFORMAT_VERSION_MAJOR))
        #expect(swscale_version() >> 16 == UInt32(LIBSWSCALE_VERSION_MAJOR))
        #expect(shim_AVERROR_EOF() < 0)
        #expect(avcodec_find_decoder(AV_CODEC_ID_H264) != nil)
    }

    @Test func ncursesWideAPIIsDeclared() {
        var cc = cchar_t()
        let glyph: [wchar_t] = [0x2580, 0]
        #expect(setcchar(&cc, glyph, 0, 0, nil) == OK)
        #expect(shim_A_BOLD() != 0 && shim_A_REVERSE() != 0)
    }

    /// The built `finecliper` next to the test bundle.
    static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("finecliper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/release/finecliper").path
    }

    static func runBinary(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func helpListsSubcommandsAndVersion() throws {
        let help = try Self.runBinary(["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("bench") && help.output.contains("inspect"))
        let version = try Self.runBinary(["--version"])
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func inspectExplainsABrokenFile() throws {
        let path = NSTemporaryDirectory() + "finecliper-broken-\(getpid()).safetensors"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Self.runBinary(["inspect", path])
        #expect(r.status != 0)
        #expect(r.output.contains("truncated"))
    }
}
