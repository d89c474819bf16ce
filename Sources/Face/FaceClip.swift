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
    /// The video's frame number (from 0) of each crop: 0, 1, 2, … unless a long video was thinned.
    public var frameNumbers: [Int]

    public init(frames: [RGBImage], points: [[SIMD2<Double>]], description: String, facesFound: Int, frameNumbers: [Int]? = nil) {
        self.frames = frames; self.points = points; self.description = description; self.facesFound = facesFound
        self.frameNumbers = frameNumbers ?? Array(frames.indices)
    }

    /// The square crop box of 68 points: their bounding box's longer side enlarged by a quarter.
    public static func box(of points: [SIMD2<Double>]) -> FaceBox {
        let xs = points.map(\.x), ys = points.map(\.y)
        return FaceBox(left: Int(xs.min()!.rounded()), top: Int(ys.min()!.rounded()), right: Int(xs.max()!.rounded()), bottom: Int(ys.max()!.rounded()))
    }

    /// The crops a clip to be scored keeps at most (38 MB of 112-px crops): `predict`, the
    /// workbench's scoring and its live inference thin a longer video alike, so they agree on it.
    public static let scoredCropLimit = 1024

    /// Every decodable frame of `source` through `tracker` (reset first) into a clip; with a
    /// `limit`, a longer video keeps that many crops at most, evenly spread (see `Builder`).
    public static func track(_ source: FrameSource, tracker: FaceTracker, limit: Int? = nil) throws -> FaceClip {
        tracker.reset()
        var builder = Builder(tracker: tracker, limit: limit)
        try source.forEachFrame { _, t, image in try builder.add(image, timestamp: t) }
        return try builder.finish()
    }

    /// Tracks the face and builds a `FaceClip` one decoded frame at a time (size×size crops;
    /// `finish` throws `FaceClipError.noFace` when no frame has a face), keeping only crops (and the whole frames
    /// before the first face, which wait for its box), so a large video is never held in memory.
    /// The waiting frames stay under `waitingBudget` bytes: past it the oldest are kept at half
    /// size, then a quarter, … (their crops, at the first face's box, come out blurred; the
    /// tracker found no face in them), so a long stretch without a face costs bounded memory
    /// however large the frames.
    /// With a `limit`, a long one is not either: past that many crops every other one goes and
    /// only every `stride`-th frame is kept from then on, so the crops stay evenly spread over the
    /// whole video (a clip within the limit keeps every frame).
    public struct Builder {
        let tracker: FaceTracker?
        let size: Int
        let limit: Int?
        var box: FaceBox?
        /// Frames before the first face, each with how many times it was halved.
        var waiting: [(image: RGBImage, found: FrameLandmarks, frame: Int, halvings: Int)] = []
        var waitingBytes = 0
        let waitingBudget: Int
        var crops: [RGBImage] = [], points: [[SIMD2<Double>]] = [], track: [[SIMD2<Double>]] = []
        var faces = 0
        /// Frames kept: those whose number is a multiple of this.
        public private(set) var stride = 1
        /// The frame number (from 0, in the order added) of each crop.
        public private(set) var kept: [Int] = []

        /// Without a tracker, frames come with their landmarks already found (`add(_:found:)`).
        public init(tracker: FaceTracker? = nil, size: Int = 112, limit: Int? = nil, waitingBudget: Int = 128 << 20) {
            precondition(limit.map { $0 >= 2 } ?? true, "a builder's limit keeps at least two crops")
            self.tracker = tracker; self.size = size; self.limit = limit; self.waitingBudget = waitingBudget
        }

        /// Frames added so far.
        public var count: Int { track.count }

        public mutating func add(_ image: RGBImage, timestamp: Double) throws {
            guard let tracker else { preconditionFailure("a Builder without a tracker takes frames with their landmarks") }
            add(image, found: try tracker.process(image, frame: track.count, timestamp: timestamp))
        }

        /// Adds a frame whose landmarks another tracker found (the workbench tracks once for display and model).
        public mutating func add(_ image: RGBImage, found r: FrameLandmarks) {
            let frame = track.count
            track.append(r.success ? r.points : [])
            if r.success { faces += 1 }
            if r.success && r.points.count == 68 {
                box = FaceClip.box(of: r.points)
                for w in waiting { crop(w.image, w.found, frame: w.frame, halvings: w.halvings) }
                waiting.removeAll()
                waitingBytes = 0
            }
            guard frame % stride == 0 else { return }
            if box == nil {
                waiting.append((image, r, frame, 0))
                waitingBytes += image.pixels.count
            } else {
                crop(image, r, frame: frame)
            }
            if let limit, crops.count + waiting.count > limit { thin() }
            fitWaiting()
        }

        /// Halves the least-halved waiting frame (the oldest of them) until the frames fit the budget.
        mutating func fitWaiting() {
            while waitingBytes > waitingBudget,
                  let i = waiting.indices.min(by: { waiting[$0].halvings < waiting[$1].halvings }), waiting[i].image.width >= 16 {
                let old = waiting[i].image
                let half = old.resized(width: old.width / 2, height: max(old.height / 2, 1), filter: .bilinear)
                waiting[i].image = half; waiting[i].halvings += 1
                waitingBytes += half.pixels.count - old.pixels.count
            }
        }

        mutating func crop(_ image: RGBImage, _ r: FrameLandmarks, frame: Int, halvings: Int = 0) {
            let face = r.success && r.points.count == 68
            let crop = FaceCrop(box: box!, enlarge: 1.25, size: size)
            crops.append(halvings == 0 ? crop.apply(image) : crop.scaled(by: 1 / Double(1 << halvings)).apply(image))
            points.append(face ? r.points.map(crop.transform) : [])
            kept.append(frame)
        }

        /// Doubles the stride and drops what it no longer keeps.
        mutating func thin() {
            stride *= 2
            let keep = kept.indices.filter { kept[$0] % stride == 0 }
            crops = keep.map { crops[$0] }; points = keep.map { points[$0] }; kept = keep.map { kept[$0] }
            waiting.removeAll { $0.frame % stride != 0 }
            waitingBytes = waiting.reduce(0) { $0 + $1.image.pixels.count }
        }

        /// Frames with a face so far.
        public var facesFound: Int { faces }

        /// Hands over the crops made so far, in frame order, and forgets them: a caller that scores
        /// a long video as it plays keeps only the crops it still needs (`finish` then holds only
        /// those made since). Only without a limit, whose thinning needs every crop it kept.
        public mutating func takeCrops() -> [(frame: Int, image: RGBImage, points: [SIMD2<Double>])] {
            precondition(limit == nil, "a builder with a limit keeps its crops until it finishes")
            let taken = kept.indices.map { (frame: kept[$0], image: crops[$0], points: points[$0]) }
            crops.removeAll(); points.removeAll(); kept.removeAll()
            return taken
        }

        public func finish() throws -> FaceClip {
            guard box != nil else { throw FaceClipError.noFace }
            return FaceClip(frames: crops, points: points, description: MotionDescriber.describe(track), facesFound: faces, frameNumbers: kept)
        }
    }
}

public enum FaceClipError: DomainError, Sendable {
    case noFace
    public var description: String { "no face found in any frame" }
    public var kind: FailureKind { .badData }
}
