import CBLAS
import CFFmpeg
import CNCurses
import Foundation
import Testing
import TestSupport

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

    @Test func helpListsSubcommandsAndVersion() throws {
        let help = try FinecliperBinary.run(["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("bench") && help.output.contains("inspect") && help.output.contains("dataset"))
        let version = try FinecliperBinary.run(["--version"])
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func inspectExplainsABrokenFile() throws {
        let path = NSTemporaryDirectory() + "finecliper-broken-\(getpid()).safetensors"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try FinecliperBinary.run(["inspect", path])
        #expect(r.status != 0)
        #expect(r.output.contains("truncated"))
    }
}
