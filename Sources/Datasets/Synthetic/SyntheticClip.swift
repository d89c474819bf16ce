import Foundation
import Media
import TensorCore

/// One synthetic expression clip, fully determined by its seed and class: a person, the action
/// units the class calls for (scaled by a random intensity), when they start and how fast they
/// rise, blinks, a slow head movement and the lighting. Frames, ground-truth landmarks, parsing
/// maps and a movement description all come from this one value.
public struct SyntheticClip: Codable, Equatable, Sendable {
    public struct Activation: Codable, Equatable, Sendable {
        public var unit: ActionUnit
        public var intensity: Double
    }

    public var id: String
    public var label: String
    public var seed: UInt64
    public var frameCount: Int
    public var size: Int
    public var identity: SyntheticIdentity
    /// Action units at the apex of the expression.
    public var apex: [Activation]
    /// Where the movement starts and how long it takes to reach the apex (fractions of the clip);
    /// `release`, when set, is where it starts to fade again.
    public var onset: Double, rise: Double, release: Double?
    /// Frames at which a blink peaks.
    public var blinks: [Int]
    /// Head pose (yaw, pitch, roll in degrees) at the first and last frame.
    public var poseStart: SIMD3<Double>, poseEnd: SIMD3<Double>
    /// Face centre (fractions of the frame) at the start, its drift over the clip, and the face's
    /// half-width as a fraction of the frame.
    public var centre: SIMD2<Double>, drift: SIMD2<Double>, faceScale: Double
    /// Light direction (towards the light) and overall brightness.
    public var light: SIMD3<Double>, brightness: Double
    public var background: [[UInt8]]
    /// Talking-like mouth movement (lips parting and the jaw moving at a speaking rhythm): its
    /// depth and cycles per clip; nil for none. A distractor that names no class.
    public var talking: Talking?
    /// The real face photo this clip is rendered from (`FaceTexture.name`); nil for a drawn face.
    public var texture: String?
    /// That photo's own proportions (`wear(_:)`): its 68 landmarks in the identity's model frame,
    /// which take the place of the drawn identity's; nil keeps the drawn proportions.
    public var face: [SIMD2<Double>]?

    public struct Talking: Codable, Equatable, Sendable {
        public var depth: Double
        public var cycles: Double
        public var phase: Double
    }

    /// `hard` adds what makes real clips difficult, drawn after everything else so that the same
    /// seed keeps its face, timing and pose: intensities down to 0.3 of the prototype, a blend
    /// with the confusable class (fear/surprise, disgust/anger, sadness/fear), talking-like mouth
    /// movement, and stronger head motion.
    public init(id: String, label: String, seed: UInt64, frameCount: Int = 16, size: Int = 112, hard: Bool) {
        self.init(id: id, label: label, seed: seed, frameCount: frameCount, size: size)
        guard hard else { return }
        var g = SeededGenerator(seed: splitMix64(seed ^ 0x4841_5244))
        func u(_ a: Double, _ b: Double) -> Double { Double(g.uniform(Float(a), Float(b))) }
        let prototype = ActionUnit.prototype(for: label)
        if !prototype.isEmpty {
            let strength = u(0.3, 1.0)
            apex = prototype.map { Activation(unit: $0.0, intensity: min(1, $0.1 * strength * u(0.85, 1.15))) }
            if let partner = Self.confusable[label], u(0, 1) < 0.4 {
                let share = u(0.2, 0.5)
                for (unit, weight) in ActionUnit.prototype(for: partner) {
                    let added = weight * strength * share
                    if let i = apex.firstIndex(where: { $0.unit == unit }) { apex[i].intensity = min(1, apex[i].intensity + added) }
                    else { apex.append(Activation(unit: unit, intensity: added)) }
                }
            }
        }
        if u(0, 1) < 0.35 { talking = Talking(depth: u(0.25, 0.6), cycles: u(2, 5), phase: u(0, 2 * Double.pi)) }
        poseEnd = poseStart + SIMD3(u(-20, 20), u(-8, 8), u(-8, 8))
    }

    /// With probability `share`, a happy clip laughs: the jaw drops with the smile (FACS's laughter,
    /// 6+12+25 with 26), as much of real happiness does, where the plain prototype opens the lips
    /// only, so an open mouth is not surprise's or fear's alone. Drawn from a generator of its own,
    /// so every other draw of the seed stays as it was.
    public mutating func laugh(share: Double) {
        guard label == "Happy", share > 0 else { return }
        var g = SeededGenerator(seed: splitMix64(seed ^ 0x4C41_5547))
        guard Double(g.uniform(0, 1)) < share, let smile = apex.first(where: { $0.unit == .lipCornerPuller }) else { return }
        apex.removeAll { $0.unit == .jawDrop }
        apex.append(Activation(unit: .jawDrop, intensity: min(1, smile.intensity * Double(g.uniform(0.5, 1.0)))))
    }

