import Foundation
import Media
import TensorCore

/// An integer pixel rectangle with inclusive right and bottom edges, as dlib's `rectangle`.
public struct FaceBox: Codable, Equatable, Sendable {
    public var left: Int, top: Int, right: Int, bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }

    public var width: Int { right - left + 1 }
    public var height: Int { bottom - top + 1 }
}

/// A grey-level image as dlib sees an RGB one: (r + g + b) / 3, truncated.
public struct GrayImage: Sendable {
    public let width: Int, height: Int
    public let pixels: [UInt8]

    public init(_ image: RGBImage) {
        width = image.width
        height = image.height
        var out = [UInt8](repeating: 0, count: width * height)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<out.count { out[i] = UInt8((Int(p[3 * i]) + Int(p[3 * i + 1]) + Int(p[3 * i + 2])) / 3) }
        }
        pixels = out
    }
}

/// dlib's ensemble of regression trees (Kazemi & Sullivan) for 68 facial landmarks, read from
/// `shape_predictor_68_face_landmarks.dat` and evaluated as dlib does: per cascade level, a
/// similarity transform from the mean shape to the current shape places the pixel-difference
/// features, every tree walks its splits (left when I(a) − I(b) > threshold) and adds its leaf.
public struct ShapePredictor: Sendable {
    public let initialShape: [Float]
    /// Per cascade level and tree: split (anchor feature indices and threshold) and leaves.
    struct Tree: Sendable {
        var idx1: [Int32], idx2: [Int32], threshold: [Float]
        var leafOffset: Int   // into `leaves`, leaf k at leafOffset + k·shapeSize
    }

    let trees: [[Tree]]
    let leaves: [Float]
    let anchors: [[Int32]]
    let deltas: [[SIMD2<Float>]]

    public var landmarkCount: Int { initialShape.count / 2 }

    /// Reads and validates the whole file; it must be consumed exactly.
    public init(path: String) throws {
        let file = try MappedFile(path: path)
        var s = DlibStream(bytes: file.bytes, path: path)
        let version = try s.integer()
        guard version == 1 else { throw s.fail("unsupported shape_predictor version \(version)") }
        initialShape = try s.floatColumn(limit: 10_000)
        let shapeSize = initialShape.count
        guard shapeSize > 0, shapeSize % 2 == 0 else { throw s.fail("initial shape has \(shapeSize) values") }
        var trees: [[Tree]] = [], leaves: [Float] = []
        let levels = try s.count(limit: 1000)
        for _ in 0..<levels {
            var level: [Tree] = []
            let count = try s.count(limit: 100_000)
            level.reserveCapacity(count)
            for _ in 0..<count {
                let splits = try s.count(limit: 1 << 16)
                var t = Tree(idx1: [], idx2: [], threshold: [], leafOffset: leaves.count)
                for _ in 0..<splits {
                    t.idx1.append(Int32(try s.count(limit: 1 << 20)))
                    t.idx2.append(Int32(try s.count(limit: 1 << 20)))
                    t.threshold.append(try s.float())
                }
                let leafCount = try s.count(limit: 1 << 17)
                guard leafCount == splits + 1 else { throw s.fail("a tree with \(splits) splits has \(leafCount) leaves") }
                for _ in 0..<leafCount {
                    let leaf = try s.floatColumn(limit: shapeSize)
                    guard leaf.count == shapeSize else { throw s.fail("a leaf has \(leaf.count) values, the shape \(shapeSize)") }
                    leaves += leaf
                }
                level.append(t)
            }
            trees.append(level)
        }
        var anchors: [[Int32]] = []
        for _ in 0..<(try s.count(limit: 1000)) {
            anchors.append(try (0..<(try s.count(limit: 1 << 20))).map { _ in Int32(try s.count(limit: shapeSize / 2 - 1)) })
        }
        var deltas: [[SIMD2<Float>]] = []
        for _ in 0..<(try s.count(limit: 1000)) {
            deltas.append(try (0..<(try s.count(limit: 1 << 20))).map { _ in SIMD2(try s.float(), try s.float()) })
        }
        guard anchors.count == trees.count, deltas.count == trees.count,
              zip(anchors, deltas).allSatisfy({ $0.count == $1.count }) else {
            throw s.fail("cascade levels, anchors and deltas disagree in size")
        }
        for (level, a) in zip(trees, anchors) {
            for t in level where (t.idx1 + t.idx2).contains(where: { Int($0) >= a.count }) {
                throw s.fail("a split refers to a feature that does not exist")
            }
        }
        guard s.position == file.bytes.count else { throw s.fail("\(file.bytes.count - s.position) bytes left after the model") }
        self.trees = trees
        self.leaves = leaves
        self.anchors = anchors
        self.deltas = deltas
    }

