import Foundation
import Testing
import TensorCore
@testable import CLIP

@Suite struct BlockAdaptersTests {
    @Test func adaptersJoinOneCallOnlyAndTrainWhileCLIPStaysFrozen() {
        let model = CLIPModel(config: .tiny)
        model.fillDeterministic()
        let images = DeterministicParameters.tensor("hook.images", [1, 3, 32, 32])
        let plain = model.encodeImages(images).value
        // A zero-initialised serial adapter after attention and a parallel one beside the MLP (AIM's
        // S-Adapter and MLP-Adapter positions): at step 0 the model is unchanged.
        let width = model.config.vision.width
        let serial = Parameter("adapter.serial", Tensor(zeros: [width, width]))
        let parallel = Parameter("adapter.parallel", Tensor(zeros: [width, width]))
        let adapters = [1: BlockAdapters(afterAttention: { x, t in t.add(x, t.linear(x, weight: t.parameter(serial))) },
                                         besideMLP: { h, t in t.scale(t.linear(h, weight: t.parameter(parallel)), 0.5) })]
        #expect(model.encodeImages(images, adapters: adapters).value == plain)
        let tape = Tape()
        tape.backward(tape.sumAll(model.encodeImages(images, tape: tape, adapters: adapters)))
        #expect(serial.grad != nil && parallel.grad != nil)
        #expect(sumAll(serial.grad!.reshaped([-1])) != 0)
        #expect(model.parameters.allSatisfy { $0.grad == nil })
        serial.value = DeterministicParameters.tensor("adapter.serial", [width, width], scale: 0.05)
        #expect(model.encodeImages(images, adapters: adapters).value != plain)
        // The shared blocks keep no state: a call without adapters is plain CLIP again.
        #expect(model.encodeImages(images).value == plain)
    }

    @Test func twoAdapterSetsRunAtOnceOnOneBackbone() {
        let model = CLIPModel(config: .tiny)
        model.fillDeterministic()
        let images = DeterministicParameters.tensor("hook.images", [2, 3, 32, 32])
        let width = model.config.vision.width
        func set(_ name: String) -> [Int: BlockAdapters] {
            let w = Parameter(name, DeterministicParameters.tensor(name, [width, width], scale: 0.05))
            return [0: BlockAdapters(afterAttention: { x, t in t.add(x, t.linear(x, weight: t.parameter(w))) })]
        }
        let a = set("a"), b = set("b")
        let alone = [model.encodeImages(images, adapters: a).value, model.encodeImages(images, adapters: b).value]
        nonisolated(unsafe) var together = [Tensor?](repeating: nil, count: 2)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let r = model.encodeImages(images, adapters: i == 0 ? a : b).value
            lock.withLock { together[i] = r }
        }
        #expect(together[0] == alone[0] && together[1] == alone[1] && alone[0] != alone[1])
    }

    @Test func keptProductsGoToTheBlocksThatBackwardReaches() {
        var config = CLIPConfig.tiny
        config.vision.layers = 6
        let vision = CLIPModel(config: config).vision
        let perBlock = vision.blocks[0].keptBytes(tokens: 2 * config.vision.tokens)
        // q, k, v and out (4 × 64 wide) and fc1 (128) for every token of both images.
        #expect(perBlock == 2 * 17 * (4 * 64 + 128) * 4)
        let adapters = Dictionary(uniqueKeysWithValues: (3..<6).map { ($0, BlockAdapters()) })
        // Blocks below the first adapter are never replayed; the budget holds whole blocks.
        #expect(vision.keptBlocks(images: 2, adapters: adapters, recompute: .blocks(keeping: perBlock * 5 / 2)) == 3..<5)
        #expect(vision.keptBlocks(images: 2, adapters: adapters, recompute: .blocks(keeping: perBlock * 9)) == 3..<6)
        #expect(vision.keptBytes(images: 2, adapters: adapters, recompute: .blocks(keeping: perBlock * 9)) == 3 * perBlock)
        #expect(vision.keptBlocks(images: 2, adapters: adapters, recompute: .off).isEmpty)
        #expect(vision.keptBlocks(images: 2, adapters: [:], recompute: .standard).isEmpty)
        #expect(Recomputation.blocks(keeping: 10).spending(25) == .blocks(keeping: 0))
    }

    @Test func theParameterTreeIsExactlyTheHuggingFaceStateDict() throws {
        let model = CLIPModel(config: .tiny)
        let names = model.namedParameters().map(\.name)
        #expect(Set(names).count == names.count)
        // The fixture folder was saved by transformers' CLIPModel: its keys, less the position-id
        // buffers, are exactly our parameter names.
        let file = try SafeTensorsFile(path: CLIPFixtures.directory.appendingPathComponent("clip-tiny-hf/model.safetensors").path)
        #expect(Set(file.entries.keys.filter { !WeightMap.ignorable($0) }) == Set(names))
        #expect(names.contains("vision_model.encoder.layers.1.self_attn.q_proj.weight"))
        #expect(model.trainableParameters.isEmpty)
    }

    @Test func presetSizes() {
        #expect(CLIPConfig.vitB16.vision.tokens == 197 && CLIPConfig.vitB32.vision.tokens == 50 && CLIPConfig.vitL14.vision.tokens == 257)
        #expect(CLIPConfig.vitL14.projectionDim == 768 && CLIPConfig.vitB16.text.contextLength == 77)
    }
}
