import Foundation
import Media
import TensorCore

/// A video as the model sees it: every frame's face crop, the 68 landmarks in crop pixels (empty
/// where no face was found), and the motion describer's account of the whole clip. Crops are the
/// landmarks' box made square and enlarged by a quarter (the geometry of `finecliper synth
/// --face-crops`, so a model trained on generated clips sees real faces framed alike); a frame
/// where the face is lost reuses the nearest box.
public struct FaceClip: Sendable {
    public var frames: [RGBImage]
    public var points: [[SIMD2<Double>]]
    public var description: String
    /// Frames where a face was found.
    public var facesFound: Int

    public init(frames: [RGBImage], points: [[SIMD2<Double>]], description: String, facesFound: Int) {
        self.frames = frames; self.points = points; self.description = description; self.facesFound = facesFound
    }

    /// The square crop box of 68 points: their bounding box's longer side enlarged by a quarter.
    public static func box(of points: [SIMD2<Double>]) -> FaceBox {
        let xs = points.map(\.x), ys = points.map(\.y)
        return FaceBox(left: Int(xs.min()!.rounded()), top: Int(ys.min()!.rounded()), right: Int(xs.max()!.rounded()), bottom: Int(ys.max()!.rounded()))
    }

    /// Tracks the face through `frames` (in order, with their time stamps) and crops it to
    /// size×size. Throws `FaceClipError.noFace` when no frame has a face.
    public static func track(_ frames: [(image: RGBImage, timestamp: Double)], tracker: FaceTracker, size: Int = 112) throws -> FaceClip {
        var found: [FrameLandmarks] = []
        for (i, f) in frames.enumerated() { found.append(try tracker.process(f.image, frame: i, timestamp: f.timestamp)) }
        guard let firstFace = found.firstIndex(where: { $0.success && $0.points.count == 68 }) else { throw FaceClipError.noFace }
        var crops: [RGBImage] = [], points: [[SIMD2<Double>]] = []
        var box = box(of: found[firstFace].points)
        for (i, r) in found.enumerated() {
            let face = r.success && r.points.count == 68
            if face { box = Self.box(of: r.points) }
            let crop = FaceCrop(box: box, enlarge: 1.25, size: size)
            crops.append(crop.apply(frames[i].image))
            points.append(face ? r.points.map(crop.transform) : [])
        }
        let description = MotionDescriber.describe(found.map { $0.success ? $0.points : [] })
        return FaceClip(frames: crops, points: points, description: description, facesFound: found.filter(\.success).count)
    }
}

public enum FaceClipError: DomainError, Sendable {
    case noFace
    public var description: String { "no face found in any frame" }
    public var kind: FailureKind { .badData }
}
