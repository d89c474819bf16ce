import Foundation
import Testing
import TensorCore
import TestSupport
@testable import CLIP

/// `resizingPatches`: a CLIP for larger images sees them as the original sees them area-averaged
/// down to its size.
struct PatchResizeTests {
    /// Area-averages [B, 3, S, S] images down to `n` pixels a side (S a multiple of n here, so
    /// each output pixel is a plain block mean — the independent check of the filter algebra).
    static func blockMean(_ images: Tensor, to n: Int) -> Tensor {
        let (b, s) = (images.shape[0], images.shape[2])
        let k = s / n
        var out = [Float](repeating: 0, count: b * 3 * n * n)
        let x = images.scalars
        for plane in 0..<(b * 3) {
            for i in 0..<n {
                for j in 0..<n {
                    var sum: Float = 0
                    for a in 0..<k { for c in 0..<k { sum += x[(plane * s + i * k + a) * s + j * k + c] } }
                    out[(plane * n + i) * n + j] = sum / Float(k * k)
                }
            }
        }
        return Tensor(shape: [b, 3, n, n], values: out)
    }

    @Test func aResizedModelSeesLargerImagesAsTheOriginalSeesThemScaledDown() throws {
        let model = CLIPModel(config: .tiny)   // 32-px images in 8-px patches
        model.fillDeterministic(seed: 4)
        let big = try model.resizingPatches(to: 96)
        #expect(big.config.vision.patchSize == 24 && big.config.vision.imageSize == 96 && big.config.vision.tokens == model.config.vision.tokens)
        #expect(big.config.text == model.config.text && big.textProjection.value == model.textProjection.value)
        var g = SeededGenerator(seed: 9)
        let images = Tensor.normal([2, 3, 96, 96], std: 1, using: &g)
        let expected = model.encodeImages(Self.blockMean(images, to: 32)).value.scalars
        let got = big.encodeImages(images).value.scalars
        let scale = expected.map(abs).max()!
        #expect(zip(expected, got).map { abs($0 - $1) }.max()! <= 1e-5 * scale)
    }

    @Test func aFractionalPatchSizeIsRefused() {
        let model = CLIPModel(config: .tiny)
        #expect((try? model.resizingPatches(to: 36))?.config.vision.patchSize == 9)
        #expect(throws: CLIPError.self) { try model.resizingPatches(to: 50) }   // 12.5 px per patch
        #expect(throws: CLIPError.self) { try model.resizingPatches(to: 0) }
    }

    /// `finecliper model patches`: a folder that loads at the new size; a size off the grid is refused.
    @Test func theCommandWritesAFolderForTheNewSize() throws {
        let scratch = Scratch()
        let folder = CLIPFixtures.directory.appendingPathComponent("clip-tiny-hf").path
        let r = try FinecliperBinary.run(["model", "patches", folder, scratch.path("big"), "--image-size", "64"])
        #expect(r.status == 0 && r.output.contains("32-px images in 8-px patches → 64-px images in 16-px patches"), "\(r.output)")
        let big = try CLIPModel.load(huggingFaceFolder: scratch.path("big"))
        #expect(big.config.vision.imageSize == 64 && big.config.vision.patchSize == 16)
        let bad = try FinecliperBinary.run(["model", "patches", folder, scratch.path("odd"), "--image-size", "50"])
        #expect(bad.status != 0 && bad.output.contains("whole number of pixels per patch"), "\(bad.output)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("odd")))
    }

    /// Non-integer ratios (64 → 112 px: 8 → 14-px patches) keep the filters' response to a flat
    /// patch (each row of the averaging matrix sums to one).
    @Test func fractionalResamplingKeepsAFilterSum() {
        var g = SeededGenerator(seed: 2)
        let w = Tensor.normal([3, 3, 8, 8], std: 1, using: &g)
        let r = CLIPModel.resampledFilters(w, to: 14)
        for f in 0..<9 {
            let a = w.scalars[(f * 64)..<(f * 64 + 64)].reduce(0, +), b = r.scalars[(f * 196)..<(f * 196 + 196)].reduce(0, +)
            #expect(abs(a - b) < 1e-4 * max(1, abs(a)))
        }
    }
}
