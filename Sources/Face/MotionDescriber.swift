import TensorCore
import Foundation

/// Geometric measures of one face (68 iBUG points), in units of the inter-ocular distance (outer
/// eye corners 36–45) so that they do not depend on face size; angles in degrees.
public struct FaceMeasures: Codable, Equatable, Sendable {
    /// Mean height of the brows above the eye centres.
    public var browRaise: Double
    /// Gap between the inner brow ends (21–22).
    public var innerBrowGap: Double
    /// Mean eyelid opening.
    public var eyeOpening: Double
    /// Height of the lip corners above the mouth's vertical centre (positive = corners up).
    public var lipCornerLift: Double
    /// Mouth width (48–54).
    public var mouthWidth: Double
    /// Inner lip gap (62–66).
    public var mouthOpening: Double
    /// Outer lip height (51–57), which shrinks when the lips press.
    public var lipHeight: Double
    /// Nose bridge (27) to chin (8).
    public var jawDrop: Double
    /// Nose tip (33) to upper lip (51), which shrinks when the upper lip rises and the nose wrinkles.
    public var noseToLip: Double
    /// Head pose proxies: roll from the eye line, yaw from the nose tip's offset between the eyes,
    /// pitch from the nose tip's height below the eye line.
    public var roll: Double, yaw: Double, pitch: Double

    public init(_ p: [SIMD2<Double>]) {
        check(p.count == 68, "measures need the 68 iBUG points")
        func d(_ a: Int, _ b: Int) -> Double { hypot(p[a].x - p[b].x, p[a].y - p[b].y) }
        func mean(_ idx: ClosedRange<Int>) -> SIMD2<Double> { idx.map { p[$0] }.reduce(SIMD2(), +) / Double(idx.count) }
        let iod = max(d(36, 45), 1e-6)
        let rightEye = mean(36...41), leftEye = mean(42...47)
        browRaise = ((rightEye.y - mean(17...21).y) + (leftEye.y - mean(22...26).y)) / 2 / iod
        innerBrowGap = d(21, 22) / iod
        eyeOpening = (d(37, 41) + d(38, 40) + d(43, 47) + d(44, 46)) / 4 / iod
        let mouthMid = (p[51].y + p[57].y) / 2
        lipCornerLift = (mouthMid - (p[48].y + p[54].y) / 2) / iod
        mouthWidth = d(48, 54) / iod
        mouthOpening = d(62, 66) / iod
        lipHeight = d(51, 57) / iod
        jawDrop = d(27, 8) / iod
        noseToLip = d(33, 51) / iod
        let eyeLine = p[45] - p[36]
        roll = atan2(eyeLine.y, eyeLine.x) * 180 / .pi
        let eyeMid = (p[36] + p[45]) / 2
        yaw = (p[33].x - eyeMid.x) / iod
        pitch = (p[33].y - eyeMid.y) / iod
    }
}

/// Turns a landmark track into a short description of facial movements in the refined style of
/// FineCLIPER's descriptions (FINECLIPER.md §5.2): what moves, never which emotion. Each measure's
/// change from the clip's start (mean of its first three faces) to its apex (the face that differs
/// most from the start) is compared with a fixed threshold; the thresholds, in inter-ocular units
/// (degrees for roll), are listed in `thresholds`. They are set for the face pipeline's tracked
/// points, which is where every video's landmarks come from: dlib's regression trees report only
/// part of a movement (on the generator's animated real faces, tracked deltas are 0.21 (eyelids)
/// to 0.88 (jaw) of the exact ones), so thresholds made for exact geometry missed half the
/// movements. Each was scaled to best reproduce, from tracked points, the phrases exact landmarks
/// give at the geometric thresholds, on the training clips of `scripts/train-embedded` that
/// animate real faces (phrase F1 on the held-out people's clips 0.56 → 0.71;
/// `scripts/calibrate-describer`). Each remains more than three times the median frame-to-frame
/// change of its measure on a tracked real clip (tested), so jitter alone does not trigger one.
public enum MotionDescriber {
    public struct Change: Equatable, Sendable {
        public var measure: String
        public var delta: Double
        public var phrase: String
    }

    public static let thresholds: [String: Double] = [
        "browRaise": 0.024, "innerBrowGap": 0.024, "eyeOpening": 0.00625, "lipCornerLift": 0.018, "mouthWidth": 0.045,
        "mouthOpening": 0.064, "lipHeight": 0.048, "jawDrop": 0.054, "noseToLip": 0.036, "roll": 5.4, "yaw": 0.12, "pitch": 0.08,
    ]

