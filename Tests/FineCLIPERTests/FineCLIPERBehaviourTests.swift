import Foundation
import Testing
import TestSupport
@testable import CLIP
@testable import FineCLIPER
import TensorCore

@Suite(.serialized) struct FineCLIPERBehaviourTests {
    typealias Parity = FineCLIPERParityTests

    @Test func zeroInitialisedAdaptersReproducePlainCLIPExactly() throws {
        let model = try Parity.model()
        model.initialize(seed: 3)
        let images = try Parity.reference.tensor("input.video")
        let plain = model.clip.encodeImages(images).value
        for set in [model.videoAdapters!, model.parsingAdapters!] {
            #expect(model.clip.encodeImages(images, adapters: set.blockAdapters(dropPath: nil)).value == plain)
        }
        let ids = try Parity.ragged("positive_ids")
        let text = model.clip.encodeTexts(ids).value
        for set in [model.positiveAdapters, model.negativeAdapters!, model.descriptionAdapters!] {
            #expect(model.clip.encodeTexts(ids, adapters: set.blockAdapters(dropPath: nil)).value == text)
        }
        // fc1 is random, fc2 is zero; fusion starts equal.
        #expect(model.videoAdapters!.serial[0]!.fc1.weight.value.scalars.contains { $0 != 0 })
        #expect(model.videoAdapters!.serial[0]!.fc2.weight.value.scalars.allSatisfy { $0 == 0 })
        let (batch, prompts) = try Parity.batch()
        let weights = try model.forward(batch, prompts: prompts).output.fusionWeights
        #expect(weights.values.allSatisfy { abs($0 - 0.25) < 1e-7 })
    }

    @Test func cachedFramesGiveTheSameResultAsImagesWhenVisualAdaptersAreOff() throws {
        var config = Parity.config()
        config.adapters.visualAdaptersOff = true
        let clip = CLIPModel(config: .tiny)
        clip.fillDeterministic()
        let model = try FineCLIPERModel(config: config, clip: clip)
        model.initialize(seed: 1)
        let (batch, prompts) = try Parity.batch()
        var cached = batch
        for (s, input) in batch.streams {
            guard case let .images(images) = input else { continue }
            cached.streams[s] = .features(clip.encodeImages(images).value.reshaped([2, 4, 24]))
        }
        let a = try model.forward(batch, prompts: prompts).output, b = try model.forward(cached, prompts: prompts).output
        #expect(a == b)
        // With adapters on, cached features are refused: they would skip the adapters.
        let adapted = try Parity.model()
        #expect(throws: ModelError.self) { try adapted.forward(cached, prompts: prompts) }
    }

    @Test func finiteDifferencesAgreeWithAdapterTemporalAndFusionGradients() throws {
        let model = try Parity.model()
        let (batch, prompts) = try Parity.batch()
        try Self.expectFiniteDifferences(model, batch, prompts, probes: [
            (model.videoAdapters!.serial[1]!.fc1.weight, 5), (model.videoAdapters!.parallel[0]!.fc2.weight, 17),
            (model.positiveAdapters.serial[0]!.fc1.bias!, 2), (model.negativeAdapters!.parallel[1]!.fc2.weight, 40),
            (model.descriptionAdapters!.serial[1]!.fc1.weight, 9),
            (model.videoTemporal!.layers[0].attention.qkv!.weight, 100), (model.parsingTemporal!.classToken, 3),
            (model.landmarkTemporal!.layers[0].feedForward.fc1.weight, 33), (model.fusionLogits!, 1),
        ])
    }

    /// Backward once, then each probed value's gradient against central differences of the loss.
    static func expectFiniteDifferences(_ model: FineCLIPERModel, _ batch: ClipBatch, _ prompts: ClassPrompts, probes: [(Parameter, Int)]) throws {
        let tape = Tape()
        tape.backward(try model.forward(batch, prompts: prompts, tape: tape).loss!)
        for (p, i) in probes {
            let analytic = p.grad!.scalars[i]
            let original = p.value.scalars[i]
            func loss(_ v: Float) throws -> Double {
                p.value[flat: i] = v
                return Double(try model.forward(batch, prompts: prompts).output.loss!)
            }
            let h: Float = 1e-2 * max(1, abs(original))
            let numeric = (try loss(original + h) - loss(original - h)) / Double(2 * h)
            p.value[flat: i] = original
            #expect(analytic != 0, "\(p.name)[\(i)] gets no gradient")
            #expect(abs(Double(analytic) - numeric) <= 2e-2 * max(1, abs(numeric)), "\(p.name)[\(i)]: analytic \(analytic), numeric \(numeric)")
        }
    }

