import Foundation
import Media

/// Rasterises a synthetic face from its projected points: painted layers (back to front) give the
/// picture, and the same polygons give the ground-truth parsing map in the 11 LaPa classes of
/// `Face.ParsingMap` (background, skin, left brow, right brow, left eye, right eye, nose, upper lip,
/// inner mouth, lower lip, hair; "left" is the image's left). Drawn at twice the size and averaged
/// down, so edges are smooth.
struct FacePainter {
    /// LaPa class indices (the order of `Face.ParsingMap.FaceClass`).
    enum Part: UInt8 { case background, skin, leftBrow, rightBrow, leftEye, rightEye, nose, upperLip, innerMouth, lowerLip, hair }

    /// What colours a sample; several paints share one parsing class.
    enum Paint: UInt8 { case background, shirt, neck, skin, crease, hair, brow, sclera, iris, pupil, lid, noseSide, nostril, lip, lowerLip, mouth, teeth }

    let width: Int, height: Int
    let scale = 2
    var paint: [Paint]
    var part: [Part]

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        paint = Array(repeating: .background, count: width * height * 4)
        part = Array(repeating: .background, count: width * height * 4)
    }

    /// Fills a polygon (output-pixel coordinates) by the even-odd rule at sample centres; `within`
    /// restricts it to samples already of that part (irises stay inside the eye).
    mutating func fill(_ polygon: [SIMD2<Double>], _ p: Paint, as q: Part? = nil, within: Part? = nil) {
        let w = width * scale
        ScanlineFill.spans(of: polygon.map { $0 * Double(scale) }, width: w, height: height * scale) { y, xs in
            for x in xs {
                let i = y * w + x
                if let within, part[i] != within { continue }
                paint[i] = p
                if let q { part[i] = q }
            }
        }
    }

    /// An ellipse as a polygon.
    static func ellipse(_ c: SIMD2<Double>, _ rx: Double, _ ry: Double, segments: Int = 20) -> [SIMD2<Double>] {
        (0..<segments).map { k in
            let a = 2 * Double.pi * Double(k) / Double(segments)
            return c + SIMD2(rx * cos(a), ry * sin(a))
        }
    }

    /// A polyline of the given width, as one quadrilateral per segment (parts unchanged).
    mutating func stroke(_ line: [SIMD2<Double>], width w: Double, _ p: Paint, within: Part? = nil) {
        for (a, b) in zip(line, line.dropFirst()) {
            let d = b - a, n = (d.x * d.x + d.y * d.y).squareRoot()
            guard n > 1e-9 else { continue }
            let o = SIMD2(-d.y, d.x) / n * (w / 2)
            fill([a + o, b + o, b - o, a - o], p, within: within)
        }
    }

    /// The picture (averaging each 2×2 block of samples) and the parsing map (one sample per pixel).
    func finish(colour: (Paint, Int, Int) -> SIMD3<Double>) -> (image: RGBImage, parsing: [UInt8]) {
        let w = width * scale
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var classes = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                var sum = SIMD3<Double>()
                for dy in 0..<scale { for dx in 0..<scale { sum += colour(paint[(y * scale + dy) * w + x * scale + dx], x, y) } }
                let c = sum / Double(scale * scale)
                for k in 0..<3 { pixels[3 * (y * width + x) + k] = UInt8(max(0, min(255, c[k].rounded()))) }
                classes[y * width + x] = part[(y * scale + 1) * w + x * scale + 1].rawValue
            }
        }
        return (RGBImage(width: width, height: height, pixels: pixels), classes)
    }
}
