import Foundation
import Testing
@testable import TensorCore

/// Forward and backward of every op against PyTorch (Tests/Reference/tensor_ops.py).
/// Tolerance: |swift − torch| ≤ 1e-6 + 1e-5·|torch| for every element, unless a case says otherwise.
@Suite struct ParityTests {
    struct CaseInfo: Decodable {
        let shapes: [[Int]]
        let scales: [Float]
        let offsets: [Float]
        let heads: Int?
    }

    static let file = try! Fixtures.open("tensor_ops.safetensors")
    static let cases: [String: CaseInfo] = try! JSONDecoder().decode(
        [String: CaseInfo].self, from: Data(file.metadata["cases"]!.utf8))
    static let targets = try! file.integers("cross_entropy.targets").map { Int($0) }

    /// The Swift side of each case, written with the tape's ops.
    static func run(_ name: String, _ t: Tape, _ x: [Variable], heads: Int?) -> Variable {
        switch name {
        case "matmul", "matmul_batched", "matmul_shared": return t.matmul(x[0], x[1])
        case "matmul_ta": return t.matmul(x[0], x[1], transposeA: true)
        case "matmul_tb": return t.matmul(x[0], x[1], transposeB: true)
        case "linear": return t.linear(x[0], weight: x[1], bias: x[2])
        case "add": return t.add(x[0], x[1])
        case "sub": return t.subtract(x[0], x[1])
        case "mul": return t.multiply(x[0], x[1])
        case "scale": return t.scale(x[0], 0.37)
        case "sum": return t.sum(x[0], axis: 1)
        case "mean": return t.mean(x[0], axis: -1)
        case "max": return t.max(x[0], axis: 0)
        case "layernorm": return t.layerNorm(x[0], gamma: x[1], beta: x[2], eps: 1e-5)
        case "softmax": return t.softmax(x[0])
        case "gelu": return t.gelu(x[0])
        case "gelu_tanh": return t.geluTanh(x[0])
        case "quick_gelu": return t.quickGelu(x[0])
        case "sigmoid": return t.sigmoid(x[0])
        case "attention": return t.attention(query: x[0], key: x[1], value: x[2], heads: heads!)
        case "attention_causal": return t.attention(query: x[0], key: x[1], value: x[2], heads: heads!, causal: true)
        case "concat": return t.concat([x[0], x[1]], axis: 1)
        case "slice": return t.slice(x[0], axis: 1, 1..<4)
        case "l2norm": return t.l2Normalize(x[0])
        case "cross_entropy": return t.crossEntropy(logits: x[0], targets: targets)
        case "cross_entropy_ls": return t.crossEntropy(logits: x[0], targets: targets, labelSmoothing: 0.1)
        default: fatalError("no Swift counterpart for case \(name)")
        }
    }

    @Test(arguments: cases.keys.sorted())
    func forwardAndBackwardMatchTorch(_ name: String) throws {
        let info = Self.cases[name]!
        let f = Self.file
        let tape = Tape()
        var inputs: [Variable] = []
        for i in info.shapes.indices {
            let regenerated = DeterministicParameters.tensor("\(name).in\(i)", info.shapes[i],
                                                             scale: info.scales[i], offset: info.offsets[i])
            #expect(regenerated == (try f.tensor("\(name).in\(i)")), "input \(i) is not regenerated bit-for-bit")
            inputs.append(tape.input(regenerated))
        }
        let out = Self.run(name, tape, inputs, heads: info.heads)
        let expected = try f.tensor("\(name).out")
        let outReport = out.value.reshaped(expected.shape).compare(to: expected)
        #expect(outReport.withinTolerance, "\(name) forward: \(outReport)")
        tape.backward(out, seed: try f.tensor("\(name).dout").reshaped(out.shape))
        var worstGradient: Float = 0
        for (i, v) in inputs.enumerated() {
            let g = try #require(tape.gradient(of: v), "\(name): no gradient for input \(i)")
            let report = g.compare(to: try f.tensor("\(name).grad\(i)"))
            #expect(report.withinTolerance, "\(name) grad \(i): \(report)")
            worstGradient = max(worstGradient, report.maxRelativeError)
        }
        print("parity \(name): forward max rel err \(outReport.maxRelativeError), gradients max rel err \(worstGradient)")
    }

    @Test func deterministicParametersMatchPythonBitForBit() throws {
        let f = Self.file
        #expect(DeterministicParameters.tensor("detparam.a", [1000], scale: 0.02) == (try f.tensor("detparam.a")))
        #expect(DeterministicParameters.tensor("blocks.3.attn.q_proj.weight", [257], scale: 1.7, offset: 1, seed: 7)
                == (try f.tensor("detparam.b")))
    }

    @Test func sgdMatchesTorch() throws {
        try checkOptimizer("sgd") { SGD([ParameterGroup([$0], learningRate: 0.1, weightDecay: 5e-4)], momentum: 0.9) }
        try checkOptimizer("sgd_nesterov") { SGD([ParameterGroup([$0], learningRate: 0.05)], momentum: 0.9, nesterov: true) }
    }

    @Test func adamWMatchesTorch() throws {
        try checkOptimizer("adamw") { AdamW([ParameterGroup([$0], learningRate: 1e-2, weightDecay: 0.01)]) }
    }

    func checkOptimizer(_ name: String, _ make: (Parameter) -> Optimizer) throws {
        let f = Self.file
        let p = Parameter("p", try f.tensor("\(name).p0"))
        let opt = make(p)
        for s in 0..<3 {
            p.grad = try f.tensor("\(name).g\(s)")
            opt.step()
            let report = p.value.compare(to: try f.tensor("\(name).p\(s + 1)"))
            #expect(report.withinTolerance, "\(name) step \(s + 1): \(report)")
        }
    }

    @Test func gradientClippingMatchesTorch() throws {
        let f = Self.file
        let a = Parameter("a", Tensor(zeros: [3, 4])), b = Parameter("b", Tensor(zeros: [5]))
        a.grad = try f.tensor("clip.ga"); b.grad = try f.tensor("clip.gb")
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        #expect(abs(norm - (try f.tensor("clip.norm")).item) < 1e-5)
        #expect(a.grad!.compare(to: try f.tensor("clip.ca")).withinTolerance)
        #expect(b.grad!.compare(to: try f.tensor("clip.cb")).withinTolerance)
    }
}
