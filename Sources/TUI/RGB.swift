/// A 24-bit colour and its reductions to the terminal's colour depth.
public struct RGB: Equatable, Hashable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }

    /// "#RRGGBB" (or "RRGGBB").
    public init?(hex: String) {
        let s = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard s.count == 6, let v = UInt32(s, radix: 16) else { return nil }
        self.init(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
    }

    public var hex: String { "#" + [r, g, b].map { String($0, radix: 16).leftPaddedZero }.joined() }

    /// Perceived brightness 0…1 (Rec. 601 weights), used by the ASCII ramp.
    public var luma: Double { (0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)) / 255 }

    /// The colour scaled up so its luminance is at least `floor` (hue kept): dots drawn in a dark
    /// colour on a dark terminal would vanish.
    public func brightened(to floor: Double) -> RGB {
        let l = luma
        guard l < floor else { return self }
        if l <= 0.001 { let v = UInt8(floor * 255); return RGB(v, v, v) }
        let k = floor / l
        return RGB(UInt8(min(255, Double(r) * k)), UInt8(min(255, Double(g) * k)), UInt8(min(255, Double(b) * k)))
    }

    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]
    /// The grey ramp 8, 18, …, 238, with black and white from the cube at the ends.
    static let greyLevels: [Int] = [0] + (0..<24).map { 8 + 10 * $0 } + [255]

    /// The nearest entry of xterm's 256-colour palette: the 6×6×6 cube (16–231) or the grey ramp (232–255).
    public var xterm256: Int {
        func level(_ v: UInt8) -> Int { Self.cubeLevels.indices.min { abs(Self.cubeLevels[$0] - Int(v)) < abs(Self.cubeLevels[$1] - Int(v)) }! }
        let (ri, gi, bi) = (level(r), level(g), level(b))
        let cube = RGB(UInt8(Self.cubeLevels[ri]), UInt8(Self.cubeLevels[gi]), UInt8(Self.cubeLevels[bi]))
        let grey = Int((Double(r) + Double(g) + Double(b)) / 3)
        let greyIndex = max(0, min(23, Int(((Double(grey) - 8) / 10).rounded())))
        let greyValue = UInt8(8 + 10 * greyIndex)
        let cubeCode = 16 + 36 * ri + 6 * gi + bi
        return distance(cube) <= distance(RGB(greyValue, greyValue, greyValue)) ? cubeCode : 232 + greyIndex
    }

    /// An entry of the 256-colour palette chosen by ordered dithering: each channel goes to the
    /// cube level above or below it as its position between them exceeds `threshold` (a Bayer
    /// value in (0, 1)), so neighbouring pixels mix two levels in the right proportion. Nearly
    /// grey pixels dither along the finer grey ramp instead. Nearest-colour quantisation breaks
    /// skin (cube steps of 40) into flat olive and pink patches; this keeps its average colour.
    public func ditheredXterm256(threshold t: Double) -> RGB {
        let (lo, hi) = (min(r, g, b), max(r, g, b))
        if Int(hi) - Int(lo) < 12 {
            let levels = Self.greyLevels
            let v = (Int(r) + Int(g) + Int(b)) / 3
            let k = max(0, (levels.lastIndex { $0 <= v } ?? 0))
            guard k + 1 < levels.count else { return RGB(255, 255, 255) }
            let frac = Double(v - levels[k]) / Double(levels[k + 1] - levels[k])
            let out = UInt8(frac > t ? levels[k + 1] : levels[k])
            return RGB(out, out, out)
        }
        func channel(_ v: UInt8) -> UInt8 {
            let levels = Self.cubeLevels
            let k = levels.lastIndex { $0 <= Int(v) } ?? 0
            guard k + 1 < levels.count else { return UInt8(levels[k]) }
            let frac = Double(Int(v) - levels[k]) / Double(levels[k + 1] - levels[k])
            return UInt8(frac > t ? levels[k + 1] : levels[k])
        }
        return RGB(channel(r), channel(g), channel(b))
    }

    /// The nearest of the 16 ANSI colours (xterm's default values).
    public var ansi16: Int {
        Self.ansiPalette.indices.min { distance(Self.ansiPalette[$0]) < distance(Self.ansiPalette[$1]) }!
    }

    static let ansiPalette: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
    ]

    func distance(_ o: RGB) -> Int {
        let (dr, dg, db) = (Int(r) - Int(o.r), Int(g) - Int(o.g), Int(b) - Int(o.b))
        return dr * dr + dg * dg + db * db
    }
}

/// How many colours the terminal shows.
public enum ColorDepth: String, CaseIterable, Sendable {
    case direct, palette256 = "256", ansi16 = "16"
}

extension String {
    var leftPaddedZero: String { count < 2 ? "0" + self : self }
}
