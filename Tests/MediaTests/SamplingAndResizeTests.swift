import Foundation
import Testing
import TestSupport
import TensorCore
@testable import Media

/// Fixtures from Tests/Reference/media_reference.py.
enum MediaFixtures {
    static let file = try! SafeTensorsFile(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/media_reference.safetensors").path)
}

@Suite struct FrameSamplerTests {
    @Test func testSamplingMatchesDFERCLIPForEveryLengthUpTo300() throws {
        for n in 1...300 {
            let expected = try MediaFixtures.file.integers("test.\(n)").map { Int($0) }
            #expect(FrameSampler.test(frameCount: n) == expected, "N = \(n)")
        }
    }

    @Test func linspaceMatchesNumpy() throws {
        for n in 1...300 {
            let expected = try MediaFixtures.file.integers("linspace.\(n)").map { Int($0) }
            #expect(FrameSampler.linspace(frameCount: n) == expected, "N = \(n)")
        }
    }

    @Test(arguments: [1, 5, 15, 16, 17, 31, 32, 100, 472])
    func trainingSamplingStaysInsideEachSegmentAndRepeatsWithTheSeed(_ n: Int) {
        var g1 = SeededGenerator(seed: 7), g2 = SeededGenerator(seed: 7)
        let a = FrameSampler.training(frameCount: n, using: &g1)
        #expect(a == FrameSampler.training(frameCount: n, using: &g2))
        #expect(a.count == 16)
        if n >= 16 {
            let seg = n / 16
            for (i, idx) in a.enumerated() { #expect(idx >= i * seg && idx < (i + 1) * seg, "N \(n) segment \(i): \(idx)") }
        } else {
            #expect(a == (0..<16).map { min($0, n - 1) })
        }
        // Over many draws every offset inside a segment occurs.
        if n == 100 {
            var g = SeededGenerator(seed: 1)
            var seen = Set<Int>()
            for _ in 0..<400 { seen.insert(FrameSampler.training(frameCount: n, using: &g)[0]) }
            #expect(seen == Set(0..<6))
        }
    }
}

@Suite struct ResizeTests {
    @Test(arguments: ["resize.640x360.224x224", "resize.173x97.224x224", "resize.256x256.224x224",
                      "resize.224x224.112x56", "resize.31x17.5x40"])
    func bilinearResizeEqualsPillow(_ name: String) throws {
        let f = MediaFixtures.file
        let input = try f.entry(name + ".in"), output = try f.entry(name + ".out")
        let image = RGBImage(width: input.shape[1], height: input.shape[0], pixels: try f.bytes(name + ".in"))
        let resized = image.resizedBilinear(width: output.shape[1], height: output.shape[0])
        let expected = try f.bytes(name + ".out")
        let diffs = zip(resized.pixels, expected).map { abs(Int($0) - Int($1)) }
        #expect(diffs.max() == 0, "\(name): max |Δ| \(diffs.max()!), mean \(Double(diffs.reduce(0, +)) / Double(diffs.count))")
        let cubic = image.resized(width: output.shape[1], height: output.shape[0], filter: .bicubic)
        #expect(cubic.pixels == (try f.bytes(name + ".bicubic")), "\(name): bicubic differs from Pillow")
    }

    @Test func shorterSideResizeKeepsTheAspectRatio() {
        let image = RGBImage(width: 640, height: 360, fill: (10, 20, 30))
        let r = image.resizedShorterSide(to: 224)
        #expect(r.width == 398 && r.height == 224)
        #expect(r[0, 0] == (10, 20, 30) && r[397, 223] == (10, 20, 30))
    }

