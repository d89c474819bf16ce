import TensorCore

/// What the landmark stream reads: the paper's drawing of the 68 points through the frozen CLIP,
/// or the points themselves through a small trained encoder (`LandmarkPoints`).
public enum LandmarkInput: String, Codable, CaseIterable, Sendable {
    case image, points
}

/// The landmark stream read as coordinates. A small CLIP sees 64 pixels, where a faint action
/// unit moves the drawn dots by less than a pixel; the tracked points still carry that movement.
/// Each frame becomes one row: the 68 points in the clip's own face frame (each frame's rigid
/// points — face outline ends, nose, eye corners — aligned by a similarity onto the first frame's,
/// which is turned so the eyes lie level one unit apart, centred on those points), then their
/// movement since the clip's first frames, ×10 (a tenth of the eye distance is a strong
/// movement). Frames without a face take their nearest face's points; a clip without any, or
/// whose first face has no eye distance or a point that is not finite, is zeros.
public enum LandmarkPoints {
    /// Values per frame: 68 (x, y) in the face frame, then 68 (x, y) of movement.
    public static let width = 272
    /// Bumped whenever the rows change, so that stored rows (the feature cache) are made again.
    public static let revision = "points-1"
    static let rigid = [0, 16, 27, 28, 29, 30, 31, 35, 36, 39, 42, 45]
    static let movementScale = 10.0
    /// The movement is measured from the mean of this many first frames.
    static let baseFrames = 3

    /// [T, 272] rows for T frames of points (each 68 points, or empty where no face was found).
    public static func features(_ frames: [[SIMD2<Double>]]) -> Tensor {
        var out = [Float](repeating: 0, count: frames.count * width)
        let found = frames.indices.filter { frames[$0].count == 68 }
        guard !found.isEmpty else { return Tensor(shape: [frames.count, width], values: out) }
        // Each frame's nearest frame with a face (the earlier one on a tie).
        let filled = frames.indices.map { i in frames[found.min { abs($0 - i) < abs($1 - i) }!] }
        let reference = filled[0]
        let eyes = mean(reference[42..<48]) - mean(reference[36..<42])
        guard (eyes * eyes).sum() > 1e-12, filled.allSatisfy({ $0.allSatisfy { $0.x.isFinite && $0.y.isFinite } }) else {
            return Tensor(shape: [frames.count, width], values: out)
        }
        let centre = mean(rigid.map { reference[$0] })
        // z ↦ (z − centre)·conj(e)/|e|²: level eyes one unit apart.
        let e2 = (eyes * eyes).sum()
        let toFace = PointSimilarity(a: eyes.x / e2, b: -eyes.y / e2, from: centre, to: .zero)
        let shapes = filled.map { points in
            let onto = PointSimilarity(from: rigid.map { points[$0] }, to: rigid.map { reference[$0] })
            return points.map { toFace.apply(onto.apply($0)) }
        }
        let n = min(baseFrames, shapes.count)
        let base = (0..<68).map { k in shapes.prefix(n).reduce(SIMD2<Double>.zero) { $0 + $1[k] } / Double(n) }
        for (t, shape) in shapes.enumerated() {
            for k in 0..<68 {
                let row = t * width, move = (shape[k] - base[k]) * movementScale
                out[row + 2 * k] = Float(shape[k].x); out[row + 2 * k + 1] = Float(shape[k].y)
                out[row + 136 + 2 * k] = Float(move.x); out[row + 136 + 2 * k + 1] = Float(move.y)
            }
        }
        return Tensor(shape: [frames.count, width], values: out)
    }

    static func mean<C: Collection>(_ points: C) -> SIMD2<Double> where C.Element == SIMD2<Double> {
        points.reduce(.zero, +) / Double(points.count)
    }
}

/// The landmark stream's encoder when it reads points: two linear layers with a GELU between,
/// from a frame's 272 values to the CLIP's embedding width, so the stream's temporal model and
/// the PN prompts meet it as they meet the frozen CLIP's frame embeddings. Keys
/// `landmark_points.fc1` and `.fc2`.
public struct PointEncoder: Module {
    public let fc1: Linear
    public let fc2: Linear

    public init(_ path: ParameterPath, hidden: Int, out: Int) {
        fc1 = Linear(path("fc1"), in: LandmarkPoints.width, out: hidden, trainable: true)
        fc2 = Linear(path("fc2"), in: hidden, out: out, trainable: true)
    }

    /// PyTorch's linear default: weights and biases U(±1/√fan_in).
    public func initialize(seed: UInt64) {
        for layer in [fc1, fc2] {
            let bound = 1 / Float(layer.inFeatures).squareRoot()
            for p in [layer.weight] + (layer.bias.map { [$0] } ?? []) {
                var g = SeededGenerator(seed: seed ^ DeterministicParameters.nameHash(p.name))
                p.value = Tensor.uniform(p.shape, low: -bound, high: bound, using: &g)
            }
        }
    }

    /// [B, T, 272] → [B, T, out].
    public func callAsFunction(_ x: Variable, tape t: Tape) -> Variable {
        fc2(t.activation(.gelu, fc1(x, tape: t)), tape: t)
    }
}
