import Foundation
import Testing
@testable import TensorCore

@Suite struct TapeTests {
    @Test func frozenWeightsGetNoGradientButPassOneThrough() {
        let w = Parameter("w", Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), trainable: false)
        let b = Parameter("b", Tensor(shape: [2], values: [0.5, -0.5]))
        let tape = Tape()
        let x = tape.input(Tensor(shape: [1, 3], values: [1, 1, 1]))
        let y = tape.linear(x, weight: tape.parameter(w), bias: tape.parameter(b))
        tape.backward(tape.sumAll(y))
        #expect(w.grad == nil)
        #expect(b.grad?.scalars == [1, 1])
        // dL/dx = Σ_rows W = [5, 7, 9]
        #expect(tape.gradient(of: x)?.scalars == [5, 7, 9])
    }

    @Test func gradientsAccumulateUntilZeroed() {
        let p = Parameter("p", Tensor(shape: [2], values: [1, 2]))
        for _ in 0..<2 {
            let tape = Tape()
            tape.backward(tape.sumAll(tape.scale(tape.parameter(p), 3)))
        }
        #expect(p.grad?.scalars == [6, 6])
        p.zeroGrad()
        #expect(p.grad == nil)
    }

    @Test func aParameterUsedTwiceCollectsBothContributions() {
        let p = Parameter("p", Tensor(shape: [3], values: [1, 2, 3]))
        let tape = Tape()
        let a = tape.parameter(p), b = tape.parameter(p)
        tape.backward(tape.sumAll(tape.multiply(a, b)))   // d(Σp²)/dp = 2p
        #expect(p.grad?.scalars == [2, 4, 6])
    }

    @Test func inferenceTapeRecordsNothing() {
        let p = Parameter("p", Tensor(shape: [2], values: [1, 2]))
        let tape = Tape(recording: false)
        let y = tape.sumAll(tape.gelu(tape.parameter(p)))
        #expect(tape.nodes.isEmpty)
        #expect(!y.requiresGrad)
        #expect(abs(y.value.item - (0.8413447 + 1.9544997)) < 1e-5)
    }

    @Test func aSecondForwardPassOnTheSameParametersCountsOnce() {
        let p = Parameter("p", Tensor(shape: [1], values: [1]))
        let first = Tape()
        first.backward(first.sumAll(first.scale(first.parameter(p), 2)))
        p.zeroGrad()
        let second = Tape()
        second.backward(second.sumAll(second.scale(second.parameter(p), 3)))
        #expect(p.grad?.scalars == [3])
        #expect(first.consumed && second.consumed)
    }

    @Test func makingAParameterFrozenDropsItsGradient() {
        let p = Parameter("p", Tensor(shape: [1], values: [1]))
        p.grad = Tensor(shape: [1], values: [3])
        p.isTrainable = false
        #expect(p.grad == nil)
    }
}

@Suite struct EdgeCaseTests {
    @Test func zeroWidthAndEmptyBatchShapes() {
        let b = Tensor(shape: [5], values: [1, 2, 3, 4, 5])
        let y = linear(Tensor(zeros: [3, 0]), weight: Tensor(zeros: [5, 0]), bias: b)
        #expect(y.shape == [3, 5] && y.scalars == Array(repeating: [1, 2, 3, 4, 5], count: 3).flatMap { $0 })
        #expect(matmul(Tensor(zeros: [0, 2, 3]), Tensor(zeros: [0, 3, 4])).shape == [0, 2, 4])
        let tape = Tape()
        let x = tape.input(Tensor(zeros: [3, 0])), bias = tape.input(Tensor(zeros: [0]))
        tape.backward(tape.sumAll(tape.add(x, bias)))
        #expect(tape.gradient(of: bias)?.shape == [0])
        #expect(mean(Tensor(zeros: [2, 0]), axis: 1).scalars.allSatisfy { $0.isNaN })
    }

    @Test func expStaysFiniteUpToItsClamp() {
        let e = VectorMath.exp(Vec16(repeating: 88.5))[0]
        #expect(e.isFinite && e > 2e38)
    }

    @Test func tanhKeepsRelativeAccuracyNearZero() {
        for x: Float in [1e-7, 1e-5, 3e-3, 0.1, 0.2499, 0.2501, 0.7, 3] {
            let t = VectorMath.tanh(Vec16(repeating: x))[0]
            #expect(abs(Double(t) - Foundation.tanh(Double(x))) / Foundation.tanh(Double(x)) < 1e-6, "tanh(\(x)) = \(t)")
        }
    }

    @Test func adamWCountsStepsPerParameter() {
        // b joins after 3 steps of a: its first update must equal a fresh optimizer's first update.
        let a = Parameter("a", Tensor(shape: [1], values: [1])), b = Parameter("b", Tensor(shape: [1], values: [1]))
        let opt = AdamW([ParameterGroup([a, b], learningRate: 0.1)])
        for _ in 0..<3 { a.grad = Tensor(shape: [1], values: [1]); opt.step() }
        b.grad = Tensor(shape: [1], values: [1])
        opt.step()
        let fresh = Parameter("c", Tensor(shape: [1], values: [1]))
        fresh.grad = Tensor(shape: [1], values: [1])
        AdamW([ParameterGroup([fresh], learningRate: 0.1)]).step()
        #expect(b.value == fresh.value)
    }

    @Test func gradientClippingPropagatesNaNLikePyTorch() {
        let p = Parameter("p", Tensor(zeros: [2]))
        p.grad = Tensor(shape: [2], values: [.nan, 1])
        #expect(clipGradientNorm([p], maxNorm: 1).isNaN)
        #expect(p.grad!.scalars.allSatisfy { $0.isNaN })
    }
}
