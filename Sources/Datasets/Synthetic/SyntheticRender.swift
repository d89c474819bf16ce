import Foundation
import Media

extension SyntheticClip {
    /// A rendered frame and its parsing map (LaPa class per pixel, row-major).
    public func render(frame: Int) -> (image: RGBImage, parsing: [UInt8]) {
        let p = shape(at: frame)
        let act = Dictionary(intensities(at: frame).map { ($0.unit, $0.intensity) }, uniquingKeysWith: max)
        func level(_ u: ActionUnit) -> Double { act[u] ?? 0 }
        var painter = FacePainter(width: size, height: size)
        let across = p[16] - p[0]
        let r = max(1e-6, (across * across).sum().squareRoot() / 2)
        let unitDown = SIMD2(-across.y, across.x) / (2 * r)   // the face's "down" in the image, a unit vector

        // Shirt and neck, then the head, then hair over the forehead.
        let side = SIMD2(unitDown.y, -unitDown.x)
        let neckBase = p[8] + unitDown * (0.55 * r)
        painter.fill([neckBase - side * (0.75 * r), neckBase + side * (0.75 * r), neckBase + side * (2.6 * r) + unitDown * (0.5 * r),
                      neckBase + side * (2.6 * r) + unitDown * (3 * r), neckBase - side * (2.6 * r) + unitDown * (3 * r),
                      neckBase - side * (2.6 * r) + unitDown * (0.5 * r)], .shirt)
        let neckLeft = p[4] + (p[12] - p[4]) * 0.18, neckRight = p[4] + (p[12] - p[4]) * 0.82
        painter.fill([neckLeft, neckRight, neckRight + unitDown * (1.1 * r), neckLeft + unitDown * (1.1 * r)], .neck)
        painter.fill(Array(p[0...16]) + Array(p[SyntheticIdentity.forehead]), .skin, as: .skin)
        painter.fill(Array(p[SyntheticIdentity.hairOuter]) + Array(p[SyntheticIdentity.hairInner]).reversed(), .hair, as: .hair)

        // Creases that come with the action units (drawn in skin, so the parsing map keeps "skin").
        let crease = 0.035 * r
        if level(.innerBrowRaiser) + level(.outerBrowRaiser) > 0.4 {
            for k in 1...2 {
                let lift = unitDown * (-Double(k) * 0.12 * r)
                painter.stroke([p[18] + lift, p[21] + lift * 1.3, p[22] + lift * 1.3, p[25] + lift], width: crease, .crease, within: .skin)
            }
        }
        if level(.browLowerer) > 0.3 {
            let mid = (p[21] + p[22]) / 2
            painter.stroke([mid - side * (0.05 * r) + unitDown * (0.02 * r), mid - side * (0.07 * r) + unitDown * (0.16 * r)], width: crease, .crease, within: .skin)
            painter.stroke([mid + side * (0.05 * r) + unitDown * (0.02 * r), mid + side * (0.07 * r) + unitDown * (0.16 * r)], width: crease, .crease, within: .skin)
        }
        if level(.lipCornerPuller) + level(.noseWrinkler) + level(.upperLipRaiser) > 0.35 {
            painter.stroke([p[31] - side * (0.06 * r), p[48] - side * (0.1 * r) - unitDown * (0.02 * r), p[48] - side * (0.08 * r) + unitDown * (0.1 * r)],
                           width: crease, .crease, within: .skin)
            painter.stroke([p[35] + side * (0.06 * r), p[54] + side * (0.1 * r) - unitDown * (0.02 * r), p[54] + side * (0.08 * r) + unitDown * (0.1 * r)],
                           width: crease, .crease, within: .skin)
        }

        // Brows, eyes, nose, lips.
        let thick = identity.browThickness * r
        for (range, part) in [(17...21, FacePainter.Part.leftBrow), (22...26, .rightBrow)] {
            let line = range.map { p[$0] }
            let taper = range.map { i in (i == 17 || i == 26) ? 0.5 : 1.0 }
            let top = zip(line, taper).map { $0.0 - unitDown * (thick * $0.1 / 2) }
            let bottom = zip(line, taper).map { $0.0 + unitDown * (thick * $0.1 / 2) }
            painter.fill(top + bottom.reversed(), .brow, as: part)
        }
        for (range, part) in [(36...41, FacePainter.Part.leftEye), (42...47, .rightEye)] {
            let ring = range.map { p[$0] }
            painter.fill(ring, .sclera, as: part)
            let centre = ring.reduce(SIMD2<Double>(), +) / 6
            let eyeWidth = ((ring[3] - ring[0]).x * (ring[3] - ring[0]).x + (ring[3] - ring[0]).y * (ring[3] - ring[0]).y).squareRoot()
            let iris = 0.24 * eyeWidth
            painter.fill(FacePainter.ellipse(centre, iris, iris), .iris, within: part)
            painter.fill(FacePainter.ellipse(centre, iris * 0.45, iris * 0.45, segments: 12), .pupil, within: part)
            painter.stroke(Array(ring[0...3]), width: 0.035 * r, .lid)
        }
        let bridge = p[27]
        painter.fill([bridge - side * (0.05 * r), p[31] - side * (0.03 * r), p[32], p[33], p[34], p[35] + side * (0.03 * r), bridge + side * (0.05 * r)],
                     .skin, as: .nose)
        painter.stroke([p[28] - side * (0.05 * r), p[31] - side * (0.04 * r)], width: 0.03 * r, .noseSide, within: .nose)
        painter.stroke([p[28] + side * (0.05 * r), p[35] + side * (0.04 * r)], width: 0.03 * r, .noseSide, within: .nose)
        for (a, b) in [(31, 32), (34, 35)] {
            painter.fill(FacePainter.ellipse((p[a] + p[b]) / 2 - unitDown * (0.01 * r), 0.035 * r, 0.02 * r, segments: 10), .nostril)
        }
        painter.fill(Array(p[48...54]) + [p[64], p[63], p[62], p[61], p[60]], .lip, as: .upperLip)
        painter.fill(Array(p[54...59]) + [p[48], p[60], p[67], p[66], p[65], p[64]], .lowerLip, as: .lowerLip)
        painter.fill(Array(p[60...67]), .mouth, as: .innerMouth)
        let teeth = Array(p[60...64])
        painter.fill(teeth + teeth.reversed().map { $0 + unitDown * (0.07 * r) }, .teeth, within: .innerMouth)

        // Colours: the head is lit as a sphere from `light`; a little sensor noise on top.
        let faceCentre = (p[0] + p[16]) / 2 + unitDown * (0.25 * r)
        let l = light / (light * light).sum().squareRoot()
        let rgb = { (c: [UInt8]) in SIMD3(Double(c[0]), Double(c[1]), Double(c[2])) }
        let skin = rgb(identity.skin), hair = rgb(identity.hair), lips = rgb(identity.lips)
        let bg0 = rgb(background[0]), bg1 = rgb(background[1])
        var noise = SeededNoise(seed: seed &+ UInt64(frame) &* 0x9E37_79B9)
        return painter.finish { paint, x, y in
            let u = (SIMD2(Double(x), Double(y)) - faceCentre) / (1.3 * r)
            let n = SIMD3(u.x, u.y, max(0, 1 - u.x * u.x - u.y * u.y).squareRoot())
            let lit = brightness * (0.5 + 0.6 * max(0, (n * l).sum()))
            let c: SIMD3<Double>
            switch paint {
            case .background: c = bg0 + (bg1 - bg0) * (Double(y) / Double(size))
            case .shirt: c = rgb(identity.shirt) * (0.55 + 0.35 * lit)
            case .neck: c = skin * brightness * 0.72
            case .skin: c = skin * lit
            case .crease: c = skin * lit * 0.74
            case .hair: c = hair * (0.55 + 0.45 * lit)
            case .brow: c = hair * 0.55 + SIMD3(8, 6, 5)
            case .sclera: c = SIMD3(232, 228, 222) * min(1, lit + 0.15)
            case .iris: c = rgb(identity.iris)
            case .pupil: c = SIMD3(14, 12, 14)
            case .lid: c = SIMD3(52, 36, 34)
            case .noseSide: c = skin * lit * 0.86
            case .nostril: c = skin * 0.35
            case .lip: c = lips * lit * 0.92
            case .lowerLip: c = lips * lit
            case .mouth: c = SIMD3(64, 20, 24)
            case .teeth: c = SIMD3(236, 230, 214) * min(1, lit + 0.1)
            }
            return c + SIMD3(repeating: noise.next() * 3)
        }
    }
}

/// Cheap deterministic noise in −1…1 for sensor grain (one value per call).
struct SeededNoise {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> Double {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Double(state >> 11) / Double(1 << 52) - 1
    }
}
