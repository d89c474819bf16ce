import Testing
@testable import TensorCore

/// Every differentiable op's backward against central finite differences of
/// L = Σ out ⊙ R (R fixed and random). Float32 forward passes limit the accuracy of the numeric
/// gradient, so the bound is |analytic − numeric| ≤ 2e-3 + 1e-2·|numeric| with step h = 1e-2.
@Suite struct GradientCheckTests {
    typealias Op = (Tape, [Variable]) -> Variable

    static func randomInputs(_ shapes: [[Int]], seed: UInt64, scale: Float = 1) -> [Tensor] {
        var g = SeededGenerator(seed: seed)
        return shapes.map { Tensor.uniform($0, low: -scale, high: scale, using: &g) }
    }

    /// Analytic gradients of every input, and the worst disagreement with finite differences.
    static func check(_ name: String, _ inputs: [Tensor], h: Float = 1e-2, _ op: Op) {
        let tape = Tape()
        let vars = inputs.map { tape.input($0) }
        let out = op(tape, vars)
        var g = SeededGenerator(seed: 99)
        let r = Tensor.uniform(out.shape, low: -1, high: 1, using: &g)
        tape.backward(out, seed: r)

        func loss(_ xs: [Tensor]) -> Double {
            let t = Tape(recording: false)
            let y = op(t, xs.map { t.constant($0) }).value
            return y.withUnsafeBufferPointer { yp in r.withUnsafeBufferPointer { rp in
                zip(yp, rp).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            } }
        }
        for (i, x) in inputs.enumerated() {
            guard let analytic = tape.gradient(of: vars[i]) else {
                Issue.record("\(name): input \(i) got no gradient")
                continue
            }
            #expect(analytic.shape == x.shape, "\(name): gradient shape \(analytic.shape) for input \(x.shape)")
            var worst: Float = 0
            for j in 0..<x.count {
                var plus = inputs, minus = inputs
                plus[i].withUnsafeMutableBufferPointer { $0[j] += h }
                minus[i].withUnsafeMutableBufferPointer { $0[j] -= h }
                let numeric = Float((loss(plus) - loss(minus)) / Double(2 * h))
                let a = analytic.withUnsafeBufferPointer { $0[j] }
                let excess = abs(a - numeric) - (2e-3 + 1e-2 * abs(numeric))
                worst = max(worst, excess)
                if excess > 0 {
                    Issue.record("\(name): input \(i)[\(j)] analytic \(a) vs numeric \(numeric)")
                    return
                }
            }
        }
    }

    @Test func matmulVariants() {
        Self.check("matmul", Self.randomInputs([[3, 4], [4, 5]], seed: 1)) { t, x in t.matmul(x[0], x[1]) }
        Self.check("matmulTA", Self.randomInputs([[4, 3], [4, 5]], seed: 2)) { t, x in t.matmul(x[0], x[1], transposeA: true) }
        Self.check("matmulTB", Self.randomInputs([[3, 4], [5, 4]], seed: 3)) { t, x in t.matmul(x[0], x[1], transposeB: true) }
        Self.check("matmulTT", Self.randomInputs([[4, 3], [5, 4]], seed: 4)) { t, x in
            t.matmul(x[0], x[1], transposeA: true, transposeB: true)
        }
        Self.check("batched", Self.randomInputs([[2, 3, 4], [2, 4, 2]], seed: 5)) { t, x in t.matmul(x[0], x[1]) }
        Self.check("batchedTB", Self.randomInputs([[2, 3, 4], [2, 2, 4]], seed: 6)) { t, x in t.matmul(x[0], x[1], transposeB: true) }
        Self.check("sharedB", Self.randomInputs([[2, 3, 4], [4, 2]], seed: 7)) { t, x in t.matmul(x[0], x[1]) }
        Self.check("sharedBTransposedA", Self.randomInputs([[2, 4, 3], [4, 2]], seed: 8)) { t, x in
            t.matmul(x[0], x[1], transposeA: true)
        }
    }

    @Test func linear() {
        Self.check("linear", Self.randomInputs([[2, 3, 5], [4, 5], [4]], seed: 10)) { t, x in
            t.linear(x[0], weight: x[1], bias: x[2])
        }
        Self.check("linearNoBias", Self.randomInputs([[3, 5], [4, 5]], seed: 11)) { t, x in t.linear(x[0], weight: x[1]) }
    }

    @Test func elementwise() {
        Self.check("add", Self.randomInputs([[2, 3, 4], [4]], seed: 20)) { t, x in t.add(x[0], x[1]) }
        Self.check("addSwapped", Self.randomInputs([[3, 4], [2, 3, 4]], seed: 21)) { t, x in t.add(x[0], x[1]) }
        Self.check("subtract", Self.randomInputs([[2, 3, 4], [3, 4]], seed: 22)) { t, x in t.subtract(x[0], x[1]) }
        Self.check("multiply", Self.randomInputs([[2, 3, 4], [3, 4]], seed: 23)) { t, x in t.multiply(x[0], x[1]) }
        Self.check("scale", Self.randomInputs([[5]], seed: 24)) { t, x in t.scale(x[0], -1.7) }
    }

    @Test func reductions() {
        Self.check("sum0", Self.randomInputs([[3, 4, 2]], seed: 30)) { t, x in t.sum(x[0], axis: 0) }
        Self.check("sum1", Self.randomInputs([[3, 4, 2]], seed: 31)) { t, x in t.sum(x[0], axis: 1) }
        Self.check("mean", Self.randomInputs([[3, 4, 2]], seed: 32)) { t, x in t.mean(x[0], axis: -1) }
        // Well-separated values so that ±h never changes which element is the maximum.
        let spread = Tensor(shape: [3, 4], values: (0..<12).map { Float(($0 * 7) % 12) * 0.3 })
        Self.check("max", [spread]) { t, x in t.max(x[0], axis: 1) }
        Self.check("sumAll", Self.randomInputs([[3, 4]], seed: 33)) { t, x in t.sumAll(x[0]) }
        Self.check("meanAll", Self.randomInputs([[3, 4]], seed: 34)) { t, x in t.meanAll(x[0]) }
    }

