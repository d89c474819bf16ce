import Foundation
import Media
import Testing
import TestSupport
@testable import Face

@Suite(.serialized) struct RenderTests {
    static let outputDir = ProcessInfo.processInfo.environment["FINECLIPER_RENDER_DIR"]

    @Test func middleLevelRendersOfARealFrame() throws {
        let reader = try VideoReader(path: TFLiteTests.root.appendingPathComponent("assets/media/WolfgangLanger_Pexels.mp4").path)
        let frame = try reader.frame(at: 300)
        let tracker = FaceTrackerTests.makeTracker()
        tracker.smoothing = false
        let r = try tracker.process(frame, frame: 300, timestamp: reader.timestamps[300])
        let box = try #require(r.box)
        let renders = FaceRenders(frame: frame, box: box, points: r.points)
        #expect(renders.face.width == 224 && renders.parsing.height == 224 && renders.landmarks.width == 224)
        let h = renders.map.histogram
        let share = h.map { Double($0) / Double(224 * 224) }
        // Skin covers a good part of a 1.5×-enlarged face crop, every face part is present, and
        // the parts sit in order from top to bottom.
        #expect(share[1] > 0.2 && share[1] < 0.6, "skin share \(share[1])")
        for c in ParsingMap.FaceClass.allCases where c != .innerMouth { #expect(h[c.rawValue] > 0, "no \(c) pixels") }
        func meanRow(_ c: ParsingMap.FaceClass) -> Double {
            let rows = renders.map.classes.indices.filter { renders.map.classes[$0] == UInt8(c.rawValue) }.map { $0 / 224 }
            return Double(rows.reduce(0, +)) / Double(max(rows.count, 1))
        }
        #expect(meanRow(.hair) < meanRow(.leftBrow) && meanRow(.leftBrow) < meanRow(.leftEye)
                && meanRow(.leftEye) < meanRow(.nose) && meanRow(.nose) < meanRow(.upperLip) && meanRow(.upperLip) < meanRow(.lowerLip))
        // 0.5·face + 0.5·colour: background pixels are the face halved.
        let bg = renders.map.classes.firstIndex(of: 0)!
        #expect(renders.parsing.pixels[3 * bg] == renders.face.pixels[3 * bg] / 2)
        // Yellow dots on the landmark render.
        #expect(stride(from: 0, to: renders.landmarks.pixels.count, by: 3).filter {
            renders.landmarks.pixels[$0] == 255 && renders.landmarks.pixels[$0 + 1] == 255 && renders.landmarks.pixels[$0 + 2] == 0
        }.count > 68 * 4)
        if let dir = Self.outputDir {
            try MediaWriter.writePNG(renders.face, to: dir + "/face.png")
            try MediaWriter.writePNG(renders.parsing, to: dir + "/parsing.png")
            try MediaWriter.writePNG(renders.landmarks, to: dir + "/landmarks.png")
        }
    }

    @Test func externalParsingMapsReadIndexedAndColouredPNGs() throws {
        let scratch = Scratch()
        var indexed = RGBImage(width: 4, height: 1)
        indexed[1, 0] = (1, 1, 1); indexed[2, 0] = (10, 10, 10)
        try MediaWriter.writePNG(indexed, to: scratch.path("indexed.png"))
        #expect(try ParsingMap(png: scratch.path("indexed.png")).classes == [0, 1, 10, 0])
        let coloured = ParsingMap(width: 3, height: 1, classes: [6, 7, 2]).colorImage()
        try MediaWriter.writePNG(coloured, to: scratch.path("coloured.png"))
        #expect(try ParsingMap(png: scratch.path("coloured.png")).classes == [6, 7, 2])
    }

    @Test func faceCropsAreSquareEnlargedAndPaddedWithBlack() {
        let image = RGBImage(width: 100, height: 80, fill: (200, 100, 50))
        let crop = FaceCrop(box: FaceBox(left: 60, top: 10, right: 99, bottom: 49), size: 60)
        #expect(crop.side == 60)
        let out = crop.apply(image)
        #expect(out.width == 60 && out.height == 60)
        #expect(out[59, 30] == (0, 0, 0) && out[10, 30] == (200, 100, 50))
        #expect(crop.transform(SIMD2(79.5, 29.5)) == SIMD2(30, 30))   // the box centre maps to the crop centre
    }
}
