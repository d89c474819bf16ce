/// The face models a session uses, loaded once and shared by every tracker (a tracker keeps
/// per-clip state; the models are only read).
public struct FaceModels: @unchecked Sendable {
    public let detector: BlazeFace
    public let predictor: ShapePredictor

    public init(detector: BlazeFace, predictor: ShapePredictor) {
        self.detector = detector
        self.predictor = predictor
    }

    public static func load(blazeFace: String, dlibLandmarks: String) throws -> FaceModels {
        FaceModels(detector: try BlazeFace(modelPath: blazeFace), predictor: try ShapePredictor(path: dlibLandmarks))
    }

    /// A fresh tracker for one clip.
    public func tracker() -> FaceTracker { FaceTracker(detector: detector, predictor: predictor) }
}
