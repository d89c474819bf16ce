import Foundation
import Media
import TensorCore

/// A real face to animate: an image and its 68 landmarks (iBUG order, image pixels), found by
/// the face pipeline in a photo. The texture renderer moves these points with the action units
/// and warps the photo along.
public struct FaceTexture: Sendable, Equatable {
    public var name: String
    public var image: RGBImage
    public var landmarks: [SIMD2<Double>]
    /// The class the photo already shows (DFEW's names), nil for a resting face. The warp moves
    /// the landmarks but keeps the skin: a photo that smiles still smiles on a neutral shape
    /// (teeth, lifted cheeks), so such a face only animates clips of its own class.
    public var expression: String?

    public init(name: String, image: RGBImage, landmarks: [SIMD2<Double>], expression: String? = nil) {
        precondition(landmarks.count == 68, "a face texture needs 68 landmarks")
        self.name = name; self.image = image; self.landmarks = landmarks; self.expression = expression
    }

    /// Whether this face may animate a clip of class `label`.
    public func fits(_ label: String) -> Bool { expression == nil || expression == label }

    /// The mirror image, its landmarks renumbered by iBUG's left/right pairs (a second identity
    /// for the price of one photo, as faces are not symmetric).
    public func mirrored() -> FaceTexture {
        let w = Double(image.width)
        return FaceTexture(name: name + "~mirror", image: image.flippedHorizontally(),
                           landmarks: (0..<68).map { SIMD2(w - landmarks[IBUG68.mirror[$0]].x, landmarks[IBUG68.mirror[$0]].y) },
                           expression: expression)
    }

    /// Bilinear sample at a point in pixel-centre coordinates, clamped to the image.
    func sample(_ p: SIMD2<Double>) -> SIMD3<Double> {
        let (w, h) = (image.width, image.height)
        let x = min(max(p.x - 0.5, 0), Double(w - 1)), y = min(max(p.y - 0.5, 0), Double(h - 1))
        let x0 = Int(x), y0 = Int(y), x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
        let fx = x - Double(x0), fy = y - Double(y0)
        func at(_ xx: Int, _ yy: Int) -> SIMD3<Double> {
            let i = 3 * (yy * w + xx)
            return SIMD3(Double(image.pixels[i]), Double(image.pixels[i + 1]), Double(image.pixels[i + 2]))
        }
        return (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy
    }
}

extension SyntheticClip {
    /// A frame rendered from a real face: the photo is warped piecewise-affinely so that its 68
    /// landmarks land on this clip's (identity proportions, action units, pose), with the forehead
    /// arc carried along and a ring of points around the head that moves rigidly, so the warp is
    /// continuous into the background, which follows the head by a similarity. Inside the lips the
    /// mouth is drawn (dark, teeth at the top) where the action units open it; the clip's lighting,
    /// a skin tint and sensor grain vary the photo. The parsing map comes from the same polygons
    /// as the drawn faces' (no hair class: the photo's hair is not outlined).
    public func render(frame: Int, texture: FaceTexture) -> (image: RGBImage, parsing: [UInt8]) {
        let p = shape(at: frame), neutral = shape(at: frame, expression: false)
        let centre = neutral[0..<68].reduce(SIMD2<Double>(), +) / 68
        let reach = 1.1 * neutral.map { (($0 - centre) * ($0 - centre)).sum().squareRoot() }.max()!
        let ring = (0..<16).map { k in centre + SIMD2(cos(Double(k) * .pi / 8), sin(Double(k) * .pi / 8)) * reach }
        let target = Array(p[0..<77]) + ring
        let toTexture = PointSimilarity(from: Array(neutral[0..<68]), to: texture.landmarks)
        let source = texture.landmarks + neutral[68..<77].map(toTexture.apply) + ring.map(toTexture.apply)

        // Where each output pixel comes from in the photo.
        var origin = (0..<(size * size)).map { toTexture.apply(SIMD2(Double($0 % size) + 0.5, Double($0 / size) + 0.5)) }
        for (i, j, k) in Delaunay.triangulate(target) {
            let (a, b, c) = (target[i], target[j], target[k])
            let det = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)
            guard abs(det) > 1e-9 else { continue }
            let x0 = max(0, Int((min(a.x, b.x, c.x) - 0.5).rounded(.down))), x1 = min(size - 1, Int((max(a.x, b.x, c.x) - 0.5).rounded(.up)))
            let y0 = max(0, Int((min(a.y, b.y, c.y) - 0.5).rounded(.down))), y1 = min(size - 1, Int((max(a.y, b.y, c.y) - 0.5).rounded(.up)))
            guard x0 <= x1, y0 <= y1 else { continue }
            for y in y0...y1 {
                for x in x0...x1 {
                    let q = SIMD2(Double(x) + 0.5, Double(y) + 0.5)
                    let u = ((b.y - c.y) * (q.x - c.x) + (c.x - b.x) * (q.y - c.y)) / ((b.y - c.y) * (a.x - c.x) + (c.x - b.x) * (a.y - c.y))
                    let v = ((c.y - a.y) * (q.x - c.x) + (a.x - c.x) * (q.y - c.y)) / ((b.y - c.y) * (a.x - c.x) + (c.x - b.x) * (a.y - c.y))
                    let w = 1 - u - v
                    guard u >= -1e-9, v >= -1e-9, w >= -1e-9 else { continue }
                    origin[y * size + x] = source[i] * u + source[j] * v + source[k] * w
                }
            }
        }

