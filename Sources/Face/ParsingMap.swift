import TensorCore
import Foundation
import Media

/// A face-parsing map in the 11 LaPa classes and FaceXFormer's colours (FINECLIPER.md §5.1),
/// rasterised from 68 landmarks when no parsing model is available. Skin is the jaw line closed
/// over a forehead raised above the brows; brows, eyes, nose, lips and inner mouth are polygons of
/// their landmarks. Approximated: the forehead top (0.25 face heights above the brows), the brow
/// thickness, the nose wings, and hair (a band above the forehead, narrower than the head; hair
/// below the ears and beside the face is not drawn). "Left" classes are the image's left.
public struct ParsingMap: Sendable {
    public enum FaceClass: Int, CaseIterable, Sendable {
        case background, skin, leftBrow, rightBrow, leftEye, rightEye, nose, upperLip, innerMouth, lowerLip, hair
    }

    public static let colors: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (0, 153, 255), (102, 255, 153), (0, 204, 153), (255, 255, 102), (255, 255, 204),
        (255, 153, 0), (255, 102, 255), (102, 0, 51), (255, 204, 255), (255, 0, 102),
    ]

    public let width: Int, height: Int
    public var classes: [UInt8]

    public init(width: Int, height: Int, classes: [UInt8]) {
        check(classes.count == width * height, "parsing map size")
        self.width = width; self.height = height; self.classes = classes
    }

    /// Reads an externally computed map: a PNG whose pixel values are class indices (grey or red
    /// channel 0–10) or FaceXFormer's colours (nearest palette entry).
    public init(png path: String) throws {
        let image = try VideoReader(path: path).frame(at: 0)
        width = image.width; height = image.height
        let indexed = stride(from: 0, to: image.pixels.count, by: 3).allSatisfy { image.pixels[$0] <= 10 }
        classes = stride(from: 0, to: image.pixels.count, by: 3).map { i in
            let p = (Int(image.pixels[i]), Int(image.pixels[i + 1]), Int(image.pixels[i + 2]))
            if indexed { return UInt8(p.0) }
            let best = Self.colors.indices.min { a, b in Self.distance(p, Self.colors[a]) < Self.distance(p, Self.colors[b]) }!
            return UInt8(best)
        }
    }

    static func distance(_ p: (Int, Int, Int), _ c: (UInt8, UInt8, UInt8)) -> Int {
        let d = (p.0 - Int(c.0), p.1 - Int(c.1), p.2 - Int(c.2))
        return d.0 * d.0 + d.1 * d.1 + d.2 * d.2
    }

    /// Rasterises the classes from 68 landmarks (in the map's pixel coordinates).
    public init(landmarks p: [SIMD2<Double>], width: Int, height: Int) {
        check(p.count == 68, "the parsing approximation needs the 68 iBUG points")
        self.width = width; self.height = height
        classes = [UInt8](repeating: 0, count: width * height)
        let browTop = (17...26).map { p[$0].y }.min()!, chin = p[8].y
        let faceHeight = chin - browTop
        let lift = 0.25 * faceHeight
        // Forehead: the brow points raised, widening toward the temples; skin closes the jaw line.
        let forehead = (17...26).reversed().map { i -> SIMD2<Double> in SIMD2(p[i].x, p[i].y - lift) }
        let skin = (0...16).map { p[$0] } + [SIMD2(p[16].x, p[26].y - lift * 0.6)] + forehead + [SIMD2(p[0].x, p[17].y - lift * 0.6)]
        let hairTop = forehead.map { SIMD2($0.x, $0.y - 0.3 * faceHeight) }
        let hair = forehead + hairTop.reversed()
        fill(hair, .hair)
        fill(skin, .skin)
        let thickness = 0.04 * faceHeight
        fill(Self.band((17...21).map { p[$0] }, thickness), .leftBrow)
        fill(Self.band((22...26).map { p[$0] }, thickness), .rightBrow)
        fill((36...41).map { p[$0] }, .leftEye)
        fill((42...47).map { p[$0] }, .rightEye)
        let bridge = 0.08 * (p[35].x - p[31].x)
        fill([SIMD2(p[27].x - bridge, p[27].y), SIMD2(p[27].x + bridge, p[27].y), p[35], p[34], p[33], p[32], p[31]], .nose)
        fill((48...54).map { p[$0] } + [p[64], p[63], p[62], p[61], p[60]], .upperLip)
        fill([p[54], p[55], p[56], p[57], p[58], p[59], p[48], p[60], p[67], p[66], p[65], p[64]], .lowerLip)
        fill((60...67).map { p[$0] }, .innerMouth)
    }

    /// A polyline thickened downward into a polygon (brows are drawn as their upper edge).
    static func band(_ line: [SIMD2<Double>], _ t: Double) -> [SIMD2<Double>] {
        line + line.reversed().map { SIMD2($0.x, $0.y + t) }
    }

    /// Scan-line fill (even-odd rule, pixel centres) of a polygon with `cls`.
    mutating func fill(_ polygon: [SIMD2<Double>], _ cls: FaceClass) {
        let value = UInt8(cls.rawValue)
        ScanlineFill.spans(of: polygon, width: width, height: height) { y, xs in
            for x in xs { classes[y * width + x] = value }
        }
    }

    /// The coloured class map.
    public func colorImage() -> RGBImage {
        var out = RGBImage(width: width, height: height)
        for i in 0..<classes.count {
            let c = Self.colors[Int(classes[i])]
            out.pixels[3 * i] = c.0; out.pixels[3 * i + 1] = c.1; out.pixels[3 * i + 2] = c.2
        }
        return out
    }

    /// FaceXFormer's visualisation: 0.5·face + 0.5·colour (so the black background halves the face).
    /// With `dimBackground: false` background pixels keep the face's colour (the player's overlay).
    public func overlay(on face: RGBImage, dimBackground: Bool = true) -> RGBImage {
        check(face.width == width && face.height == height, "overlay needs a face of the map's size")
        var out = face
        for (i, c) in classes.enumerated() where c != 0 || dimBackground {
            let color = Self.colors[Int(c)]
            out.pixels[3 * i] = UInt8((Int(face.pixels[3 * i]) + Int(color.0)) / 2)
            out.pixels[3 * i + 1] = UInt8((Int(face.pixels[3 * i + 1]) + Int(color.1)) / 2)
            out.pixels[3 * i + 2] = UInt8((Int(face.pixels[3 * i + 2]) + Int(color.2)) / 2)
        }
        return out
    }

    /// Pixel count per class.
    public var histogram: [Int] {
        var h = [Int](repeating: 0, count: FaceClass.allCases.count)
        for c in classes { h[Int(c)] += 1 }
        return h
    }
}