    @Test func rotationByQuarterTurns() {
        var image = RGBImage(width: 3, height: 2)
        image[0, 0] = (1, 1, 1); image[2, 1] = (9, 9, 9)
        let r = image.rotated(clockwiseQuarterTurns: 1)
        #expect(r.width == 2 && r.height == 3 && r[1, 0] == (1, 1, 1) && r[0, 2] == (9, 9, 9))
        #expect(image.rotated(clockwiseQuarterTurns: 4) == image)
        #expect(image.rotated(clockwiseQuarterTurns: 1).rotated(clockwiseQuarterTurns: 3) == image)
    }
}

@Suite struct FrameFolderTests {
    static let media = GeneratedMedia()

    /// A DFER-style folder of numbered JPEG frames written by ffmpeg, plus the frames as ffmpeg decodes them.
    func makeFolder(_ name: String, frames: Int = 20) throws -> String {
        let dir = Self.media.path(name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try GeneratedMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=96x80:rate=25:duration=\(Double(frames) / 25)",
                                   "-start_number", "1", dir + "/%05d.jpg"])
        return dir
    }

    @Test func readsFramesInNameOrder() throws {
        let dir = try makeFolder("clip_a")
        let folder = try FrameFolder(path: dir)
        #expect(folder.frameCount == 20 && folder.files.first == "00001.jpg" && folder.files.last == "00020.jpg")
        let ref = try GeneratedMedia.referenceFrames(dir + "/00007.jpg")
        let frame = try folder.clip([6])[0]
        #expect(frame.width == 96 && frame.height == 80 && frame.pixels == [UInt8](ref))
        let sampled = try folder.clip(FrameSampler.test(frameCount: 20))
        #expect(sampled.count == 16)
        #expect(try openFrameSource(dir) is FrameFolder)
    }

    @Test func gapsNonImagesAndEmptyFoldersAreErrors() throws {
        let gap = try makeFolder("gap")
        try FileManager.default.removeItem(atPath: gap + "/00005.jpg")
        try FileManager.default.removeItem(atPath: gap + "/00006.jpg")
        #expect(throws: MediaError.folderHasGaps(path: gap, missing: [5, 6])) { try FrameFolder(path: gap) }

        let junk = try makeFolder("junk")
        try "notes".write(toFile: junk + "/readme.txt", atomically: true, encoding: .utf8)
        try "x".write(toFile: junk + "/.DS_Store", atomically: true, encoding: .utf8)
        #expect(throws: MediaError.folderHasNonImages(path: junk, files: ["readme.txt"])) { try FrameFolder(path: junk) }

        let empty = Self.media.path("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: MediaError.folderEmpty(path: empty)) { try FrameFolder(path: empty) }
        #expect(throws: MediaError.fileNotFound(path: empty + "/x")) { try FrameFolder(path: empty + "/x") }
    }

    @Test func framesOfAnotherSizeAreAnError() throws {
        let dir = try makeFolder("mixed", frames: 5)
        try GeneratedMedia.ffmpeg(["-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25:duration=0.04", "-frames:v", "1", dir + "/00004.jpg"])
        let folder = try FrameFolder(path: dir)
        #expect(try folder.clip([0, 1, 2]).count == 3)
        #expect(throws: MediaError.sizeMismatch(path: dir + "/00004.jpg", expected: "96×80 like 00001.jpg", found: "64×48")) {
            try folder.clip([0, 3])
        }
    }

    @Test func aCorruptFrameIsReportedAndTheOthersStillLoad() throws {
        let dir = try makeFolder("broken", frames: 5)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir + "/00003.jpg"))
        let folder = try FrameFolder(path: dir)
        let r = try folder.frames(at: [0, 2, 4], size: nil)
        #expect(r.failed == [2] && r.frames.count == 2)
        #expect(throws: MediaError.self) { try folder.clip([2]) }
    }
}

@Suite struct AugmentationTests {
    static func source() throws -> RGBImage {
        RGBImage(width: 120, height: 90, pixels: try MediaFixtures.file.bytes("augment.in"))
    }

