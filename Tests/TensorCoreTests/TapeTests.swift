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

    @Test func makingAParameterFrozenDropsItsGradient() {
        let p = Parameter("p", Tensor(shape: [1], values: [1]))
        p.grad = Tensor(shape: [1], values: [3])
        p.isTrainable = false
        #expect(p.grad == nil)
    }
}
