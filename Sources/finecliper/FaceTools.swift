import ArgumentParser
import Face
import Foundation
import Media

/// What the face commands share: the tracker built from the installed models, the clip opened as
/// a frame source with a clear error, and each frame's time stamp.
enum FaceTools {
    static func tracker() throws -> FaceTracker {
        FaceTracker(detector: try BlazeFace(modelPath: try Assets.require(Assets.blazeFace, what: "the BlazeFace model")),
                    predictor: try ShapePredictor(path: try Assets.require(Assets.dlibLandmarks, what: "dlib's 68-point model (Debian libdlib-data)")))
    }

    static func open(_ clip: String) throws -> FrameSource {
        do { return try openFrameSource(clip) } catch let e as MediaError { throw ValidationError(e.description) }
    }

    /// Calls `body` with every decodable frame and its time stamp; returns the frames that failed.
    @discardableResult
    static func forEachFrame(_ source: FrameSource, _ body: (Int, Double, RGBImage) throws -> Void) throws -> [Int] {
        let timestamps = (source as? VideoReader)?.timestamps
        var failed: [Int] = []
        for i in 0..<source.frameCount {
            guard let image = try source.frames(at: [i], size: nil).frames[i] else { failed.append(i); continue }
            try body(i, timestamps?[i] ?? Double(i) / source.frameRate, image)
        }
        return failed
    }
}