    static func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }

    @Test(arguments: [Float(0.63), 1.37])
    func brightnessMatchesPillow(_ factor: Float) throws {
        let out = try Self.source().brightnessAdjusted(factor)
        let ref = try MediaFixtures.file.bytes("brightness.\(factor)")
        let worst = zip(out.pixels, ref).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 1, "brightness \(factor): max |Δ| \(worst)")
    }

    @Test(arguments: [Float(3.3), -2.7, 4.0])
    func rotationMatchesPillowOnAverage(_ angle: Float) throws {
        let out = try Self.source().rotated(degrees: angle)
        let ref = try MediaFixtures.file.bytes("rotate.\(angle)")
        let mad = Self.meanAbsoluteDifference(out.pixels, ref)
        let exact = Double(zip(out.pixels, ref).filter { $0 == $1 }.count) / Double(ref.count)
        print("rotate \(angle): mean |Δ| \(mad), identical bytes \(exact)")
        #expect(mad < 1, "rotation \(angle): mean |Δ| \(mad)")
    }

    @Test func oneDrawForTheWholeClipAndSeededRepeats() throws {
        let base = try Self.source()
        let clip = [base, base.flippedHorizontally(), base]
        var g1 = SeededGenerator(seed: 3), g2 = SeededGenerator(seed: 3)
        for preset in [ClipAugmentation.dfew, .ferv39k, .mafw] {
            let a = preset.apply(clip, size: 64, using: &g1), b = preset.apply(clip, size: 64, using: &g2)
            #expect(a == b)
            #expect(a.allSatisfy { $0.width == 64 && $0.height == 64 })
            #expect(a[0] == a[2], "frames with equal input must get the same crop, flip and jitter")
        }
        #expect(ClipAugmentation.test(clip, size: 32).allSatisfy { $0.width == 32 && $0.height == 32 })
    }

    @Test func cropFlipAndTheFallbackForTinyImages() {
        var image = RGBImage(width: 4, height: 3)
        image[3, 2] = (7, 8, 9)
        #expect(image.cropped(x: 2, y: 1, width: 2, height: 2)[1, 1] == (7, 8, 9))
        #expect(image.flippedHorizontally()[0, 2] == (7, 8, 9))
        var g = SeededGenerator(seed: 1)
        // Crops always fit here, so boxes come from the Inception-style search.
        for _ in 0..<50 {
            let box = ClipAugmentation.randomSizedCropBox(width: 100, height: 100, using: &g)!
            #expect(box.w * box.h >= 700 && box.x + box.w <= 100 && box.y + box.h <= 100)
        }
        // A 1-pixel-high strip admits no crop with aspect ≥ 3/4: the fallback scales and crops.
        let strip = RGBImage(width: 300, height: 1, fill: (5, 5, 5))
        let out = ClipAugmentation(randomSizedCrop: true, horizontalFlip: false).apply([strip], size: 8, using: &g)
        #expect(out[0].width == 8 && out[0].height == 8)
    }
}

@Suite struct CenterCropRoundingTests {
    /// An image whose red channel is the column and green channel the row, so a crop's first pixel
    /// tells where it starts.
    static func ramp(_ w: Int, _ h: Int) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<h { for x in 0..<w { pixels += [UInt8(x), UInt8(y), 0] } }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    @Test func oddMarginsFollowTorchvisionOrTransformers() {
        // margins 7 and 3: torchvision round(3.5) = 4, round(1.5) = 2; transformers 7 // 2 = 3, 3 // 2 = 1.
        let image = Self.ramp(39, 35)
        let tv = image.centerCropped(32, rounding: .halfToEven), hf = image.centerCropped(32, rounding: .floor)
        #expect(tv.pixels[0] == 4 && tv.pixels[1] == 2)
        #expect(hf.pixels[0] == 3 && hf.pixels[1] == 1)
        // Even margins agree; margin 5 rounds to 2 both ways (2.5 → 2 half to even).
        let even = Self.ramp(36, 37)
        #expect(even.centerCropped(32, rounding: .halfToEven).pixels[0...1] == even.centerCropped(32, rounding: .floor).pixels[0...1])
    }
}
