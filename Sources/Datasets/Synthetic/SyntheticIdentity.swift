import Foundation
import TensorCore

/// One synthetic person: face proportions, colours and hair, drawn from a seeded generator so a
/// seed always gives the same person. `neutralShape` places the 68 iBUG landmarks plus the head
/// outline and hair in face units (jaw from x = −1 to 1, y down, z towards the camera).
public struct SyntheticIdentity: Codable, Equatable, Sendable {
    public var faceHeight: Double, jawRoundness: Double, foreheadHeight: Double
    public var eyeSpacing: Double, eyeWidth: Double, eyeHeight: Double
    public var browHeight: Double, browArch: Double, browThickness: Double
    public var noseLength: Double, noseWidth: Double
    public var mouthWidth: Double, mouthY: Double, lipFullness: Double
    public var hairline: Double, hairVolume: Double
    public var skin: [UInt8], hair: [UInt8], iris: [UInt8], lips: [UInt8], shirt: [UInt8]

    /// Skin tones from light to dark, and natural hair colours (sRGB).
    static let skinTones: [[UInt8]] = [[241, 206, 180], [224, 180, 150], [198, 150, 118], [170, 120, 88], [128, 86, 60], [92, 62, 44]]
    static let hairColours: [[UInt8]] = [[30, 24, 20], [70, 48, 32], [120, 86, 52], [180, 140, 90], [150, 150, 150], [110, 40, 20]]
    static let irisColours: [[UInt8]] = [[70, 45, 25], [40, 90, 140], [70, 110, 70], [110, 80, 40]]

    public init(using g: inout SeededGenerator) {
        func u(_ a: Double, _ b: Double) -> Double { Double(g.uniform(Float(a), Float(b))) }
        func pick(_ list: [[UInt8]]) -> [UInt8] {
            let base = list[g.integer(below: list.count)]
            return base.map { UInt8(max(0, min(255, Double($0) + u(-12, 12)))) }
        }
        faceHeight = u(1.1, 1.3); jawRoundness = u(0.7, 1.1); foreheadHeight = u(0.85, 1.05)
        eyeSpacing = u(0.38, 0.46); eyeWidth = u(0.15, 0.19); eyeHeight = u(0.055, 0.075)
        browHeight = u(0.24, 0.32); browArch = u(0.03, 0.08); browThickness = u(0.035, 0.06)
        noseLength = u(0.36, 0.46); noseWidth = u(0.14, 0.2)
        mouthWidth = u(0.28, 0.36); mouthY = u(0.58, 0.66); lipFullness = u(0.8, 1.25)
        hairline = u(0.45, 0.75); hairVolume = u(1.05, 1.2)
        skin = pick(Self.skinTones); hair = pick(Self.hairColours); iris = pick(Self.irisColours)
        lips = [UInt8(min(255, Double(skin[0]) * 0.85 + 30)), UInt8(Double(skin[1]) * 0.6), UInt8(Double(skin[2]) * 0.62)]
        shirt = [UInt8(u(20, 220)), UInt8(u(20, 220)), UInt8(u(20, 220))]
    }

    /// Ranges of `neutralShape`'s points beyond the 68 landmarks.
    public static let forehead = 68..<77, hairOuter = 77..<86, hairInner = 86..<95

    /// The neutral face: 68 landmarks, then the forehead arc (right to left), the hair's outer arc
    /// and the hairline (both left to right).
    public func neutralShape() -> [SIMD3<Double>] {
        var p = [SIMD3<Double>](repeating: .zero, count: 95)
        let ear = -0.1   // jaw ends at ear height
        func depth(_ x: Double) -> Double { 0.6 * (max(0, 1 - x * x)).squareRoot() }
        for k in 0...16 {
            let a = Double.pi * Double(k) / 16
            let x = -cos(a)
            let y = ear + (faceHeight - ear + 0.02) * pow(sin(a), jawRoundness)
            p[k] = SIMD3(x * (1 - 0.08 * sin(a)), y, depth(x) - 0.1)
        }
        let eyeY = ear - 0.05, browY = eyeY - browHeight
        for side in [-1.0, 1.0] {
            // Brows: 17–21 image-left (outer to inner), 22–26 image-right (inner to outer).
            for k in 0..<5 {
                let t = Double(k) / 4
                let x = side * (eyeSpacing + eyeWidth + 0.06 - t * (eyeWidth * 2 + 0.08))
                let y = browY - browArch * sin(Double.pi * (0.2 + 0.7 * t)) + 0.02 * t
                p[side < 0 ? 17 + k : 26 - k] = SIMD3(x, y, depth(x) + 0.05)
            }
        }
        // The image-left eye (36 outer corner, 37–38 upper lid, 39 inner corner, 40–41 lower lid);
        // the right eye (42–47) is its mirror image, which gives iBUG's order there too.
        let (cx, w, h) = (-eyeSpacing, eyeWidth, eyeHeight)
        let ring: [(Double, Double)] = [(-w, 0), (-w / 3, -h), (w / 3, -h * 0.95), (w, 0.01), (w / 3, h * 0.8), (-w / 3, h * 0.85)]
        for (k, (dx, dy)) in ring.enumerated() { p[36 + k] = SIMD3(cx + dx, eyeY + dy, depth(cx) - 0.05) }
        for i in 36...41 { p[IBUG68.mirror[i]] = SIMD3(-p[i].x, p[i].y, p[i].z) }
        for k in 0..<4 { p[27 + k] = SIMD3(0, eyeY + 0.04 + Double(k) * noseLength / 3.3, 0.62 + 0.1 * Double(k)) }
        let nostrilY = p[30].y + 0.07
        for k in 0..<5 {
            let t = Double(k - 2) / 2
            p[31 + k] = SIMD3(t * noseWidth, nostrilY + 0.035 * (1 - t * t), 0.7 - 0.12 * abs(t))
        }
        let my = mouthY + 0.05, mw = mouthWidth, f = lipFullness
        let outer: [(Double, Double)] = [(-1, 0), (-0.6, -0.085 * f), (-0.22, -0.11 * f), (0, -0.095 * f), (0.22, -0.11 * f), (0.6, -0.085 * f),
                                         (1, 0), (0.6, 0.1 * f), (0.25, 0.135 * f), (0, 0.14 * f), (-0.25, 0.135 * f), (-0.6, 0.1 * f)]
        for (k, (x, y)) in outer.enumerated() { p[48 + k] = SIMD3(x * mw, my + y, depth(x * mw) + 0.08) }
        let inner: [(Double, Double)] = [(-0.86, 0), (-0.3, -0.012), (0, -0.01), (0.3, -0.012), (0.86, 0), (0.3, 0.012), (0, 0.012), (-0.3, 0.012)]
        for (k, (x, y)) in inner.enumerated() { p[60 + k] = SIMD3(x * mw, my + y, depth(x * mw) + 0.08) }
        for k in 0..<9 {
            let a = Double.pi * Double(k + 1) / 10
            p[68 + k] = SIMD3(cos(a) * 0.98, ear - (foreheadHeight + 0.1) * sin(a), depth(cos(a)) * 0.9)
        }
        for k in 0..<9 {
            let a = Double.pi * Double(8 - k) / 8
            p[77 + k] = SIMD3(cos(a) * hairVolume, ear + 0.15 - (foreheadHeight + 0.25) * hairVolume * sin(a), depth(cos(a)) * 0.8)
            p[86 + k] = SIMD3(cos(a) * 1.0, ear + 0.05 - (foreheadHeight + 0.1) * hairline * sin(a) - 0.08 * (1 - sin(a)), depth(cos(a)) * 0.9)
        }
        return p
    }
}
