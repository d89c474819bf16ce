import CLIP
import Datasets
import Media
import Foundation
import Testing
import TestSupport
import TensorCore
@testable import Training

/// Contrastive pretraining: the pairs, learning, the exported CLIP folder, and resuming.
@Suite(.serialized) struct PretrainerTests {
    static func config(steps: Int) -> PretrainConfig {
        var c = PretrainConfig()
        c.clip = "tiny"; c.steps = steps; c.batch = 16; c.warmup = 2; c.probePairs = 21; c.probeEvery = 2; c.checkpointEvery = 2
        return c
    }

    @Test func pairsAreAFunctionOfSeedAndIndex() {
        let a = PretrainPairs.pair(seed: 3, index: 17, size: 32, augment: true)
        let b = PretrainPairs.pair(seed: 3, index: 17, size: 32, augment: true)
        let c = PretrainPairs.pair(seed: 3, index: 18, size: 32, augment: true)
        #expect(a.image == b.image && a.text == b.text && a.label == b.label && a.stream == b.stream)
        #expect(a.image != c.image)
        #expect(a.image.width == 32 && a.image.height == 32)
        // Over many pairs: every class, every stream and every kind of text appears.
        let many = (0..<300).map { PretrainPairs.pair(seed: 1, index: UInt64($0), size: 16, augment: true) }
        #expect(Set(many.map(\.label)).count == 7 && Set(many.map(\.stream)).count == 3)
        #expect(many.contains { PretrainPairs.classPrompts.contains($0.text) })
        #expect(many.contains { $0.text.contains(": ") } && many.contains { $0.text.hasPrefix("the ") })
        #expect(many.contains { $0.text.contains("clip") }, "movement descriptions")
        // A class prompt names the class the frame shows.
        for p in many where PretrainPairs.classPrompts.contains(p.text) { #expect(p.text == PretrainPairs.classPrompts[p.label]) }
    }

    /// Pairs showing a real face (here a drawn frame stands in for the photo) keep the text, class
    /// and stream the same index has without it; only the picture changes, and it is repeatable.
    @Test func realFacePairsChangeOnlyThePicture() {
        let donor = SyntheticClip(id: "donor", label: "Neutral", seed: 9, frameCount: 2, size: 160)
        let texture = FaceTexture(name: "drawn", image: donor.render(frame: 0).image, landmarks: donor.landmarks(at: 0))
        let a = PretrainPairs.pair(seed: 3, index: 17, size: 32, augment: true, textures: [texture], realFaces: 1)
        let b = PretrainPairs.pair(seed: 3, index: 17, size: 32, augment: true, textures: [texture], realFaces: 1)
        let plain = PretrainPairs.pair(seed: 3, index: 17, size: 32, augment: true)
        #expect(a.image == b.image && a.image != plain.image)
        #expect(a.text == plain.text && a.label == plain.label && a.stream == plain.stream)
        #expect(PretrainPairs.pair(seed: 3, index: 17, size: 32, augment: true, textures: [texture], realFaces: 0).image == plain.image)
        // With the photo's own proportions (another person's shape) only the picture changes too.
        let other = SyntheticClip(id: "other", label: "Neutral", seed: 10, frameCount: 2, size: 160)
        let shaped = FaceTexture(name: "other", image: other.render(frame: 0).image, landmarks: other.landmarks(at: 0))
        let own = PretrainPairs.pair(seed: 3, index: 17, size: 32, augment: true, textures: [shaped], realFaces: 1, photoShapes: true)
        let drawn = PretrainPairs.pair(seed: 3, index: 17, size: 32, augment: true, textures: [shaped], realFaces: 1)
        #expect(own.image != drawn.image && own.text == drawn.text && own.label == drawn.label && own.stream == drawn.stream)
    }

    /// A photo that already shows a class only appears in pairs of that class, and shows it from
    /// the first frame: never labelled neutral, never called relaxed and still.
    @Test func aPhotoShowingAClassOnlyPairsWithIt() {
        let donor = SyntheticClip(id: "donor", label: "Neutral", seed: 9, frameCount: 2, size: 160)
        let resting = FaceTexture(name: "resting", image: donor.render(frame: 0).image, landmarks: donor.landmarks(at: 0))
        var smiling = resting.mirrored()   // another picture, so a wrong choice shows
        smiling.name = "smiling"; smiling.expression = "Happy"
        let happy = EmotionClasses.seven.firstIndex(of: "Happy")!
        var seen = 0
        for index in 0..<200 {
            let pair = PretrainPairs.pair(seed: 4, index: UInt64(index), size: 16, augment: true, textures: [resting, smiling], realFaces: 1)
            let alone = PretrainPairs.pair(seed: 4, index: UInt64(index), size: 16, augment: true, textures: [smiling], realFaces: 1)
            let plain = PretrainPairs.pair(seed: 4, index: UInt64(index), size: 16, augment: true)
            if alone.image != plain.image {   // the smiling photo was used
                seen += 1
                #expect(alone.label == happy && !alone.text.contains("relaxed and still"))
            } else {
                #expect(plain.label != happy, "a happy pair always takes the only photo that fits it")
            }
            // Pairs labelled otherwise show the resting face, as without the smiling one.
            if pair.label != happy { #expect(pair.image == PretrainPairs.pair(seed: 4, index: UInt64(index), size: 16, augment: true,
                                                                               textures: [resting], realFaces: 1).image) }
        }
        #expect(seen > 10)
    }

    /// The whole loss's gradient with respect to weights of both towers and the logit scale,
    /// against central differences in Double.
    @Test func gradientsMatchFiniteDifferences() throws {
        let scratch = Scratch()
        let p = try Pretrainer(config: Self.config(steps: 1), folder: scratch.path("run"), resume: false, bpeFile: TrainerTests.bpe)
        var pairs = Pretrainer.pairs(seed: 2, indices: Array(0..<6), size: 32)
        pairs[3].text = pairs[1].text   // a repeated text: soft targets
        let tape = Tape()
        tape.backward(p.contrastiveLoss(pairs, tape: tape))
        let named = Dictionary(uniqueKeysWithValues: p.clip.namedParameters().map { ($0.name, $0.parameter) })
        let probes = ["logit_scale", "vision_model.embeddings.patch_embedding.weight", "vision_model.embeddings.class_embedding",
                      "vision_model.encoder.layers.0.self_attn.q_proj.weight", "vision_model.post_layernorm.bias", "visual_projection.weight",
                      "text_model.encoder.layers.1.mlp.fc1.weight", "text_model.final_layer_norm.weight", "text_projection.weight"]
        for name in probes {
            let param = try #require(named[name])
            let grad = try #require(param.grad, "\(name) got no gradient")
            var g = SeededGenerator(seed: 7)
            for _ in 0..<3 {
                let j = g.integer(below: param.value.count)
                let h: Float = 1e-2
                func loss(_ delta: Float) -> Double {
                    let saved = param.value
                    param.value.withUnsafeMutableBufferPointer { $0[j] += delta }
                    defer { param.value = saved }
                    return Double(p.contrastiveLoss(pairs, tape: Tape(recording: false)).value.item)
                }
                let numeric = (loss(h) - loss(-h)) / Double(2 * h)
                let analytic = Double(grad.withUnsafeBufferPointer { $0[j] })
                #expect(abs(analytic - numeric) <= 2e-3 + 2e-2 * abs(numeric), "\(name)[\(j)]: analytic \(analytic), numeric \(numeric)")
            }
        }
    }

    @Test func lossFallsOnARepeatedBatch() throws {
        let scratch = Scratch()
        let p = try Pretrainer(config: Self.config(steps: 10), folder: scratch.path("run"), resume: false, bpeFile: TrainerTests.bpe)
        let pairs = Pretrainer.pairs(seed: 1, indices: Array(0..<16), size: 32)
        var losses: [Double] = []
        for _ in 0..<30 { losses.append(try p.step(pairs, lrFactor: 3)) }
        #expect(losses.last! < 0.7 * losses.first!, "\(losses)")
    }

    @Test func runExportsAFolderAndResumesExactly() throws {
        let scratch = Scratch()
        let straight = try Pretrainer(config: Self.config(steps: 4), folder: scratch.path("a"), resume: false, bpeFile: TrainerTests.bpe)
        let done = try straight.run()
        #expect(done.status == "finished" && done.step == 4)
        // The export loads as any Hugging Face CLIP folder, with the trained weights.
        let loaded = try CLIPModel.load(huggingFaceFolder: straight.exportFolder)
        #expect(loaded.config == straight.clip.config)
        for ((ka, a), (kb, b)) in zip(loaded.namedParameters(), straight.clip.namedParameters()) { #expect(ka == kb && a.value == b.value) }

        // Stopped after 3 steps, between the checkpoints every 2 (the stop writes one), then
        // resumed: the same weights bit for bit.
        var asked = 0
        let first = try Pretrainer(config: Self.config(steps: 4), folder: scratch.path("b"), resume: false, bpeFile: TrainerTests.bpe)
        let stopped = try first.run(shouldStop: { asked += 1; return asked > 3 })
        #expect(stopped.status == "stopped" && stopped.step == 3)
        #expect(throws: TrainError.self) { try Pretrainer(config: Self.config(steps: 4), folder: scratch.path("b"), resume: false, bpeFile: TrainerTests.bpe) }
        let resumed = try Pretrainer(config: Self.config(steps: 4), folder: scratch.path("b"), resume: true, bpeFile: TrainerTests.bpe)
        #expect(resumed.state.step == 3)
        try resumed.run()
        for ((_, a), (_, b)) in zip(resumed.clip.namedParameters(), straight.clip.namedParameters()) { #expect(a.value == b.value) }
        let log = try EventLog.read(scratch.path("b") + "/events.jsonl")
        #expect(log.malformedLines == 0 && log.unknownKinds == 0)
        #expect(log.events.filter { if case .pretrain = $0 { return true } else { return false } }.count == 2)
        #expect(log.events.contains { if case let .epoch(e) = $0 { return e.confusion.total == 21 } else { return false } })
    }

    @Test func aCheckpointOfAnotherConfigurationIsRefused() throws {
        let scratch = Scratch()
        try Pretrainer(config: Self.config(steps: 2), folder: scratch.path("a"), resume: false, bpeFile: TrainerTests.bpe).run()
        var other = Self.config(steps: 2)
        other.batch = 8
        #expect(throws: TrainError.self) { try Pretrainer(config: other, folder: scratch.path("a"), resume: true, bpeFile: TrainerTests.bpe) }
    }

    /// The run records which real faces its pairs show, and resumes only with the same ones.
    @Test func theRealFacesAreRecordedAndMustStayTheSame() throws {
        let scratch = Scratch()
        let donor = SyntheticClip(id: "donor", label: "Neutral", seed: 9, frameCount: 2, size: 160)
        let texture = FaceTexture(name: "drawn", image: donor.render(frame: 0).image, landmarks: donor.landmarks(at: 0))
        var config = Self.config(steps: 2)
        config.realFaces = 0.5
        let run = try Pretrainer(config: config, folder: scratch.path("a"), resume: false, bpeFile: TrainerTests.bpe, textures: [texture, texture.mirrored()])
        #expect(run.config.textures == ["drawn", "drawn~mirror"])
        try run.run()
        #expect(throws: TrainError.self) {
            try Pretrainer(config: config, folder: scratch.path("a"), resume: true, bpeFile: TrainerTests.bpe, textures: [texture])
        }
        #expect(try Pretrainer(config: config, folder: scratch.path("a"), resume: true, bpeFile: TrainerTests.bpe,
                               textures: [texture, texture.mirrored()]).state.step == 2)
    }
}