    nonisolated(unsafe) static let keys: [(String, KeyPath<FaceMeasures, Double>)] = [
        ("browRaise", \.browRaise), ("innerBrowGap", \.innerBrowGap), ("eyeOpening", \.eyeOpening),
        ("lipCornerLift", \.lipCornerLift), ("mouthWidth", \.mouthWidth), ("mouthOpening", \.mouthOpening),
        ("lipHeight", \.lipHeight), ("jawDrop", \.jawDrop), ("noseToLip", \.noseToLip), ("roll", \.roll), ("yaw", \.yaw), ("pitch", \.pitch),
    ]

    /// The start (mean measures of the first three faces) and the apex: the index in `track` of
    /// the face whose measures differ most from the start, in threshold units. Nil with fewer than
    /// two faces.
    public static func apex(_ track: [[SIMD2<Double>]]) -> (index: Int, face: FaceMeasures, start: [Double])? {
        let faces = track.enumerated().filter { $0.element.count == 68 }.map { ($0.offset, FaceMeasures($0.element)) }
        guard faces.count >= 2 else { return nil }
        let startFaces = faces.prefix(3).map(\.1)
        let start = keys.map { k in startFaces.map { $0[keyPath: k.1] }.reduce(0, +) / Double(startFaces.count) }
        let best = faces.max { score($0.1, keys, start) < score($1.1, keys, start) }!
        return (best.0, best.1, start)
    }

    /// The measurable movements between the start and the apex, largest (relative to threshold) first.
    public static func changes(_ track: [[SIMD2<Double>]]) -> [Change] {
        guard let (_, apex, start) = apex(track) else { return [] }
        var out: [Change] = []
        for (i, (name, k)) in keys.enumerated() {
            let delta = apex[keyPath: k] - start[i]
            let t = thresholds[name]!
            guard abs(delta) >= t, let phrase = phrase(name, delta, start: start[i]) else { continue }
            out.append(Change(measure: name, delta: delta, phrase: phrase))
        }
        return out.sorted { abs($0.delta) / thresholds[$0.measure]! > abs($1.delta) / thresholds[$1.measure]! }
    }

    static func score(_ f: FaceMeasures, _ keys: [(String, KeyPath<FaceMeasures, Double>)], _ start: [Double]) -> Double {
        keys.enumerated().reduce(0) { $0 + abs(f[keyPath: $1.element.1] - start[$1.offset]) / thresholds[$1.element.0]! }
    }

    static func phrase(_ name: String, _ delta: Double, start: Double) -> String? {
        let up = delta > 0
        switch name {
        case "browRaise": return up ? "the eyebrows rise" : "the eyebrows lower"
        case "innerBrowGap": return up ? "the inner brows move apart" : "the brows draw together"
        case "eyeOpening": return up ? "the eyes widen" : "the eyes narrow"
        case "lipCornerLift": return up ? "the lip corners pull up" : "the lip corners turn down"
        case "mouthWidth": return up ? "the mouth stretches wider" : "the lips pull in and purse"
        case "mouthOpening": return up ? "the mouth opens" : (start > 0.1 ? "the mouth closes" : nil)
        case "lipHeight": return up ? nil : "the lips press together"
        case "jawDrop": return up ? "the jaw drops" : nil
        case "noseToLip": return up ? nil : "the upper lip rises and the nose wrinkles"
        case "roll": return up ? "the head tilts to the right" : "the head tilts to the left"
        case "yaw": return up ? "the head turns to the right" : "the head turns to the left"
        case "pitch": return up ? "the head tips down" : "the head tips up"
        default: return nil
        }
    }

    /// One or two sentences: "The face begins still. Then the eyebrows rise, the eyes widen and
    /// the mouth opens." Directions are as seen in the image.
    public static func describe(_ track: [[SIMD2<Double>]], subject: String = "the person") -> String {
        let faces = track.filter { $0.count == 68 }
        guard faces.count >= 2 else { return "No face is visible long enough to describe its movements." }
        let phrases = changes(track).map(\.phrase)
        // A jaw drop usually comes with the mouth opening; say it once.
        var kept = phrases
        if kept.contains("the jaw drops") && kept.contains("the mouth opens") { kept.removeAll { $0 == "the mouth opens" } }
        if kept.isEmpty { return "The face of \(subject) stays still: no clear movement of the brows, eyes, mouth or head." }
        let face = Array(kept.filter { !$0.hasPrefix("the head") }.prefix(5))
        let head = kept.filter { $0.hasPrefix("the head") }.map { String($0.dropFirst("the head ".count)) }
        var sentences: [String] = []
        if !face.isEmpty { sentences.append("Over the clip, " + list(face) + ".") }
        if !head.isEmpty { sentences.append("The head " + list(head) + ".") }
        return sentences.joined(separator: " ")
    }

    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + items.last!
    }

}