        // Parts for the parsing map and the open mouth.
        let across = p[16] - p[0]
        let r = max(1e-6, (across * across).sum().squareRoot() / 2)
        let down = SIMD2(-across.y, across.x) / (2 * r), side = SIMD2(down.y, -down.x)
        var painter = FacePainter(width: size, height: size)
        painter.fill(Array(p[0...16]) + Array(p[SyntheticIdentity.forehead]), .skin, as: .skin)
        for (range, part) in [(17...21, FacePainter.Part.leftBrow), (22...26, .rightBrow)] {
            let line = range.map { p[$0] }, half = down * (0.5 * identity.browThickness * r)
            painter.fill(line.map { $0 - half } + line.reversed().map { $0 + half }, .skin, as: part)
        }
        painter.fill(Array(p[36...41]), .skin, as: .leftEye)
        painter.fill(Array(p[42...47]), .skin, as: .rightEye)
        painter.fill([p[27] - side * (0.05 * r), p[31] - side * (0.03 * r), p[32], p[33], p[34], p[35] + side * (0.03 * r), p[27] + side * (0.05 * r)], .skin, as: .nose)
        painter.fill(Array(p[48...54]) + [p[64], p[63], p[62], p[61], p[60]], .skin, as: .upperLip)
        painter.fill(Array(p[54...59]) + [p[48], p[60], p[67], p[66], p[65], p[64]], .skin, as: .lowerLip)
        painter.fill(Array(p[60...67]), .mouth, as: .innerMouth)
        let teeth = Array(p[60...64])
        painter.fill(teeth + teeth.reversed().map { $0 + down * (0.07 * r) }, .teeth, within: .innerMouth)

        // The clip's light on a sphere around the face, a tint from the identity's skin, grain.
        let l = light / (light * light).sum().squareRoot()
        let skin = SIMD3(Double(identity.skin[0]), Double(identity.skin[1]), Double(identity.skin[2]))
        let tint = SIMD3(pow(skin.x / skin.sum() * 3, 0.35), pow(skin.y / skin.sum() * 3, 0.35), pow(skin.z / skin.sum() * 3, 0.35))
        let faceCentre = (p[0] + p[16]) / 2 + down * (0.25 * r)
        var noise = SeededNoise(seed: seed &+ UInt64(frame) &* 0x9E37_79B9)
        let shade = (0..<(size * size)).map { i -> Double in
            let u = (SIMD2(Double(i % size) + 0.5, Double(i / size) + 0.5) - faceCentre) / (1.6 * r)
            let n = SIMD3(u.x, u.y, max(0, 1 - u.x * u.x - u.y * u.y).squareRoot())
            return brightness * (0.82 + 0.3 * max(0, (n * l).sum()))
        }
        return painter.finish { paint, x, y in
            let i = y * size + x
            let c: SIMD3<Double>
            switch paint {
            case .mouth: c = SIMD3(58, 22, 26) * shade[i]
            case .teeth: c = SIMD3(226, 220, 204) * min(1, shade[i])
            default: c = texture.sample(origin[i]) * tint * shade[i]
            }
            return c + SIMD3(repeating: noise.next() * 3)
        }
    }
}
