/// The face models a session uses, loaded once and shared by every tracker (a tracker keeps
/// per-clip state; the models are only read).
public struct FaceModels: @unchecked Sendable {
    public let detector: BlazeFace
    public let predictor: ShapePredictor
    /// fer's real-face expression classifier, when installed: a second opinion per frame.
    public let reference: ExpressionReference?

    public init(detector: BlazeFace, predictor: ShapePredictor, reference: ExpressionReference? = nil) {
        self.detector = detector
        self.predictor = predictor
        self.reference = reference
    }

    /// The detector and landmark model (both required) and the expression reference if
    /// `expressionReference` names a file that loads (it is optional: nothing depends on it).
    public static func load(blazeFace: String, dlibLandmarks: String, expressionReference: String? = nil) throws -> FaceModels {
        FaceModels(detector: try BlazeFace(modelPath: blazeFace), predictor: try ShapePredictor(path: dlibLandmarks),
                   reference: expressionReference.flatMap { try? ExpressionReference(modelPath: $0) })
    }

    /// A fresh tracker for one clip.
    public func tracker() -> FaceTracker { FaceTracker(detector: detector, predictor: predictor) }
}
