import Foundation
import TensorCore

/// A TensorFlow Lite model (FlatBuffer, identifier "TFL3") and an interpreter for the NHWC
/// operators face models use: CONV_2D, DEPTHWISE_CONV_2D, MAX_POOL_2D, PAD, ADD, RELU, RESHAPE,
/// CONCATENATION, MEAN, SOFTMAX and DEQUANTIZE (FP16 weights are expanded once at load). Float
/// convolutions run as GEMMs through OpenBLAS; convolutions with INT8 per-channel weights and float
/// activations ("hybrid", dynamic-range quantized) run LiteRT's hybrid arithmetic exactly: the
/// input is quantized per image on the fly and accumulated in integers (`HybridKernels`).
public final class TFLiteModel: @unchecked Sendable {
    public enum LoadError: Error, CustomStringConvertible {
        case notTFLite(path: String, reason: String)
        case unsupported(path: String, reason: String)

        public var description: String {
            switch self {
            case let .notTFLite(p, r): return "\(p): not a TFLite model (\(r))"
            case let .unsupported(p, r): return "\(p): \(r)"
            }
        }
    }

    enum Op {
        case conv(filter: Int, bias: Int?, stride: (Int, Int), dilation: (Int, Int), same: Bool, relu: Bool)
        case depthwise(filter: Int, bias: Int?, stride: (Int, Int), dilation: (Int, Int), same: Bool, relu: Bool, multiplier: Int)
        case maxPool(size: (Int, Int), stride: (Int, Int), same: Bool, relu: Bool)
        case pad(paddings: [Int])
        case add(relu: Bool)
        case relu
        case reshape(shape: [Int])
        case concat(axis: Int, relu: Bool)
        case mean(axes: [Int], keepDims: Bool)
        case softmax(beta: Float)
        case copy
    }

    struct Node {
        let op: Op
        let inputs: [Int]
        let output: Int
    }

    public let path: String
    let shapes: [[Int]]
    public let names: [String]
    var constants: [Int: Tensor] = [:]
    /// INT8 weights with per-channel scales, read by the hybrid convolutions.
    let quantized: [Int: QuantizedWeights]
    let nodes: [Node]
    public let inputIndex: Int
    public let outputIndices: [Int]
    /// Multiply-adds of one run (from the shapes checked at load).
    let work: Int

    public var inputShape: [Int] { shapes[inputIndex] }

