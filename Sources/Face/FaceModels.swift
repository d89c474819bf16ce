import Foundation
/// The face models a session uses, loaded once and shared by every tracker (a tracker keeps
/// per-clip state; the models are only read).
public struct FaceModels: @unchecked Sendable {
    public let detector: BlazeFace
    public let predictor: ShapePredictor
    /// fer's real-face expression classifier, when installed: a second opinion per frame.
    public let reference: ExpressionReference?
    /// Which model files these are (paths, sizes, modification times), for caches of their
    /// results; nil when the models were not loaded from files.
    public var fingerprint: String?

    public init(detector: BlazeFace, predictor: ShapePredictor, reference: ExpressionReference? = nil, fingerprint: String? = nil) {
        self.detector = detector
        self.predictor = predictor
        self.reference = reference
        self.fingerprint = fingerprint
    }

    /// The detector and landmark model (both required) and the expression reference if
    /// `expressionReference` names a file that loads (it is optional: nothing depends on it).
    public static func load(blazeFace: String, dlibLandmarks: String, expressionReference: String? = nil) throws -> FaceModels {
        let identity = [blazeFace, dlibLandmarks].map { path -> String in
            let a = try? FileManager.default.attributesOfItem(atPath: path)
            let size = (a?[.size] as? NSNumber)?.intValue ?? 0, modified = (a?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(path)|\(size)|\(modified)"
        }.joined(separator: "|")
        return FaceModels(detector: try BlazeFace(modelPath: blazeFace), predictor: try ShapePredictor(path: dlibLandmarks),
                          reference: expressionReference.flatMap { try? ExpressionReference(modelPath: $0) }, fingerprint: identity)
    }

    /// A fresh tracker for one clip.
    public func tracker() -> FaceTracker { FaceTracker(detector: detector, predictor: predictor) }
}