    /// With probability `share`, a sad clip cries: the cry face of FACS research (the brows drawn
    /// together with their inner ends raised, the eyes squeezed by the cheeks and lids, the lips
    /// stretched and parted, the jaw dropped; 1+4+6+7+15+20+25+26), where the plain prototype keeps
    /// the mouth closed with the chin pushed up, which much of real sadness does not. Drawn from a
    /// generator of its own, so every other draw of the seed stays as it was.
    public mutating func cry(share: Double) {
        guard label == "Sad", share > 0 else { return }
        var g = SeededGenerator(seed: splitMix64(seed ^ 0x4352_5959))
        guard Double(g.uniform(0, 1)) < share, let brows = apex.first(where: { $0.unit == .innerBrowRaiser }) else { return }
        let strength = brows.intensity / 0.9
        apex.removeAll { $0.unit == .chinRaiser }
        for (unit, weight) in [(ActionUnit.browLowerer, 0.7), (.cheekRaiser, 0.6), (.lidTightener, 0.7), (.lipStretcher, 0.8),
                               (.lipsPart, 0.8), (.jawDrop, Double(g.uniform(0.3, 0.7)))] {
            let intensity = min(1, weight * strength)
            if let i = apex.firstIndex(where: { $0.unit == unit }) { apex[i].intensity = max(apex[i].intensity, intensity) }
            else { apex.append(Activation(unit: unit, intensity: intensity)) }
        }
    }

    /// With probability `share`, the expression is already under way at the first frame (at 0.5–1
    /// of its apex), as in clips cut from longer videos and in photos: the movement says little
    /// there, and the face's shape tells the class. Drawn from a generator of its own, so every
    /// other draw of the seed stays as it was.
    public mutating func hold(share: Double) {
        var g = SeededGenerator(seed: splitMix64(seed ^ 0x484F_4C44))
        guard share > 0, Double(g.uniform(0, 1)) < share else { return }
        onset = -rise * Double(g.uniform(0.5, 1))
    }

    /// Gives the clip the proportions of `texture`'s face: its landmarks, fitted by a similarity
    /// onto the drawn identity's, replace the identity's 68 points (their depths kept), so the
    /// clip's landmarks are a real person's, moved by the same action units. Without it the warp
    /// reshapes the photo to the drawn identity, whose brows sit higher and whose mouth is
    /// narrower than the photographed people's.
    public mutating func wear(_ texture: FaceTexture) {
        let drawn = identity.neutralShape()[0..<68].map { SIMD2($0.x, $0.y) }
        let fit = PointSimilarity(from: texture.landmarks, to: drawn)
        face = texture.landmarks.map(fit.apply)
    }

    /// The class a hard clip may be blended with.
    static let confusable = ["Fear": "Surprise", "Surprise": "Fear", "Disgust": "Angry", "Angry": "Disgust", "Sad": "Fear"]

    public init(id: String, label: String, seed: UInt64, frameCount: Int = 16, size: Int = 112) {
        var g = SeededGenerator(seed: seed)
        func u(_ a: Double, _ b: Double) -> Double { Double(g.uniform(Float(a), Float(b))) }
        self.id = id; self.label = label; self.seed = seed; self.frameCount = max(2, frameCount); self.size = max(16, size)
        identity = SyntheticIdentity(using: &g)
        let strength = u(0.55, 1.0)
        apex = ActionUnit.prototype(for: label).map { Activation(unit: $0.0, intensity: min(1, $0.1 * strength * u(0.85, 1.15))) }
        if apex.isEmpty {   // a still face still moves a little, below what any class calls for
            apex = [Activation(unit: ActionUnit.allCases[g.integer(below: ActionUnit.allCases.count - 1)], intensity: u(0.05, 0.18))]
        }
        onset = u(0, 0.35); rise = u(0.15, 0.35)
        release = u(0, 1) < 0.3 ? min(0.95, onset + rise + u(0.2, 0.4)) : nil
        var blinkFrames: [Int] = []
        for _ in 0..<g.integer(below: 3) { blinkFrames.append(g.integer(below: self.frameCount)) }
        blinks = blinkFrames.sorted()
        poseStart = SIMD3(u(-18, 18), u(-8, 8), u(-8, 8))
        poseEnd = poseStart + SIMD3(u(-10, 10), u(-5, 5), u(-5, 5))
        centre = SIMD2(u(0.45, 0.55), u(0.5, 0.56)); drift = SIMD2(u(-0.04, 0.04), u(-0.03, 0.03)); faceScale = u(0.24, 0.3)
        light = SIMD3(u(-0.8, 0.8), u(-0.7, 0.2), 1); brightness = u(0.8, 1.15)
        let base = [u(30, 220), u(30, 220), u(30, 220)]
        background = [base.map { UInt8($0) }, base.map { UInt8(max(0, $0 - u(10, 60))) }]
    }