    public init(path: String) throws {
        self.path = path
        let file = try MappedFile(path: path)
        let fb = FlatBuffer(bytes: file.bytes)
        guard file.size >= 8, String(decoding: UnsafeRawBufferPointer(rebasing: file.bytes[4..<8]), as: UTF8.self) == "TFL3" else {
            throw LoadError.notTFLite(path: path, reason: "no TFL3 identifier")
        }
        do {
            let model = try fb.root()
            let codes = try model.tables(1).map { c in max(try c.byte(0), try c.int(3)) }
            let buffers = try model.tables(4)
            guard let graph = try model.tables(2).first else { throw LoadError.notTFLite(path: path, reason: "no subgraph") }
            let tensors = try graph.tables(0)
            var shapes: [[Int]] = [], names: [String] = [], constants: [Int: Tensor] = [:], ints: [Int: [Int]] = [:]
            var quantized: [Int: QuantizedWeights] = [:]
            for (i, t) in tensors.enumerated() {
                let shape = try t.ints(0)
                // Sizes are bounded before anything is computed from them (a face model's largest
                // tensor has well under 2^24 elements).
                var elements = 1
                for d in shape {
                    guard (0...(1 << 24)).contains(d) else { throw LoadError.notTFLite(path: path, reason: "tensor \(i) has a dimension of \(d)") }
                    elements *= max(d, 1)
                    guard elements <= 1 << 28 else { throw LoadError.notTFLite(path: path, reason: "tensor \(i) of shape \(shape) is too large") }
                }
                shapes.append(shape)
                names.append(try t.string(3) ?? "tensor \(i)")
                let type = try t.byte(1), bufferIndex = try t.uint(2)
                guard bufferIndex < buffers.count, let (start, n) = try buffers[bufferIndex].vector(0, elementSize: 1), n > 0 else { continue }
                let count = shape.reduce(1, *)
                switch type {
                case 0:  // FLOAT32
                    guard n == count * 4 else { throw LoadError.notTFLite(path: path, reason: "tensor \(i) holds \(n) bytes for \(count) floats") }
                    constants[i] = Tensor(shape: shape, values: (0..<count).map {
                        Float(bitPattern: UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self)))
                    })
                case 1:  // FLOAT16
                    guard n == count * 2 else { throw LoadError.notTFLite(path: path, reason: "tensor \(i) holds \(n) bytes for \(count) halves") }
                    constants[i] = Tensor(shape: shape, values: (0..<count).map {
                        Float(Float16(bitPattern: UInt16(littleEndian: file.bytes.loadUnaligned(fromByteOffset: start + 2 * $0, as: UInt16.self))))
                    })
                case 2:  // INT32
                    guard n == count * 4 else { throw LoadError.notTFLite(path: path, reason: "tensor \(i) holds \(n) bytes for \(count) ints") }
                    ints[i] = (0..<count).map { Int(Int32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: start + 4 * $0, as: Int32.self))) }
                case 9:  // INT8, symmetric per-channel weights
                    guard n == count else { throw LoadError.notTFLite(path: path, reason: "tensor \(i) holds \(n) bytes for \(count) int8 values") }
                    let q = try t.table(4)
                    let scales = try q?.floats(2) ?? [], zeroPoints = try q?.int64s(3) ?? [], axis = try q?.int(6) ?? 0
                    guard (0..<shape.count).contains(axis), scales.count == shape[axis],
                          scales.allSatisfy({ $0.isFinite && $0 > 0 }), zeroPoints.allSatisfy({ $0 == 0 }) else {
                        throw LoadError.unsupported(path: path, reason: "tensor \(names[i]) is INT8 without symmetric per-channel scales along one axis")
                    }
                    quantized[i] = QuantizedWeights(shape: shape, values: (0..<count).map { Int8(bitPattern: file.bytes[start + $0]) },
                                                    scales: scales, axis: axis)
                default:
                    throw LoadError.unsupported(path: path, reason: "tensor \(names[i]) has type \(type); only float models and INT8 weights are supported")
                }
            }
            var nodes: [Node] = []
            for op in try graph.tables(3) {
                let codeIndex = try op.uint(0)
                guard codeIndex < codes.count else { throw LoadError.notTFLite(path: path, reason: "operator code \(codeIndex) out of range") }
                let ins = try op.ints(1), outs = try op.ints(2)
                guard let out = outs.first, outs.count == 1, ins.allSatisfy({ $0 >= -1 && $0 < tensors.count }), (0..<tensors.count).contains(out),
                      let first = ins.first, first >= 0 else {
                    throw LoadError.notTFLite(path: path, reason: "operator with bad tensor indices")
                }
                // How many leading inputs each operator reads, all of them real tensors.
                let needed: [Int: Int] = [3: 2, 4: 2, 34: 2, 0: 2]
                if let k = needed[codes[codeIndex]], ins.count < k || ins.prefix(k).contains(where: { $0 < 0 }) {
                    throw LoadError.notTFLite(path: path, reason: "operator \(codes[codeIndex]) has \(ins.count) inputs")
                }
                let o = try op.table(4)
                func opt(_ f: Int, _ d: Int = 0) throws -> Int { try o?.int(f, default: d) ?? d }
                func optByte(_ f: Int) throws -> Int { try o?.byte(f) ?? 0 }
                func relu(_ f: Int) throws -> Bool {
                    let a = try optByte(f)
                    guard a == 0 || a == 1 else { throw LoadError.unsupported(path: path, reason: "fused activation \(a) is not supported") }
                    return a == 1
                }
                let bias = ins.count > 2 && ins[2] >= 0 ? ins[2] : nil
                let kind: Op
                switch codes[codeIndex] {
                case 3: kind = .conv(filter: ins[1], bias: bias, stride: (try opt(2, 1), try opt(1, 1)), dilation: (try opt(5, 1), try opt(4, 1)),
                                     same: try optByte(0) == 0, relu: try relu(3))
                case 4: kind = .depthwise(filter: ins[1], bias: bias, stride: (try opt(2, 1), try opt(1, 1)), dilation: (try opt(6, 1), try opt(5, 1)),
                                          same: try optByte(0) == 0, relu: try relu(4), multiplier: try opt(3, 1))
                case 17: kind = .maxPool(size: (try opt(4, 1), try opt(3, 1)), stride: (try opt(2, 1), try opt(1, 1)), same: try optByte(0) == 0, relu: try relu(5))
                case 34:
                    guard ins.count > 1, let p = ints[ins[1]] else { throw LoadError.unsupported(path: path, reason: "PAD without constant paddings") }
                    kind = .pad(paddings: p)
                case 0: kind = .add(relu: try relu(0))
                case 19: kind = .relu
                case 22:
                    let fromOptions = try o?.ints(0) ?? []
                    kind = .reshape(shape: !fromOptions.isEmpty ? fromOptions : (ins.count > 1 ? ints[ins[1]] ?? shapes[out] : shapes[out]))
                case 2: kind = .concat(axis: try opt(0), relu: try relu(1))
                case 40:
                    guard ins.count > 1, let axes = ints[ins[1]] else { throw LoadError.unsupported(path: path, reason: "MEAN without constant axes") }
                    kind = .mean(axes: axes, keepDims: try optByte(0) != 0)
                case 25: kind = .softmax(beta: try o?.float(0, default: 1) ?? 1)
                case 6: kind = .copy
                default: throw LoadError.unsupported(path: path, reason: "builtin operator \(codes[codeIndex]) is not supported")
                }
                try Self.checkParameters(kind, path: path)
                try Self.checkHybrid(kind, quantized: quantized, input: shapes[ins[0]], path: path)
                if case .copy = kind, let c = constants[ins[0]] {
                    constants[out] = c   // DEQUANTIZE of a constant: done once here
                    continue
                }
                nodes.append(Node(op: kind, inputs: ins, output: out))
            }
            let graphInputs = try graph.ints(1), graphOutputs = try graph.ints(2)
            guard let input = graphInputs.first, !graphOutputs.isEmpty,
                  (graphInputs + graphOutputs).allSatisfy({ (0..<tensors.count).contains($0) }) else {
                throw LoadError.notTFLite(path: path, reason: "no inputs or outputs, or out of range")
            }
            // Every tensor an operator reads is a constant, the input, or an earlier operator's output.
            var known = Set(constants.keys).union(ints.keys).union(quantized.keys).union([input])
            for node in nodes {
                let reads: [Int]
                switch node.op {
                case .conv(let f, let b, _, _, _, _), .depthwise(let f, let b, _, _, _, _, _): reads = [node.inputs[0], f] + (b.map { [$0] } ?? [])
                case .add: reads = Array(node.inputs.prefix(2))
                case .concat: reads = node.inputs
                default: reads = [node.inputs[0]]
                }
                guard reads.allSatisfy(known.contains) else {
                    throw LoadError.notTFLite(path: path, reason: "an operator reads a tensor nothing has written")
                }
                known.insert(node.output)
            }
            guard graphOutputs.allSatisfy(known.contains) else { throw LoadError.notTFLite(path: path, reason: "an output is never written") }
            work = try Self.inferShapes(nodes: nodes, input: input, shapes: shapes, constants: constants, quantized: quantized, path: path).work
            self.shapes = shapes
            self.names = names
            self.constants = constants
            self.quantized = quantized
            self.nodes = nodes
            inputIndex = input
            outputIndices = graphOutputs
        } catch let e as FlatBuffer.Error {
            throw LoadError.notTFLite(path: path, reason: e.reason)
        }
    }

    /// Refuses operator parameters the kernels cannot run with (zero strides, negative sizes).
    static func checkParameters(_ op: Op, path: String) throws {
        func positive(_ values: Int...) throws {
            guard values.allSatisfy({ (1...4096).contains($0) }) else { throw LoadError.notTFLite(path: path, reason: "operator parameters \(values) out of range") }
        }
        switch op {
        case let .conv(_, _, stride, dilation, _, _): try positive(stride.0, stride.1, dilation.0, dilation.1)
        case let .depthwise(_, _, stride, dilation, _, _, m): try positive(stride.0, stride.1, dilation.0, dilation.1, m)
        case let .maxPool(size, stride, _, _): try positive(size.0, size.1, stride.0, stride.1)
        case let .pad(p): guard p.allSatisfy({ (0...4096).contains($0) }) else { throw LoadError.notTFLite(path: path, reason: "PAD sizes \(p) out of range") }
        case let .reshape(shape): guard shape.allSatisfy({ $0 == -1 || (0...(1 << 24)).contains($0) }) else { throw LoadError.notTFLite(path: path, reason: "RESHAPE to \(shape)") }
        case let .mean(axes, _):
            guard !axes.isEmpty, axes.allSatisfy({ (-4...3).contains($0) }) else { throw LoadError.notTFLite(path: path, reason: "MEAN over axes \(axes)") }
        case let .softmax(beta): guard beta.isFinite && beta > 0 else { throw LoadError.notTFLite(path: path, reason: "SOFTMAX beta \(beta)") }
        default: break
        }
    }

    /// INT8 filters must be per output channel, as the hybrid kernels read them: along O for
    /// CONV_2D [O, KH, KW, I], along the last axis for DEPTHWISE_CONV_2D [1, KH, KW, C].
    static func checkHybrid(_ op: Op, quantized: [Int: QuantizedWeights], input: [Int], path: String) throws {
        switch op {
        case let .conv(f, _, _, _, _, _):
            guard let q = quantized[f] else { return }
            guard q.shape.count == 4, q.axis == 0, input.count == 4, q.shape[3] == input[3] else {
                throw LoadError.unsupported(path: path, reason: "INT8 CONV_2D filter \(q.shape) quantized along axis \(q.axis) for input \(input)")
            }
        case let .depthwise(f, _, _, _, _, _, m):
            guard let q = quantized[f] else { return }
            guard q.shape.count == 4, q.axis == 3, input.count == 4, q.shape[3] == input[3] * m else {
                throw LoadError.unsupported(path: path, reason: "INT8 DEPTHWISE_CONV_2D filter \(q.shape) quantized along axis \(q.axis) for input \(input)")
            }
        default:
            return
        }
    }

    /// Runs the graph on `input` (NHWC, the model's input shape) and returns the outputs in order.
    public func run(_ input: Tensor) throws -> [Tensor] {
        guard input.shape == inputShape else {
            throw LoadError.unsupported(path: path, reason: "input shape \(input.shape), the model expects \(inputShape)")
        }
        var values = constants
        values[inputIndex] = input
        for node in nodes {
            let x = values[node.inputs[0]]!
            let y: Tensor
            switch node.op {
            case let .conv(f, b, stride, dilation, same, relu) where quantized[f] != nil:
                y = HybridKernels.conv(x, filter: quantized[f]!, bias: b.map { values[$0]! }, stride: stride, dilation: dilation, same: same, relu: relu)
            case let .depthwise(f, b, stride, dilation, same, relu, m) where quantized[f] != nil:
                y = HybridKernels.depthwise(x, filter: quantized[f]!, bias: b.map { values[$0]! }, stride: stride, dilation: dilation,
                                            same: same, relu: relu, multiplier: m)
            case let .conv(f, b, stride, dilation, same, relu) where !quantized.isEmpty:
                y = TFLiteKernels.convInOrder(x, filter: values[f]!, bias: b.map { values[$0]! }, stride: stride, dilation: dilation, same: same, relu: relu)
            case let .conv(f, b, stride, dilation, same, relu):
                y = TFLiteKernels.conv(x, filter: values[f]!, bias: b.map { values[$0]! }, stride: stride, dilation: dilation, same: same, relu: relu)
            case let .depthwise(f, b, stride, dilation, same, relu, m):
                y = TFLiteKernels.depthwise(x, filter: values[f]!, bias: b.map { values[$0]! }, stride: stride, dilation: dilation,
                                            same: same, relu: relu, multiplier: m)
            case let .maxPool(size, stride, same, relu):
                y = TFLiteKernels.maxPool(x, size: size, stride: stride, same: same, relu: relu)
            case let .pad(p): y = TFLiteKernels.pad(x, p)
            case let .add(relu):
                let sum = x + values[node.inputs[1]]!
                y = relu ? activation(.relu, sum) : sum
            case .relu: y = activation(.relu, x)
            case let .reshape(shape): y = x.reshaped(shape.map { $0 == -1 ? -1 : $0 })
            case let .concat(axis, relu):
                let c = concat(node.inputs.map { values[$0]! }, axis: axis < 0 ? axis + x.rank : axis)
                y = relu ? activation(.relu, c) : c
            case let .mean(axes, keepDims): y = TFLiteKernels.mean(x, axes: axes.map { $0 < 0 ? $0 + x.rank : $0 }, keepDims: keepDims)
            case let .softmax(beta): y = TFLiteKernels.softmax(x, beta: beta)
            case .copy: y = x
            }
            values[node.output] = y
        }
        return outputIndices.map { values[$0]! }
    }
}

extension TFLiteModel.LoadError: DomainError {
    public var kind: FailureKind { .badData }
}
