import TensorCore

/// Every operator's output shape worked out at load from the input's, as the kernels will compute
/// it. A graph whose shapes do not fit together (a filter as deep as the input is not, ADD of two
/// shapes, a RESHAPE that changes the element count, a window larger than its input) is refused
/// here with a typed error, so `run` never reaches a kernel with shapes it would trap on.
extension TFLiteModel {
    /// Bounds on what one model may ask for: elements of any tensor, and multiply-adds in total.
    static let maxElements = 1 << 26
    static let maxWork = 1 << 36

    /// The output shape of every node and the model's multiply-adds (an estimate of its cost).
    static func inferShapes(nodes: [Node], input: Int, shapes declared: [[Int]], constants: [Int: Tensor],
                            quantized: [Int: QuantizedWeights], path: String) throws -> (shapes: [Int: [Int]], work: Int) {
        func fail(_ node: Node, _ reason: String) -> LoadError { .notTFLite(path: path, reason: "operator writing tensor \(node.output): \(reason)") }
        var shape: [Int: [Int]] = [input: declared[input]]
        for (i, c) in constants { shape[i] = c.shape }
        for (i, q) in quantized { shape[i] = q.shape }
        guard let first = shape[input], first.count >= 1, first.allSatisfy({ $0 >= 1 }), first.reduce(1, *) <= maxElements else {
            throw LoadError.notTFLite(path: path, reason: "input shape \(declared[input])")
        }
        var work = 0
        for node in nodes {
            guard let x = shape[node.inputs[0]] else { throw fail(node, "reads a tensor of unknown shape") }
            func image() throws -> (Int, Int, Int, Int) {
                guard x.count == 4 else { throw fail(node, "expects an NHWC input, got \(x)") }
                return (x[0], x[1], x[2], x[3])
            }
            func window(_ h: Int, _ w: Int, _ k: (Int, Int), _ stride: (Int, Int), _ dilation: (Int, Int), _ same: Bool) throws -> (Int, Int) {
                let oh = TFLiteKernels.window(h, kernel: k.0, stride: stride.0, dilation: dilation.0, same: same).out
                let ow = TFLiteKernels.window(w, kernel: k.1, stride: stride.1, dilation: dilation.1, same: same).out
                guard oh >= 1 && ow >= 1 else { throw fail(node, "a \(k.0)×\(k.1) window does not fit a \(h)×\(w) input") }
                return (oh, ow)
            }
            func bias(_ b: Int?, _ channels: Int) throws {
                guard let b else { return }
                guard let s = shape[b], s.reduce(1, *) == channels, constants[b] != nil else { throw fail(node, "bias \(shape[b] ?? []) for \(channels) channels") }
            }
            let y: [Int]
            switch node.op {
            case let .conv(f, b, stride, dilation, same, _):
                let (n, h, w, c) = try image()
                guard let k = shape[f], k.count == 4, k[3] == c, k[0] >= 1, k[1] >= 1, k[2] >= 1 else { throw fail(node, "CONV_2D filter \(shape[f] ?? []) for input \(x)") }
                try bias(b, k[0])
                let (oh, ow) = try window(h, w, (k[1], k[2]), stride, dilation, same)
                y = [n, oh, ow, k[0]]
                work += n * oh * ow * k[0] * k[1] * k[2] * c
            case let .depthwise(f, b, stride, dilation, same, _, m):
                let (n, h, w, c) = try image()
                guard let k = shape[f], k.count == 4, k[0] == 1, k[3] == c * m, k[1] >= 1, k[2] >= 1 else {
                    throw fail(node, "DEPTHWISE_CONV_2D filter \(shape[f] ?? []) for input \(x) and multiplier \(m)")
                }
                try bias(b, k[3])
                let (oh, ow) = try window(h, w, (k[1], k[2]), stride, dilation, same)
                y = [n, oh, ow, k[3]]
                work += n * oh * ow * k[3] * k[1] * k[2]
            case let .maxPool(size, stride, same, _):
                let (n, h, w, c) = try image()
                let (oh, ow) = try window(h, w, size, stride, (1, 1), same)
                y = [n, oh, ow, c]
                work += n * oh * ow * c * size.0 * size.1
            case let .pad(p):
                guard p.count == 2 * x.count else { throw fail(node, "PAD: \(p.count / 2) padding pairs for a rank-\(x.count) tensor") }
                y = x.enumerated().map { $0.element + p[2 * $0.offset] + p[2 * $0.offset + 1] }
            case .add:
                guard node.inputs.count >= 2, let other = shape[node.inputs[1]], other == x else {
                    throw fail(node, "ADD of \(x) and \(node.inputs.count >= 2 ? shape[node.inputs[1]] ?? [] : [])")
                }
                y = x
            case .relu, .softmax, .copy:
                y = x
            case let .reshape(target):
                let count = x.reduce(1, *), known = target.filter { $0 != -1 }.reduce(1, *)
                let free = target.count { $0 == -1 }
                guard free <= 1, free == 0 ? known == count : known > 0 && count % known == 0 else {
                    throw fail(node, "RESHAPE of \(x) to \(target)")
                }
                y = target.map { $0 == -1 ? count / known : $0 }
            case let .concat(axis, _):
                let parts = node.inputs.map { shape[$0] }
                let a = axis < 0 ? axis + x.count : axis
                guard (0..<x.count).contains(a), parts.allSatisfy({ p in
                    guard let p, p.count == x.count else { return false }
                    return p.indices.allSatisfy { $0 == a || p[$0] == x[$0] }
                }) else { throw fail(node, "CONCATENATION of \(parts.map { $0 ?? [] }) along axis \(axis)") }
                y = x.indices.map { $0 == a ? parts.reduce(0) { $0 + $1![a] } : x[$0] }
            case let .mean(axes, keepDims):
                let resolved = axes.map { $0 < 0 ? $0 + x.count : $0 }
                guard resolved.allSatisfy({ (0..<x.count).contains($0) }) else { throw fail(node, "MEAN over axes \(axes) of \(x)") }
                y = keepDims ? x.indices.map { resolved.contains($0) ? 1 : x[$0] } : x.indices.filter { !resolved.contains($0) }.map { x[$0] }
            }
            guard y.allSatisfy({ $0 >= 0 }), y.reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }) <= maxElements else {
                throw fail(node, "an output of \(y) elements is out of bounds")
            }
            guard work <= maxWork else { throw LoadError.notTFLite(path: path, reason: "more than \(maxWork) multiply-adds") }
            shape[node.output] = y
        }
        return (shape, work)
    }
}