    // MARK: Motion

    static func smoothstep(_ x: Double) -> Double { let t = max(0, min(1, x)); return t * t * (3 - 2 * t) }

    /// How far the expression is from neutral (0) to its apex (1) at a frame.
    public func envelope(at frame: Int) -> Double {
        let t = Double(frame) / Double(frameCount - 1)
        let up = Self.smoothstep((t - onset) / rise)
        guard let release else { return up }
        return up * (1 - Self.smoothstep((t - release) / rise))
    }

    /// Every action unit's intensity at a frame (blinks included).
    public func intensities(at frame: Int) -> [Activation] {
        let e = envelope(at: frame)
        var out = apex.map { Activation(unit: $0.unit, intensity: $0.intensity * e) }
        if let talking {
            let t = Double(frame) / Double(frameCount - 1)
            let open = talking.depth * max(0, sin(2 * Double.pi * talking.cycles * t + talking.phase))
            out.append(Activation(unit: .lipsPart, intensity: open))
            out.append(Activation(unit: .jawDrop, intensity: 0.35 * open))
        }
        let blink = blinks.map { max(0, 1 - Double(abs(frame - $0)) / 2) }.max() ?? 0
        if blink > 0 { out.append(Activation(unit: .eyesClosed, intensity: blink)) }
        return out
    }

    /// The head pose at a frame (degrees).
    public func pose(at frame: Int) -> SIMD3<Double> {
        poseStart + (poseEnd - poseStart) * Self.smoothstep(Double(frame) / Double(frameCount - 1))
    }

    /// The 95 shape points (68 landmarks, forehead, hair) projected into the frame, in pixels.
    /// With `expression` false the neutral face is projected under the same head pose.
    public func shape(at frame: Int, expression: Bool = true) -> [SIMD2<Double>] {
        var p = identity.neutralShape()
        if let face { for k in 0..<68 { p[k].x = face[k].x; p[k].y = face[k].y } }
        for a in expression ? intensities(at: frame) : [] {
            for m in a.unit.moves { p[m.index] += SIMD3(m.delta.x, m.delta.y, 0) * a.intensity }
            if a.unit == .eyesClosed {
                // Whatever the other units did, the upper lid comes down onto the lower one.
                for (upper, lower) in [(37, 41), (38, 40), (43, 47), (44, 46)] {
                    p[upper] += (p[lower] - SIMD3(0, 0.008, 0) - p[upper]) * a.intensity
                }
            }
        }
        let angles = pose(at: frame) * (Double.pi / 180)
        let (cy, sy) = (cos(angles.x), sin(angles.x)), (cp, sp) = (cos(angles.y), sin(angles.y)), (cr, sr) = (cos(angles.z), sin(angles.z))
        let t = Double(frame) / Double(frameCount - 1)
        let c = (centre + drift * t) * Double(size), r = faceScale * Double(size)
        return p.map { q in
            let v = SIMD3(q.x, q.y - 0.2, q.z)
            let yawed = SIMD3(v.x * cy + v.z * sy, v.y, -v.x * sy + v.z * cy)
            let pitched = SIMD2(yawed.x, yawed.y * cp - yawed.z * sp)
            let rolled = SIMD2(pitched.x * cr - pitched.y * sr, pitched.x * sr + pitched.y * cr)
            return c + rolled * r
        }
    }

    /// The 68 ground-truth landmarks at a frame, in pixels.
    public func landmarks(at frame: Int) -> [SIMD2<Double>] { Array(shape(at: frame).prefix(68)) }

    /// A DFER-style face crop of a frame, as a square in frame pixels: the box of the neutral
    /// face's 68 landmarks under the frame's head pose and position, enlarged by a quarter and
    /// kept inside the frame. Taken from the neutral face so that the crop follows the head but
    /// never the expression (a dropping jaw does not zoom out).
    public func faceBox(at frame: Int) -> (x: Int, y: Int, side: Int) {
        let points = shape(at: frame, expression: false).prefix(68)
        let xs = points.map(\.x), ys = points.map(\.y)
        let side = min(size, Int((max(xs.max()! - xs.min()!, ys.max()! - ys.min()!) * 1.25).rounded()))
        let cx = (xs.max()! + xs.min()!) / 2, cy = (ys.max()! + ys.min()!) / 2
        let x = max(0, min(size - side, Int((cx - Double(side) / 2).rounded())))
        let y = max(0, min(size - side, Int((cy - Double(side) / 2).rounded())))
        return (x, y, side)
    }
}
