import Foundation
import Testing
@testable import TensorCore

@Suite struct TensorTests {
    @Test func viewsShareStorageUntilWritten() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        var b = a.reshaped([3, 2])
        #expect(b.storage === a.storage)
        b[0, 0] = 42
        #expect(b.storage !== a.storage)
        #expect(a[0, 0] == 1 && b[0, 0] == 42)
        let r = a.rows(1..<2)
        #expect(r.shape == [1, 3] && r.scalars == [4, 5, 6] && r.storage === a.storage)
        #expect(a.row(0).scalars == [1, 2, 3])
        #expect(a.reshaped([-1]).shape == [6])
    }

    @Test func writingAViewLeavesTheOriginalAlone() {
        let a = Tensor(shape: [4], values: [1, 2, 3, 4])
        var v = a.rows(2..<4)
        v.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(a.scalars == [1, 2, 3, 4] && v.scalars == [9, 4])
    }

    @Test func broadcastingOverLastAxes() {
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], values: [10, 20, 30])
        #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
        #expect((b + a).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * b).scalars == [10, 40, 90, 40, 100, 180])
        #expect((a - b).scalars == [-9, -18, -27, -6, -15, -24])
        #expect((a * 2).scalars == [2, 4, 6, 8, 10, 12])
    }

    @Test func largeElementwiseWorkSplitAcrossThreadsGivesTheSameResult() {
        var g = SeededGenerator(seed: 5)
        let x = Tensor.uniform([300_001], low: -3, high: 3, using: &g)
        let y = gelu(x)
        let serial = x.scalars.map { Float(0.5 * Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot()))) }
        #expect(Tensor(shape: [300_001], values: serial).compare(to: y, rtol: 1e-5, atol: 1e-6).withinTolerance)
    }

    @Test func reductionsAlongEachAxis() {
        let x = Tensor(shape: [2, 3], values: [1, 5, 3, 4, 2, 6])
        #expect(sum(x, axis: 0).scalars == [5, 7, 9])
        #expect(sum(x, axis: 1).scalars == [9, 12])
        #expect(mean(x, axis: -1).scalars == [3, 4])
        let (m, i) = max(x, axis: 1)
        #expect(m.scalars == [5, 6] && i == [1, 2])
        #expect(sumAll(x) == 21)
    }

    @Test func softmaxIsStableForHugeLogitsAndMaskedRows() {
        let s = softmax(Tensor(shape: [2, 3], values: [1000, 1000, -1000, -.infinity, -.infinity, -.infinity]))
        #expect(s.scalars[0] == 0.5 && s.scalars[1] == 0.5 && s.scalars[2] == 0)
        #expect(s.scalars[3...].allSatisfy { $0 == 0 })
    }

    /// Row lengths around the 16-lane width exercise the short-row and overlapping-tail paths.
    @Test(arguments: [1, 2, 7, 15, 16, 17, 31, 32, 33, 197])
    func softmaxAndActivationsMatchADoubleReferenceAtEveryRowLength(_ d: Int) {
        var g = SeededGenerator(seed: UInt64(d))
        let x = Tensor.uniform([3, d], low: -6, high: 6, using: &g)
        let s = softmax(x)
        var expected: [Float] = []
        for r in 0..<3 {
            let row = (0..<d).map { Double(x[r, $0]) }
            let m = row.max()!
            let e = row.map { Foundation.exp($0 - m) }
            let total = e.reduce(0, +)
            expected += e.map { Float($0 / total) }
        }
        #expect(s.compare(to: Tensor(shape: [3, d], values: expected), rtol: 1e-5, atol: 1e-7).withinTolerance)
        let q = quickGelu(x)
        let qExpected = x.scalars.map { Float(Double($0) / (1 + Foundation.exp(-1.702 * Double($0)))) }
        #expect(q.compare(to: Tensor(shape: [3, d], values: qExpected), rtol: 1e-5, atol: 1e-6).withinTolerance)
        let shifted = x + Tensor(repeating: 1, shape: [d])
        #expect(shifted.scalars == x.scalars.map { $0 + 1 })
    }

    @Test func causalAttentionIgnoresTheFuture() {
        var g = SeededGenerator(seed: 8)
        let q = Tensor.uniform([4, 8], low: -1, high: 1, using: &g), k = Tensor.uniform([4, 8], low: -1, high: 1, using: &g)
        let v = Tensor.uniform([4, 8], low: -1, high: 1, using: &g)
        var v2 = v
        v2[3, 0] = 100   // change only the last position's value
        let a = attention(query: q, key: k, value: v, heads: 2, causal: true)
        let b = attention(query: q, key: k, value: v2, heads: 2, causal: true)
        #expect(a.output.rows(0..<3) == b.output.rows(0..<3))
        #expect(a.probabilities[0, 0, 0, 1] == 0)
    }

    @Test func concatAndSliceInvertEachOther() {
        let a = Tensor(shape: [2, 2], values: [1, 2, 3, 4]), b = Tensor(shape: [2, 1], values: [5, 6])
        let c = concat([a, b], axis: 1)
        #expect(c.scalars == [1, 2, 5, 3, 4, 6])
        #expect(slice(c, axis: 1, 0..<2) == a && slice(c, axis: 1, 2..<3) == b)
    }

    @Test func seededGeneratorsRepeatAndHaveTheRightMoments() {
        var g1 = SeededGenerator(seed: 42), g2 = SeededGenerator(seed: 42), g3 = SeededGenerator(seed: 43)
        let a = Tensor.normal([20_000], using: &g1), b = Tensor.normal([20_000], using: &g2)
        #expect(a == b)
        #expect(a != Tensor.normal([20_000], using: &g3))
        let m = Double(sumAll(a)) / 20_000
        let v = a.scalars.reduce(0.0) { $0 + Double($1) * Double($1) } / 20_000 - m * m
        #expect(abs(m) < 0.03 && abs(v - 1) < 0.04)
        var g4 = SeededGenerator(seed: 1)
        let t = Tensor.truncatedNormal([10_000], std: 0.02, a: -0.04, b: 0.04, using: &g4)
        #expect(t.scalars.allSatisfy { abs($0) <= 0.04 })
        var g5 = SeededGenerator(seed: 2)
        let u = Tensor.uniform([10_000], low: 2, high: 3, using: &g5)
        #expect(u.scalars.allSatisfy { $0 >= 2 && $0 < 3 })
    }

    @Test func deterministicParametersDependOnNameSeedAndIndexOnly() {
        let a = DeterministicParameters.tensor("w", [100_000], scale: 0.5)
        #expect(a == DeterministicParameters.tensor("w", [100_000], scale: 0.5))
        #expect(a.rows(0..<10) == DeterministicParameters.tensor("w", [10], scale: 0.5))
        #expect(a != DeterministicParameters.tensor("w", [100_000], scale: 0.5, seed: 1))
        #expect(a.scalars.allSatisfy { $0 >= -0.5 && $0 < 0.5 })
    }

    @Test func vectorMathAgreesWithLibm() {
        var worstExp: Double = 0, worstErf: Double = 0
        var x: Float = -87
        while x < 88 {
            let e = Double(VectorMath.exp(Vec16(repeating: x))[0]), ref = Foundation.exp(Double(x))
            worstExp = Swift.max(worstExp, abs(e - ref) / ref)
            x += 0.173
        }
        x = -6
        while x < 6 {
            let e = Double(VectorMath.erfc(Vec16(repeating: x))[0]), ref = Foundation.erfc(Double(x))
            worstErf = Swift.max(worstErf, abs(e - ref) / ref)
            x += 0.0137
        }
        #expect(worstExp < 3e-7, "exp relative error \(worstExp)")
        #expect(worstErf < 5e-6, "erfc relative error \(worstErf)")
        #expect(VectorMath.exp(Vec16(repeating: -.infinity))[0] == 0)
        #expect(VectorMath.sigmoid(Vec16(repeating: -200))[0] >= 0)
    }

    @Test func learningRateSchedules() {
        let ms = LRSchedule.multiStep(milestones: [2, 4], gamma: 0.1)
        #expect([0, 1, 2, 3, 4, 5].map { ms.factor(at: $0) } == [1, 1, Float(0.1), Float(0.1), Float(0.010000001), Float(0.010000001)])
        let cos = LRSchedule.cosine(total: 10)
        #expect(cos.factor(at: 0) == 1 && abs(cos.factor(at: 5) - 0.5) < 1e-6 && cos.factor(at: 10) == 0)
        let warm = LRSchedule.cosine(total: 10, warmup: 2, minFactor: 0.1)
        #expect(warm.factor(at: 0) == 0.5 && warm.factor(at: 1) == 1 && abs(warm.factor(at: 10) - 0.1) < 1e-6)
        #expect(LRSchedule.constant.factor(at: 99) == 1)
    }

    @Test func optimizerStateRoundTripsAndRejectsWrongShapes() throws {
        let p = Parameter("p", Tensor(shape: [2], values: [1, 2]))
        let opt = AdamW([ParameterGroup([p], learningRate: 0.1)])
        p.grad = Tensor(shape: [2], values: [1, -1])
        opt.step()
        let state = opt.state()
        let q = Parameter("p", p.value)
        let resumed = AdamW([ParameterGroup([q], learningRate: 0.1)])
        try resumed.loadState(state)
        p.grad = Tensor(shape: [2], values: [0.5, 0.5]); q.grad = p.grad
        opt.step(); resumed.step()
        #expect(p.value == q.value)
        let wrong = Parameter("p", Tensor(zeros: [3]))
        #expect(throws: OptimizerStateError.self) { try AdamW([ParameterGroup([wrong], learningRate: 1)]).loadState(state) }
    }

    /// The average follows a ← d·a + (1 − d)·w with d = min(decay, (1 + t)/(10 + t)), computed
    /// here in doubles; applying it leaves the parameters as they were; its state round-trips
    /// and a state that does not fit is refused.
    @Test func weightAverageFollowsItsFormula() throws {
        let p = Parameter("p", Tensor(shape: [3], values: [1, -2, 0.5]))
        let average = WeightAverage(decay: 0.9, parameters: [p])
        var expected = p.value.scalars.map(Double.init)
        for t in 1...30 {
            p.value = Tensor(shape: [3], values: [Float(t), Float(-t) / 3, sin(Float(t))])
            average.update(afterStep: t)
            let d = min(0.9, Double(1 + t) / Double(10 + t))
            expected = zip(expected, p.value.scalars).map { d * $0 + (1 - d) * Double($1) }
        }
        #expect(average.decay(afterStep: 1) == 2.0 / 11 && average.decay(afterStep: 1000) == 0.9)
        for (a, e) in zip(average.values[0].scalars, expected) { #expect(abs(Double(a) - e) <= 1e-5 * max(1, abs(e)), "\(a) vs \(e)") }
        let own = p.value
        let seen = average.applied { p.value }
        #expect(seen == average.values[0] && p.value == own)
        let q = Parameter("p", Tensor(zeros: [3]))
        let resumed = WeightAverage(decay: 0.9, parameters: [q])
        try resumed.loadState(average.state())
        #expect(resumed.values == average.values)
        resumed.restart()
        #expect(resumed.values == [q.value])
        #expect(throws: OptimizerStateError.self) { try resumed.loadState([:]) }
        #expect(throws: OptimizerStateError.self) { try resumed.loadState(["p": Tensor(zeros: [2])]) }
    }

    @Test func frozenParametersAreNotUpdated() {
        let frozen = Parameter("f", Tensor(shape: [1], values: [1]), trainable: false)
        let live = Parameter("l", Tensor(shape: [1], values: [1]))
        live.grad = Tensor(shape: [1], values: [1])
        let opt = SGD([ParameterGroup(name: "adapters", [frozen, live], learningRate: 0.5)])
        opt.step()
        #expect(frozen.value.item == 1 && live.value.item == 0.5)
    }
}
