import Testing
import TensorCore
@testable import Face

/// Shapes are checked at load, so a model whose shapes do not fit is a typed error there instead
/// of a trap inside a kernel when it runs (the `tflite` fuzz target now runs every small model it
/// manages to load).
@Suite struct TFLiteShapeTests {
    typealias Node = TFLiteModel.Node

    func infer(_ nodes: [Node], input: [Int] = [1, 8, 8, 3], constants: [Int: [Int]]) throws -> [Int: [Int]] {
        var shapes = Array(repeating: [Int](), count: 10)
        shapes[0] = input
        return try TFLiteModel.inferShapes(nodes: nodes, input: 0, shapes: shapes, constants: constants.mapValues { Tensor(zeros: $0) },
                                           quantized: [:], path: "m.tflite").shapes
    }

    @Test func aGraphThatFitsGetsEveryShape() throws {
        let s = try infer([
            Node(op: .conv(filter: 1, bias: 2, stride: (2, 2), dilation: (1, 1), same: true, relu: true), inputs: [0], output: 3),
            Node(op: .depthwise(filter: 4, bias: nil, stride: (1, 1), dilation: (1, 1), same: false, relu: false, multiplier: 2), inputs: [3], output: 5),
            Node(op: .concat(axis: -1, relu: false), inputs: [5, 5], output: 6),
            Node(op: .reshape(shape: [1, -1]), inputs: [6], output: 7),
            Node(op: .mean(axes: [1], keepDims: true), inputs: [7], output: 8),
        ], constants: [1: [4, 3, 3, 3], 2: [4], 4: [1, 3, 3, 8]])
        #expect(s[3] == [1, 4, 4, 4] && s[5] == [1, 2, 2, 8] && s[6] == [1, 2, 2, 16] && s[7] == [1, 64] && s[8] == [1, 1])
    }

    @Test func shapesThatDoNotFitAreRefused() {
        let conv = { (filter: [Int], same: Bool) in
            [Node(op: .conv(filter: 1, bias: nil, stride: (1, 1), dilation: (1, 1), same: same, relu: false), inputs: [0], output: 2)]
        }
        #expect(throws: TFLiteModel.LoadError.self) { try infer(conv([4, 3, 3, 5], true), constants: [1: [4, 3, 3, 5]]) }   // depth 5 ≠ 3
        #expect(throws: TFLiteModel.LoadError.self) { try infer(conv([4, 9, 9, 3], false), constants: [1: [4, 9, 9, 3]]) }  // 9×9 on 8×8
        #expect(throws: TFLiteModel.LoadError.self) {
            try infer([Node(op: .add(relu: false), inputs: [0, 1], output: 2)], constants: [1: [1, 8, 8, 4]])
        }
        #expect(throws: TFLiteModel.LoadError.self) { try infer([Node(op: .reshape(shape: [5, -1]), inputs: [0], output: 2)], constants: [:]) }
        #expect(throws: TFLiteModel.LoadError.self) { try infer([Node(op: .mean(axes: [4], keepDims: false), inputs: [0], output: 2)], constants: [:]) }
        #expect(throws: TFLiteModel.LoadError.self) { try infer([Node(op: .pad(paddings: [1, 1]), inputs: [0], output: 2)], constants: [:]) }
        #expect(throws: TFLiteModel.LoadError.self) { try infer([Node(op: .relu, inputs: [0], output: 2)], input: [1, 0, 8, 3], constants: [:]) }
        #expect(throws: TFLiteModel.LoadError.self) {
            try infer([Node(op: .concat(axis: 3, relu: false), inputs: [0, 1], output: 2)], constants: [1: [1, 7, 8, 3]])
        }
    }
}
