import Foundation
import Testing
@testable import FineCLIPER
import TensorCore

/// The trainer's step, one pass per clip with gradient stores, against one pass over the batch.
@Suite(.serialized) struct PerClipStepTests {
    typealias Parity = FineCLIPERParityTests

    func perClipGradients(threads: Int, batch: ClipBatch, prompts: ClassPrompts, recompute: Recomputation = .off) throws -> (Double, [String: Tensor]) {
        let model = try Parity.model()
        let loss = try PerClipStep(model: model, prompts: prompts, threads: threads, recompute: recompute).run(batch, seed: 7)
        return (loss, Dictionary(uniqueKeysWithValues: model.trainableParameters.map { ($0.name, $0.grad!) }))
    }

    @Test func perClipPassesGiveTheWholeBatchGradients() throws {
        let (batch, prompts) = try Parity.batch()
        let model = try Parity.model()
        let tape = Tape()
        // The same drop-path draws: each clip's are keyed by its position in the batch.
        let pass = try model.forward(batch, prompts: prompts, tape: tape, mode: .train(seed: 7))
        tape.backward(pass.loss!)
        let (loss, grads) = try perClipGradients(threads: 2, batch: batch, prompts: prompts)
        #expect(abs(loss - Double(pass.output.loss!)) <= 1e-6 * abs(loss))
        #expect(grads.count == model.trainableParameters.count)
        var worst: Float = 0
        for p in model.trainableParameters {
            let want = p.grad!, got = grads[p.name]!
            let relative = got.compare(to: want, rtol: 0, atol: 0).maxAbsoluteError / max(want.scalars.map(abs).max() ?? 0, 1e-12)
            worst = max(worst, relative)
            #expect(relative < 1e-5, "\(p.name): \(relative) of its largest value")
        }
        print("per-clip vs whole-batch gradients: largest difference \(worst) of a tensor's largest value")
    }

    @Test func theThreadCountChangesNothing() throws {
        let (batch, prompts) = try Parity.batch()
        let one = try perClipGradients(threads: 1, batch: batch, prompts: prompts, recompute: .standard)
        for threads in [2, 3] {
            let other = try perClipGradients(threads: threads, batch: batch, prompts: prompts, recompute: .standard)
            #expect(other.0 == one.0)
            #expect(other.1 == one.1)
        }
    }

    @Test func aClipThatFailsStopsTheStepWithItsError() throws {
        var (batch, prompts) = try Parity.batch()
        batch.descriptions[1] = []
        for threads in [1, 2] {
            let model = try Parity.model()
            #expect(throws: ModelError.self) {
                try PerClipStep(model: model, prompts: prompts, threads: threads, recompute: .off).run(batch, seed: 1)
            }
            #expect(model.trainableParameters.allSatisfy { $0.grad == nil })
        }
    }

    @Test func storesKeepGradientsOffTheParametersUntilAdded() throws {
        let model = try Parity.model()
        let (batch, prompts) = try Parity.batch()
        let store = GradientStore()
        let tape = Tape(store: store)
        tape.backward(try model.forward(batch, prompts: prompts, tape: tape, recompute: .standard).loss!)
        #expect(model.trainableParameters.allSatisfy { $0.grad == nil })
        #expect(store.count == model.trainableParameters.count)
        let held = model.trainableParameters.map { store.gradient(of: $0)! }
        store.addToParameters()
        #expect(model.trainableParameters.map { $0.grad! } == held)
        #expect(store.count == 0)
    }
}