    @Test func layerNorm() {
        Self.check("layerNorm", Self.randomInputs([[3, 8], [8], [8]], seed: 40, scale: 2)) { t, x in
            t.layerNorm(x[0], gamma: x[1], beta: x[2])
        }
        Self.check("layerNormPlain", Self.randomInputs([[2, 20]], seed: 41)) { t, x in t.layerNorm(x[0], gamma: nil, beta: nil) }
    }

    @Test func softmaxAndLosses() {
        Self.check("softmax", Self.randomInputs([[3, 6]], seed: 50, scale: 2)) { t, x in t.softmax(x[0]) }
        Self.check("l2Normalize", Self.randomInputs([[3, 5]], seed: 51)) { t, x in t.l2Normalize(x[0]) }
        Self.check("crossEntropy", Self.randomInputs([[4, 5]], seed: 52, scale: 2)) { t, x in
            t.crossEntropy(logits: x[0], targets: [0, 4, 2, 2])
        }
        Self.check("crossEntropySmoothed", Self.randomInputs([[4, 5]], seed: 53, scale: 2)) { t, x in
            t.crossEntropy(logits: x[0], targets: [1, 0, 3, 4], labelSmoothing: 0.2)
        }
        // Two rows share their target (a repeated text in a contrastive batch).
        let q = Tensor(shape: [3, 4], values: [0.5, 0, 0.5, 0, 0, 1, 0, 0, 0.5, 0, 0.5, 0])
        Self.check("crossEntropySoft", Self.randomInputs([[3, 4]], seed: 54, scale: 2)) { t, x in
            t.crossEntropy(logits: x[0], targetDistributions: q)
        }
        Self.check("scaleByExponent", Self.randomInputs([[3, 4], []], seed: 55)) { t, x in t.scale(x[0], byExponentOf: x[1]) }
    }

    /// With one-hot targets the soft form is the ordinary cross-entropy.
    @Test func softTargetsReduceToIndices() {
        let z = Self.randomInputs([[3, 5]], seed: 56, scale: 3)[0]
        let q = Tensor(shape: [3, 5], values: [0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0])
        let t = Tape(recording: false)
        let soft = t.crossEntropy(logits: t.constant(z), targetDistributions: q).value.item
        #expect(abs(soft - crossEntropy(logits: z, targets: [1, 4, 0])) < 1e-6)
    }

    @Test(arguments: Activation.allCases)
    func activation(_ kind: Activation) {
        // Keep inputs away from ReLU's kink.
        let x = Tensor(shape: [24], values: (0..<24).map { Float($0) * 0.35 - 4.1 })
        Self.check("\(kind)", [x]) { t, v in t.activation(kind, v[0]) }
    }

    @Test func attention() {
        Self.check("selfAttention", Self.randomInputs([[2, 4, 6], [2, 4, 6], [2, 4, 6]], seed: 60, scale: 1.5)) { t, x in
            t.attention(query: x[0], key: x[1], value: x[2], heads: 2)
        }
        Self.check("causal", Self.randomInputs([[5, 4], [5, 4], [5, 4]], seed: 61, scale: 1.5)) { t, x in
            t.attention(query: x[0], key: x[1], value: x[2], heads: 1, causal: true)
        }
        Self.check("cross", Self.randomInputs([[1, 2, 8], [1, 5, 8], [1, 5, 8]], seed: 62)) { t, x in
            t.attention(query: x[0], key: x[1], value: x[2], heads: 4)
        }
    }

    @Test func shapeOps() {
        Self.check("concat0", Self.randomInputs([[2, 3], [1, 3]], seed: 70)) { t, x in t.concat([x[0], x[1]], axis: 0) }
        Self.check("concat1", Self.randomInputs([[2, 3, 2], [2, 1, 2]], seed: 71)) { t, x in t.concat([x[0], x[1]], axis: 1) }
        Self.check("slice", Self.randomInputs([[3, 5, 2]], seed: 72)) { t, x in t.slice(x[0], axis: 1, 1..<4) }
        Self.check("reshape", Self.randomInputs([[3, 4]], seed: 73)) { t, x in t.multiply(t.reshape(x[0], [2, 6]), t.constant(Tensor(repeating: 2, shape: [6]))) }
    }

    @Test func embeddingLookup() {
        Self.check("embedding", Self.randomInputs([[5, 3]], seed: 90)) { t, x in t.embedding(x[0], ids: [[0, 4, 4], [2, 0, 1]]) }
    }

    @Test func composedModelBlock() {
        // A pre-LN transformer block: the ops chained as CLIP chains them.
        Self.check("block", Self.randomInputs([[1, 3, 8], [8], [8], [24, 8], [24], [8, 8], [16, 8], [8, 16]], seed: 80)) { t, x in
            let h = t.layerNorm(x[0], gamma: x[1], beta: x[2])
            let qkv = t.linear(h, weight: x[3], bias: x[4])
            let q = t.slice(qkv, axis: 2, 0..<8), k = t.slice(qkv, axis: 2, 8..<16), v = t.slice(qkv, axis: 2, 16..<24)
            let a = t.add(x[0], t.linear(t.attention(query: q, key: k, value: v, heads: 2), weight: x[5]))
            return t.add(a, t.linear(t.quickGelu(t.linear(a, weight: x[6])), weight: x[7]))
        }
    }
}