    /// Landmark positions (pixel coordinates, unrounded) for the face in `box`.
    public func landmarks(in image: GrayImage, box: FaceBox) -> [SIMD2<Double>] {
        var shape = initialShape
        let n = shape.count
        let w = Double(box.right - box.left), h = Double(box.bottom - box.top)
        let left = Double(box.left), top = Double(box.top)
        var features: [Float] = []
        leaves.withUnsafeBufferPointer { leafValues in
            for (level, levelTrees) in trees.enumerated() {
                let m = Self.similarity(from: initialShape, to: shape)
                let anchor = anchors[level], delta = deltas[level]
                features = [Float](repeating: 0, count: anchor.count)
                for i in 0..<anchor.count {
                    let a = Int(anchor[i]) * 2, d = delta[i]
                    let nx = (m.0 * d.x + m.1 * d.y) + shape[a], ny = (m.2 * d.x + m.3 * d.y) + shape[a + 1]
                    let px = Int((left + Double(nx) * w + 0.5).rounded(.down)), py = Int((top + Double(ny) * h + 0.5).rounded(.down))
                    if px >= 0 && py >= 0 && px < image.width && py < image.height {
                        features[i] = Float(image.pixels[py * image.width + px])
                    }
                }
                // Unchecked access in the hot loop: `init` proved every split index and leaf offset in range.
                features.withUnsafeBufferPointer { f in
                    shape.withUnsafeMutableBufferPointer { s in
                        for t in levelTrees {
                            t.idx1.withUnsafeBufferPointer { i1 in
                                t.idx2.withUnsafeBufferPointer { i2 in
                                    t.threshold.withUnsafeBufferPointer { th in
                                        var node = 0
                                        let splits = th.count
                                        while node < splits {
                                            node = f[Int(i1[node])] - f[Int(i2[node])] > th[node] ? 2 * node + 1 : 2 * node + 2
                                        }
                                        let leaf = leafValues.baseAddress! + t.leafOffset + (node - splits) * n
                                        let out = s.baseAddress!
                                        for j in 0..<n { out[j] += leaf[j] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (0..<(n / 2)).map { SIMD2(left + Double(shape[2 * $0]) * w, top + Double(shape[2 * $0 + 1]) * h) }
    }

    /// The 2×2 part (a, b; c, d) of the least-squares similarity transform taking `from` to `to`
    /// (Umeyama without reflection, closed form), computed in Double and rounded to Float as
    /// dlib's `matrix_cast<float>` does.
    static func similarity(from: [Float], to: [Float]) -> (Float, Float, Float, Float) {
        let k = from.count / 2
        var mfx = 0.0, mfy = 0.0, mtx = 0.0, mty = 0.0
        for i in 0..<k {
            mfx += Double(from[2 * i]); mfy += Double(from[2 * i + 1]); mtx += Double(to[2 * i]); mty += Double(to[2 * i + 1])
        }
        mfx /= Double(k); mfy /= Double(k); mtx /= Double(k); mty /= Double(k)
        var p = 0.0, q = 0.0, norm = 0.0
        for i in 0..<k {
            let ax = Double(from[2 * i]) - mfx, ay = Double(from[2 * i + 1]) - mfy
            let bx = Double(to[2 * i]) - mtx, by = Double(to[2 * i + 1]) - mty
            p += ax * bx + ay * by
            q += ax * by - ay * bx
            norm += ax * ax + ay * ay
        }
        guard norm > 0 else { return (1, 0, 0, 1) }
        let a = p / norm, b = q / norm
        return (Float(a), Float(-b), Float(b), Float(a))
    }
}
