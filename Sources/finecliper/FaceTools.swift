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
        return try openFrameSource(clip)
    }

    /// Calls `body` with every decodable frame and its time stamp; returns the frames that failed, and
    /// throws when none decodes.
    @discardableResult
    static func forEachFrame(_ source: FrameSource, _ body: (Int, Double, RGBImage) throws -> Void) throws -> [Int] {
        let timestamps = (source as? VideoReader)?.timestamps
        var failed: [Int] = []
        for i in 0..<source.frameCount {
            guard let image = try source.frames(at: [i], size: nil).frames[i] else { failed.append(i); continue }
            try body(i, timestamps?[i] ?? Double(i) / source.frameRate, image)
        }
        // A clip none of whose frames decode is an error, not an empty result.
        guard failed.count < source.frameCount else { throw MediaError.noFrames(path: source.path) }
        return failed
    }
}
