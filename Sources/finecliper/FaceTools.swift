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

}
