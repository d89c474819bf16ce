import Foundation
import Testing
import TestSupport
import TensorCore
@testable import Media

@Suite struct MediaWriterTests {
    static let media = GeneratedMedia()

    static func pattern(_ w: Int, _ h: Int, phase: Int = 0) -> RGBImage {
        var img = RGBImage(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                // Smooth, moving shapes: what lossy video keeps well (sharp chroma edges it does not).
                let blob = 120 * exp(-(pow(Double(x - 20 - phase), 2) + pow(Double(y - h / 2), 2)) / 120)
                img[x, y] = (UInt8((x * 255) / max(w - 1, 1)), UInt8((y * 255) / max(h - 1, 1)), UInt8(min(255, 60 + blob)))
            }
        }
        return img
    }

    @Test func pngRoundTripsExactlyAndFFmpegAgrees() throws {
        let image = Self.pattern(67, 41)
        let path = Self.media.path("out.png")
        try MediaWriter.writePNG(image, to: path)
        #expect(try VideoReader(path: path).frame(at: 0) == image)
        #expect([UInt8](try GeneratedMedia.referenceFrames(path)) == image.pixels)
    }

    @Test func jpegIsFullRangeAndCloseToTheInputAtHighQuality() throws {
        let image = Self.pattern(96, 64)
        let good = Self.media.path("q95.jpg"), poor = Self.media.path("q20.jpg")
        try MediaWriter.writeJPEG(image, quality: 95, to: good)
        try MediaWriter.writeJPEG(image, quality: 20, to: poor)
        func psnr(_ path: String) throws -> Double {
            let back = try VideoReader(path: path).frame(at: 0)
            #expect(back.width == 96 && back.height == 64)
            let mse = zip(back.pixels, image.pixels).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) } / Double(image.pixels.count)
            return 10 * log10(255 * 255 / max(mse, 1e-9))
        }
        let (high, low) = (try psnr(good), try psnr(poor))
        #expect(high > 33 && low < high, "PSNR q95 \(high) dB, q20 \(low) dB")
        // Full range: pure black and white survive (limited range would shift them by ~16 levels).
        let bw = RGBImage(width: 16, height: 16, pixels: (0..<(16 * 16)).flatMap { $0 % 16 < 8 ? [UInt8](repeating: 0, count: 3) : [255, 255, 255] })
        try MediaWriter.writeJPEG(bw, quality: 95, to: good)
        let back = try VideoReader(path: good).frame(at: 0)
        #expect(back[2, 8].0 < 6 && back[13, 8].0 > 249)
    }

    @Test func mp4HasEveryFrameAtTheRateAndLooksLikeTheInput() throws {
        let frames = (0..<30).map { Self.pattern(96, 64, phase: $0) }
        let path = Self.media.path("out.mp4")
        try MediaWriter.writeVideo(frames, frameRate: 30, to: path)
        let reader = try VideoReader(path: path)
        #expect(reader.frameCount == 30 && reader.width == 96 && reader.height == 64)
        #expect(abs(reader.frameRate - 30) < 1e-6)
        #expect(reader.codecName == "h264" || reader.codecName == "mpeg4")
        let back = try reader.frame(at: 17)
        func mad(_ a: RGBImage, _ b: RGBImage) -> Double {
            Double(zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.pixels.count)
        }
        #expect(mad(back, frames[17]) < 2, "mean |Δ| \(mad(back, frames[17])) after H.264 at crf 18")
        #expect(mad(back, frames[17]) < mad(back, frames[10]), "frames came back out of order")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: Self.media.dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func oddSizesAreCroppedToEvenAndBadInputIsRefused() throws {
        let path = Self.media.path("odd.mp4")
        try MediaWriter.writeVideo([Self.pattern(33, 21), Self.pattern(33, 21)], frameRate: 25, to: path)
        let r = try VideoReader(path: path)
        #expect(r.width == 32 && r.height == 20 && r.frameCount == 2)
        #expect(throws: MediaError.self) { try MediaWriter.writeVideo([], frameRate: 25, to: Self.media.path("none.mp4")) }
        #expect(throws: MediaError.self) {
            try MediaWriter.writeVideo([Self.pattern(8, 8), Self.pattern(16, 8)], frameRate: 25, to: Self.media.path("mixed.mp4"))
        }
        #expect(throws: MediaError.self) { try MediaWriter.writePNG(Self.pattern(4, 4), to: "/nonexistent/dir/x.png") }
        #expect(!FileManager.default.fileExists(atPath: Self.media.path("mixed.mp4")))
    }

    @Test func clipTensorLayoutAndNormalisation() {
        var a = RGBImage(width: 2, height: 1)
        a[1, 0] = (255, 0, 51)
        let t = ClipTensor.make([a, a])
        #expect(t.shape == [2, 3, 1, 2])
        #expect(t[0, 0, 0, 1] == 1 && abs(t[1, 2, 0, 1] - 0.2) < 1e-7 && t[0, 1, 0, 1] == 0)
        let n = ClipTensor.make([a], normalize: true)
        #expect(abs(n[0, 0, 0, 0] - (-0.48145466 / 0.26862954)) < 1e-6)
    }
}
