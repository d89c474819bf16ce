import Testing
import TensorCore
@testable import CLIP

@Suite struct BlockHooksTests {
    @Test func adaptersAttachWithoutCopyingTheBlockAndTrainWhileCLIPStaysFrozen() {
        let model = CLIPModel(config: .tiny)
        model.fillDeterministic()
        let images = DeterministicParameters.tensor("hook.images", [1, 3, 32, 32])
        let plain = model.encodeImages(images).value
        // A zero-initialised serial adapter after attention and a parallel one beside the MLP (AIM's
        // S-Adapter and MLP-Adapter positions): at step 0 the model is unchanged.
        let width = model.config.vision.width
        let serial = Parameter("adapter.serial", Tensor(zeros: [width, width]))
        let parallel = Parameter("adapter.parallel", Tensor(zeros: [width, width]))
        let block = model.vision.blocks[1]
        block.hooks = BlockHooks(afterAttention: { x, t in t.add(x, t.linear(x, weight: t.parameter(serial))) },
                                 besideMLP: { h, t in t.scale(t.linear(h, weight: t.parameter(parallel)), 0.5) })
        #expect(model.encodeImages(images).value == plain)
        let tape = Tape()
        tape.backward(tape.sumAll(model.encodeImages(images, tape: tape)))
        #expect(serial.grad != nil && parallel.grad != nil)
        #expect(sumAll(serial.grad!.reshaped([-1])) != 0)
        #expect(model.parameters.allSatisfy { $0.grad == nil })
        serial.value = DeterministicParameters.tensor("adapter.serial", [width, width], scale: 0.05)
        #expect(model.encodeImages(images).value != plain)
        block.hooks = BlockHooks()
        #expect(model.encodeImages(images).value == plain)
    }

    @Test func presetSizes() {
        #expect(CLIPConfig.vitB16.vision.tokens == 197 && CLIPConfig.vitB32.vision.tokens == 50 && CLIPConfig.vitL14.vision.tokens == 257)
        #expect(CLIPConfig.vitL14.projectionDim == 768 && CLIPConfig.vitB16.text.contextLength == 77)
    }
}
