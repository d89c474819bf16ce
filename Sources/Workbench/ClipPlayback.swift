import Face
import Foundation
import Media

/// A decoded frame for display, with the face landmarks once they are known.
public struct DisplayFrame: Sendable {
    public var index: Int
    public var width: Int, height: Int
    public var pixels: [UInt8]
    public var landmarks: [(Double, Double)]?
    /// The frame with the face-parsing colours blended in (0.5·frame + 0.5·colour inside the face),
    /// once landmarks are known.
    public var parsingPixels: [UInt8]?
    public var description: String?
}

/// Decodes a clip and finds its landmarks on a background queue, so a front end can show the
/// first frame at once and add landmarks as they arrive. Thread-safe reads through `frame(at:)`.
public final class ClipPlayback: @unchecked Sendable {
    public let entry: ClipEntry
    public let frameRate: Double
    public let frameCount: Int
    let lock = NSLock()
    var frames: [Int: DisplayFrame] = [:]
    var landmarksDone = false
    var failure: String?
    var undecodable: [Int] = []
    var cancelled = false
    public private(set) var motionDescription: String?

    /// Opens the clip (fast: a packet scan) and starts decoding and tracking in the background.
    /// `maxSide` bounds the decoded size (terminal panes need few pixels); frame folders, which
    /// carry no rate of their own, play at `folderFrameRate`.
    public init(entry: ClipEntry, faceModels: FaceModels?, maxSide: Int = 320, folderFrameRate: Double = 25) throws {
        self.entry = entry
        let source = try openFrameSource(entry.path, frameRate: folderFrameRate)
        frameRate = source.frameRate > 0 ? source.frameRate : 25
        frameCount = source.frameCount
        let path = entry.path
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            do {
                let src = try openFrameSource(path, frameRate: folderFrameRate)
                let tracker = faceModels.map { FaceTracker(detector: $0.detector, predictor: $0.predictor) }
                var track: [[SIMD2<Double>]] = []
                for i in 0..<src.frameCount {
                    if isCancelled { return }
                    guard let image = try src.frames(at: [i], size: nil).frames[i] else {
                        lock.lock(); undecodable.append(i); lock.unlock()
                        continue
                    }
                    let scale = min(1, Double(maxSide) / Double(max(image.width, image.height)))
                    let shown = scale < 1 ? image.resizedBilinear(width: max(1, Int(Double(image.width) * scale)),
                                                                  height: max(1, Int(Double(image.height) * scale))) : image
                    var frame = DisplayFrame(index: i, width: shown.width, height: shown.height, pixels: shown.pixels)
                    store(frame)
                    if let tracker {
                        let r = try tracker.process(image, frame: i, timestamp: Double(i) / frameRate)
                        track.append(r.points)
                        frame.landmarks = r.success ? r.points.map { ($0.x * scale, $0.y * scale) } : []
                        if r.success {
                            let map = ParsingMap(landmarks: r.points.map { $0 * scale }, width: shown.width, height: shown.height)
                            var blended = shown.pixels
                            for (k, c) in map.classes.enumerated() where c != 0 {
                                let color = ParsingMap.colors[Int(c)]
                                blended[3 * k] = UInt8((Int(blended[3 * k]) + Int(color.0)) / 2)
                                blended[3 * k + 1] = UInt8((Int(blended[3 * k + 1]) + Int(color.1)) / 2)
                                blended[3 * k + 2] = UInt8((Int(blended[3 * k + 2]) + Int(color.2)) / 2)
                            }
                            frame.parsingPixels = blended
                        }
                        store(frame)
                    }
                }
                let text = faceModels == nil ? nil : MotionDescriber.describe(track)
                lock.lock(); landmarksDone = true; motionDescription = text; lock.unlock()
            } catch {
                lock.lock(); failure = "\(error)"; lock.unlock()
            }
        }
    }

    var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }

    func store(_ f: DisplayFrame) { lock.lock(); frames[f.index] = f; lock.unlock() }

    /// The frame if decoded yet.
    public func frame(at i: Int) -> DisplayFrame? { lock.lock(); defer { lock.unlock() }; return frames[i] }

    /// Why decoding stopped, or which frames could not be decoded (the others still play).
    public var error: String? {
        lock.lock(); defer { lock.unlock() }
        if let failure { return failure }
        guard let first = undecodable.first else { return nil }
        let count = undecodable.count
        return count == 1 ? "frame \(first + 1) of \(frameCount) could not be decoded"
            : "\(count) of \(frameCount) frames could not be decoded (first: \(first + 1))"
    }

    public var description: String? { lock.lock(); defer { lock.unlock() }; return motionDescription }

    public func cancel() { lock.lock(); cancelled = true; lock.unlock() }
}

/// The face models a session uses, loaded once and shared by every playback.
public struct FaceModels: @unchecked Sendable {
    let detector: BlazeFace
    let predictor: ShapePredictor

    public static func load(blazeFace: String, dlibLandmarks: String) throws -> FaceModels {
        FaceModels(detector: try BlazeFace(modelPath: blazeFace), predictor: try ShapePredictor(path: dlibLandmarks))
    }
}