    @Test func oneAndTwoThreadsGiveBitIdenticalForwardAndBackward() throws {
        func run(threads: Int) throws -> ([[Float]], [Tensor]) {
            Parallelism.setThreads(threads)
            defer { Parallelism.setThreads(Parallelism.available) }
            let model = try Parity.model()
            let (batch, prompts) = try Parity.batch()
            let tape = Tape()
            let pass = try model.forward(batch, prompts: prompts, tape: tape)
            tape.backward(pass.loss!)
            return (pass.output.logits, model.trainableParameters.map { $0.grad! })
        }
        let one = try run(threads: 1), two = try run(threads: 2)
        #expect(one.0 == two.0)
        #expect(one.1 == two.1)
    }

    @Test func recomputedBlocksGiveTheSameGradientsAsKeptActivations() throws {
        // One block's kept products for the batch's 2 clips × 4 frames (all three streams' passes
        // are the same size): a budget of 1.5 blocks keeps them in the first block only.
        let v = CLIPConfig.tiny.vision
        let blockBytes = CLIPModel(config: .tiny).vision.blocks[0].keptBytes(tokens: 2 * 4 * ((v.imageSize / v.patchSize) * (v.imageSize / v.patchSize) + 1))
        for mode in [ForwardMode.eval, .train(seed: 9)] {
            func grads(_ recompute: Recomputation) throws -> (Float, [Tensor]) {
                let model = try Parity.model()
                let (batch, prompts) = try Parity.batch()
                let tape = Tape()
                let pass = try model.forward(batch, prompts: prompts, tape: tape, mode: mode, recompute: recompute)
                tape.backward(pass.loss!)
                return (pass.output.loss!, model.trainableParameters.map { $0.grad! })
            }
            let kept = try grads(.off), recomputed = try grads(.blocks(keeping: 0))
            #expect(kept.0 == recomputed.0)
            for (a, b) in zip(kept.1, recomputed.1) {
                #expect(a.compare(to: b, rtol: 1e-6, atol: 1e-9).withinTolerance)
            }
            // Products kept from the first run are the values the replay would compute: the same
            // gradients, bit for bit, whether one block keeps them or all do.
            for budget in [blockBytes * 3 / 2, Int(Int32.max)] {
                let partly = try grads(.blocks(keeping: budget))
                #expect(partly.0 == recomputed.0)
                #expect(partly.1 == recomputed.1)
            }
        }
    }

    @Test func liveWindowScoresEndAtTheClipScore() throws {
        let model = try Parity.model()
        let (batch, prompts) = try Parity.batch()
        let o = try model.forward(batch, prompts: prompts, windowFrames: 4).output
        #expect(o.windowProbabilities.count == 2 && o.windowProbabilities.allSatisfy { $0.count == 4 && $0.allSatisfy { $0.count == 7 } })
        // The window ending at the last frame covers the whole clip: the clip's own probabilities.
        for c in 0..<2 {
            #expect(zip(o.windowProbabilities[c][3], o.probabilities[c]).allSatisfy { abs($0 - $1) < 1e-5 })
        }
        // Earlier windows see fewer frames and differ.
        #expect(o.windowProbabilities[0][0] != o.windowProbabilities[0][3])
        #expect(try model.forward(batch, prompts: prompts).output.windowProbabilities.isEmpty)
    }

    @Test func dropPathIsSeededAndOnlyInTraining() throws {
        let model = try Parity.model()
        let (batch, prompts) = try Parity.batch()
        let eval = try model.forward(batch, prompts: prompts).output.loss!
        let a = try model.forward(batch, prompts: prompts, mode: .train(seed: 1)).output.loss!
        let again = try model.forward(batch, prompts: prompts, mode: .train(seed: 1)).output.loss!
        let other = try model.forward(batch, prompts: prompts, mode: .train(seed: 2)).output.loss!
        #expect(a == again && a != eval && other != a)
        var config = Parity.config()
        config.adapters.dropPath = 0
        let clip = CLIPModel(config: .tiny)
        clip.fillDeterministic()
        let noDrop = try FineCLIPERModel(config: config, clip: clip)
        for (p, q) in zip(noDrop.trainableParameters, model.trainableParameters) { p.value = q.value }
        #expect(try noDrop.forward(batch, prompts: prompts, mode: .train(seed: 1)).output.loss! == eval)
    }

