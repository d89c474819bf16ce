import Foundation
import Media
import TensorCore

/// A detected face in image pixels, with BlazeFace's six keypoints (right eye, left eye, nose tip,
/// mouth centre, right ear tragion, left ear tragion — "right" is the subject's right).
public struct FaceDetection: Codable, Equatable, Sendable {
    public var x: Double, y: Double, width: Double, height: Double
    public var score: Double
    public var keypoints: [SIMD2<Double>]

    /// The box as dlib's inclusive integer rectangle (what the landmark model expects).
    public var box: FaceBox {
        FaceBox(left: Int(x.rounded()), top: Int(y.rounded()), right: Int((x + width).rounded()) - 1, bottom: Int((y + height).rounded()) - 1)
    }
}

/// MediaPipe's BlazeFace short-range detector: the image is letterboxed to 128×128 with values in
/// [−1, 1], the network scores 896 SSD anchors (2 per cell on a 16×16 grid, 6 per cell on 8×8) and
/// regresses a box and six keypoints for each, and overlapping boxes are merged by score-weighted
/// non-maximum suppression (IoU > 0.3), as MediaPipe's face detection graph does.
public final class BlazeFace: @unchecked Sendable {
    public let model: TFLiteModel
    /// Faces scoring below this are dropped. MediaPipe uses 0.5; 0.6 keeps the false positive
    /// the model gives on the mountain test image (0.53) out while faces score above 0.8.
    public var minScore: Double = 0.6
    public var nmsThreshold: Double = 0.3
    let anchors: [SIMD2<Double>]
    static let inputSize = 128

    public init(modelPath: String) throws {
        model = try TFLiteModel(path: modelPath)
        guard model.inputShape == [1, Self.inputSize, Self.inputSize, 3] else {
            throw TFLiteModel.LoadError.unsupported(path: modelPath, reason: "input \(model.inputShape) is not BlazeFace's [1, 128, 128, 3]")
        }
        anchors = Self.makeAnchors()
    }

    /// SSD anchors of the short-range model: strides 8, 16, 16, 16 (layers of equal stride share a
    /// grid), two anchors per layer and cell, centres at cell centres, unit size.
    static func makeAnchors() -> [SIMD2<Double>] {
        var out: [SIMD2<Double>] = []
        for (stride, perCell) in [(8, 2), (16, 6)] {
            let cells = inputSize / stride
            for y in 0..<cells {
                for x in 0..<cells {
                    for _ in 0..<perCell { out.append(SIMD2((Double(x) + 0.5) / Double(cells), (Double(y) + 0.5) / Double(cells))) }
                }
            }
        }
        return out
    }

    /// Faces in `image`, highest score first.
    public func detect(_ image: RGBImage) throws -> [FaceDetection] {
        let size = Self.inputSize
        let scale = Double(size) / Double(max(image.width, image.height))
        let w = max(1, Int((Double(image.width) * scale).rounded())), h = max(1, Int((Double(image.height) * scale).rounded()))
        let ox = (size - w) / 2, oy = (size - h) / 2
        let small = image.resizedBilinear(width: w, height: h)
        var input = Tensor(repeating: -1, shape: [1, size, size, 3])
        input.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                for x in 0..<w {
                    let s = (y * w + x) * 3, d = ((y + oy) * size + x + ox) * 3
                    for c in 0..<3 { dst[d + c] = Float(small.pixels[s + c]) / 127.5 - 1 }
                }
            }
        }
        let outputs = try model.run(input)
        let regressors = outputs[0].scalars, logits = outputs[1].scalars
        var candidates: [FaceDetection] = []
        for (i, anchor) in anchors.enumerated() {
            let logit = Double(max(-100, min(100, logits[i])))
            let score = 1 / (1 + Foundation.exp(-logit))
            guard score >= minScore else { continue }
            let r = regressors[(i * 16)..<(i * 16 + 16)].map(Double.init)
            let s = Double(size)
            let cx = r[r.startIndex] / s + anchor.x, cy = r[r.startIndex + 1] / s + anchor.y
            let bw = r[r.startIndex + 2] / s, bh = r[r.startIndex + 3] / s
            // From letterboxed unit coordinates back to image pixels.
            func px(_ u: Double) -> Double { (u * s - Double(ox)) / scale }
            func py(_ v: Double) -> Double { (v * s - Double(oy)) / scale }
            let keypoints = (0..<6).map { k in
                SIMD2(px(r[r.startIndex + 4 + 2 * k] / s + anchor.x), py(r[r.startIndex + 5 + 2 * k] / s + anchor.y))
            }
            candidates.append(FaceDetection(x: px(cx - bw / 2), y: py(cy - bh / 2), width: bw * s / scale, height: bh * s / scale,
                                            score: score, keypoints: keypoints))
        }
        return Self.weightedNMS(candidates, threshold: nmsThreshold)
    }

    /// Also finds faces too small for one 128-pixel view (group photos): the whole image plus
    /// half-overlapping square tiles of half its shorter side, merged by the same weighted NMS.
    public func detectTiled(_ image: RGBImage) throws -> [FaceDetection] {
        var all = try detect(image)
        let side = min(image.width, image.height) / 2
        if side >= Self.inputSize {
            let step = side / 2
            for y in stride(from: 0, through: image.height - side, by: step) {
                for x in stride(from: 0, through: image.width - side, by: step) {
                    all += try detect(image.cropped(x: x, y: y, width: side, height: side)).map { d in
                        var moved = d
                        moved.x += Double(x); moved.y += Double(y)
                        moved.keypoints = d.keypoints.map { $0 + SIMD2(Double(x), Double(y)) }
                        return moved
                    }
                }
            }
        }
        return Self.weightedNMS(all, threshold: nmsThreshold)
    }

    /// MediaPipe's weighted NMS: the best remaining box absorbs every box overlapping it by more
    /// than `threshold` IoU; the merged box and keypoints are their score-weighted mean.
    static func weightedNMS(_ detections: [FaceDetection], threshold: Double) -> [FaceDetection] {
        var remaining = detections.sorted { $0.score > $1.score }
        var out: [FaceDetection] = []
        while let best = remaining.first {
            let group = remaining.filter { iou($0, best) > threshold }
            remaining.removeAll { iou($0, best) > threshold }
            if !group.contains(where: { $0 == best }) { remaining.removeFirst() }
            let total = group.reduce(0) { $0 + $1.score }
            var merged = best
            if total > 0 {
                merged.x = group.reduce(0) { $0 + $1.x * $1.score } / total
                merged.y = group.reduce(0) { $0 + $1.y * $1.score } / total
                merged.width = group.reduce(0) { $0 + $1.width * $1.score } / total
                merged.height = group.reduce(0) { $0 + $1.height * $1.score } / total
                merged.keypoints = (0..<best.keypoints.count).map { k in group.reduce(SIMD2<Double>()) { $0 + $1.keypoints[k] * $1.score } / total }
            }
            out.append(merged)
        }
        return out
    }

    static func iou(_ a: FaceDetection, _ b: FaceDetection) -> Double {
        let ix = max(0, min(a.x + a.width, b.x + b.width) - max(a.x, b.x))
        let iy = max(0, min(a.y + a.height, b.y + b.height) - max(a.y, b.y))
        let inter = ix * iy, union = a.width * a.height + b.width * b.height - inter
        return union > 0 ? inter / union : 0
    }
}
