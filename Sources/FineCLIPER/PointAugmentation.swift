import TensorCore

/// Training-time variation of a clip's `LandmarkPoints` rows, so that the landmark stream meets
/// faces the training set never showed. One draw covers all the clip's frames:
/// - the mirror image: x negated and iBUG's left/right partners swapped, which is what the rows
///   of the mirrored video are (the face frame is centred on symmetric points, its eyes level);
/// - another person's build: each part of the face (jaw line, brows, nose, eyes, mouth) shifted
///   and scaled a little about where it rests in the first frame. The positions take the change
///   whole; the movement, which is what the expression does, only the scale (a larger mouth
///   moves further).
public struct PointAugmentation: Codable, Equatable, Sendable {
    /// Chance of the mirror image.
    public var flip = 0.5
    /// Standard deviation of each part's shift, in eye distances.
    public var shift = 0.03
    /// Standard deviation of each part's relative change of size.
    public var scale = 0.05

    public init(flip: Double = 0.5, shift: Double = 0.03, scale: Double = 0.05) {
        self.flip = flip; self.shift = shift; self.scale = scale
    }

    /// A settings file may give only some of the fields; the rest keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = PointAugmentation()
        flip = try c.decodeIfPresent(Double.self, forKey: .flip) ?? d.flip
        shift = try c.decodeIfPresent(Double.self, forKey: .shift) ?? d.shift
        scale = try c.decodeIfPresent(Double.self, forKey: .scale) ?? d.scale
    }

    /// A problem that makes the settings unusable, or nil.
    public func validate() -> String? {
        guard flip >= 0 && flip <= 1 else { return "the point flip chance must be in [0, 1]" }
        guard shift >= 0 && shift <= 0.5 && scale >= 0 && scale <= 0.5 else { return "the point shift and scale must be in [0, 0.5]" }
        return nil
    }

    /// `rows` [T, 272] varied by one draw from `g`; rows of a clip without a face stay zeros.
    public func apply(_ rows: Tensor, using g: inout SeededGenerator) -> Tensor {
        precondition(rows.shape.count == 2 && rows.shape[1] == LandmarkPoints.width, "point rows must be [T, \(LandmarkPoints.width)]")
        var v = rows.scalars
        guard v.contains(where: { $0 != 0 }) else { return rows }
        if Double(g.nextUnit()) < flip { v = Self.mirrored(v) }
        let half = LandmarkPoints.width / 2
        for part in IBUG68.parts {
            let d = SIMD2(g.normal(std: Float(shift)), g.normal(std: Float(shift)))
            let s = 1 + g.normal(std: Float(scale))
            var c = SIMD2<Float>.zero
            for k in part { c += SIMD2(v[2 * k], v[2 * k + 1]) }
            c /= Float(part.count)
            for t in 0..<rows.shape[0] {
                let row = t * LandmarkPoints.width
                for k in part {
                    let p = SIMD2(v[row + 2 * k], v[row + 2 * k + 1])
                    let moved = c + s * (p - c) + d
                    v[row + 2 * k] = moved.x; v[row + 2 * k + 1] = moved.y
                    v[row + half + 2 * k] *= s; v[row + half + 2 * k + 1] *= s
                }
            }
        }
        return Tensor(shape: rows.shape, values: v)
    }

    /// The rows of the mirror-image clip.
    public static func mirrored(_ rows: Tensor) -> Tensor { Tensor(shape: rows.shape, values: mirrored(rows.scalars)) }

    static func mirrored(_ v: [Float]) -> [Float] {
        var out = v
        for row in stride(from: 0, to: v.count, by: LandmarkPoints.width) {
            for half in [0, LandmarkPoints.width / 2] {
                for k in 0..<68 {
                    let m = row + half + 2 * IBUG68.mirror[k]
                    out[row + half + 2 * k] = -v[m]; out[row + half + 2 * k + 1] = v[m + 1]
                }
            }
        }
        return out
    }
}