    @Test func modalityDropoutIsSeededOnlyInTrainingAndNeverDropsEverything() throws {
        let clip = CLIPModel(config: .tiny)
        clip.fillDeterministic()
        func model(_ rate: Float?) throws -> FineCLIPERModel {
            var config = Parity.config()
            config.adapters.dropPath = 0
            config.modalityDropout = rate
            let m = try FineCLIPERModel(config: config, clip: clip)
            m.initialize(seed: 1)
            return m
        }
        let (batch, prompts) = try Parity.batch()
        let plain = try model(nil), dropping = try model(0.5), everything = try model(0.999_9)
        let eval = try plain.forward(batch, prompts: prompts).output
        #expect(try dropping.forward(batch, prompts: prompts).output == eval)
        #expect(try plain.forward(batch, prompts: prompts, mode: .train(seed: 1)).output.loss == eval.loss)
        let losses = try (1...4).map { try dropping.forward(batch, prompts: prompts, mode: .train(seed: $0)).output.loss! }
        #expect(try dropping.forward(batch, prompts: prompts, mode: .train(seed: 1)).output.loss == losses[0])
        #expect(losses.contains { $0 != eval.loss! })
        // A fusion that weighs only the video cannot lose it.
        var videoOnly = Parity.config()
        videoOnly.modalityDropout = 0.3; videoOnly.adaptiveFusion = false; videoOnly.fixedVideoWeight = 1
        #expect(videoOnly.validate()?.contains("modality dropout") == true)
        // A clip that would lose every modality keeps them all.
        #expect(try everything.forward(batch, prompts: prompts, mode: .train(seed: 1)).output.loss == eval.loss)

        // The mask: per (clip, modality), the rate's share dropped, shards agree with the whole batch.
        let modalities = Variant.all.modalities
        let mask = dropping.modalityMask(rate: 0.3, seed: 7, firstClip: 0, clips: 2000, modalities: modalities, width: 3)
        let kept = (0..<2000).map { c in (0..<4).map { mask.scalars[(c * 3) * 4 + $0] } }
        #expect(kept.allSatisfy { $0.contains(1) })
        for j in 0..<4 { #expect(abs(Float(kept.filter { $0[j] == 0 }.count) / 2000 - 0.3) < 0.04) }
        let values = mask.scalars
        let sameAcrossWidth = (0..<(2000 * 3)).allSatisfy { row in Array(values[(row * 4)..<(row * 4 + 4)]) == kept[row / 3] }
        #expect(sameAcrossWidth)
        let shard = dropping.modalityMask(rate: 0.3, seed: 7, firstClip: 100, clips: 50, modalities: modalities, width: 3)
        #expect(shard.scalars == Array(values[(100 * 12)..<(150 * 12)]))
    }

    @Test func checkpointsDescribeThemselvesAndRefuseAnotherModel() throws {
        let scratch = Scratch()
        let model = try Parity.model()
        let path = scratch.path("model.safetensors")
        try ModelCheckpoint.save(model, to: path, tensors: ["optimizer.step": Tensor(scalar: 3)])
        let file = try SafeTensorsFile(path: path)
        #expect(try ModelCheckpoint.config(of: file) == model.config)
        let clip = CLIPModel(config: .tiny)
        clip.fillDeterministic()
        let fresh = try FineCLIPERModel(config: model.config, clip: clip)
        try ModelCheckpoint.load(into: fresh, from: file)
        let (batch, prompts) = try Parity.batch()
        #expect(try fresh.forward(batch, prompts: prompts).output == model.forward(batch, prompts: prompts).output)

        var low = model.config
        low.variant = .low
        let lowModel = try FineCLIPERModel(config: low, clip: clip)
        #expect { try ModelCheckpoint.load(into: lowModel, from: file) } throws: { error in
            let text = "\(error)"
            return text.contains("variant all, the model is low") && text.contains("unexpected tensors: adapters.description")
        }
        var mafw = model.config
        mafw.classNames = FineCLIPERConfig.elevenClassNouns
        let mafwModel = try FineCLIPERModel(config: mafw, clip: clip)
        #expect { try ModelCheckpoint.load(into: mafwModel, from: file) } throws: { "\($0)".contains("7 classes") }
        #expect(throws: ModelError.self) {
            try ModelCheckpoint.config(of: try SafeTensorsFile(path: FineCLIPERParityTests.fixtures.appendingPathComponent("fineclip_reference.safetensors").path))
        }
    }

    @Test func promptsFollowTheTemplateAndTheNegativeWord() throws {
        var config = Parity.config()
        let tokenizer = try BPETokenizer(bpeFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("assets/bpe_simple_vocab_16e6.txt").path)
        let prompts = ClassPrompts(config: config, tokenizer: tokenizer)
        #expect(prompts.positiveTexts[0] == "A person with an expression of happiness")
        #expect(prompts.negativeTexts[6] == "A person with an expression of no fear")
        #expect(prompts.positive[0].first == 49406 && prompts.positive[0].last == 49407 && prompts.positive[0].count < 16)
        config.negativeWord = "less"
        #expect(ClassPrompts(config: config, tokenizer: tokenizer).negativeTexts[1] == "A person with an expression of less sadness")
    }

    @Test func variantsCarryTheirStreamsAndGroups() throws {
        let clip = CLIPModel(config: .tiny)
        for variant in Variant.allCases {
            let m = try FineCLIPERModel(config: FineCLIPERConfig(clip: .tiny, variant: variant, classNames: FineCLIPERConfig.sevenClassNouns), clip: clip)
            let groups = Set(m.parameterGroups.map(\.name))
            #expect(groups.contains("parsing adapters") == (variant == .mid || variant == .all))
            #expect(groups.contains("description adapters") == variant.usesDescriptions)
            #expect(m.parameterGroups.flatMap(\.parameters).count == m.trainableParameters.count)
        }
    }
}
