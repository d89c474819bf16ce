import Foundation
import Testing
@testable import CLIP
@testable import FineCLIPER
import TensorCore

/// The model equals its PyTorch twin (Tests/Reference/fineclip_reference.py, on transformers' CLIP
/// modules) for 2 clips × 4 frames × 3 streams + descriptions: logits, PN cosines, fusion weights,
/// per-modality margins, frame probabilities, the loss, every trainable gradient, and 5 SGD steps.
@Suite struct FineCLIPERParityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let reference = try! SafeTensorsFile(path: fixtures.appendingPathComponent("fineclip_reference.safetensors").path)

    static func config() -> FineCLIPERConfig {
        var c = FineCLIPERConfig(clip: .tiny, variant: .all, classNames: FineCLIPERConfig.sevenClassNouns)
        c.adapters.middleLayers = [1]
        return c
    }

    static func model(dropPath: Float? = nil) throws -> FineCLIPERModel {
        let clip = CLIPModel(config: .tiny)
        clip.fillDeterministic()
        var c = config()
        if let dropPath { c.adapters.dropPath = dropPath }
        let model = try FineCLIPERModel(config: c, clip: clip)
        model.fillDeterministic()
        return model
    }

    static func ragged(_ key: String) throws -> [[Int]] {
        let lengths = try reference.integers(key + ".lengths").map(Int.init), values = try reference.integers(key + ".values").map(Int.init)
        var rows: [[Int]] = [], start = 0
        for n in lengths { rows.append(Array(values[start..<(start + n)])); start += n }
        return rows
    }

    static func batch() throws -> (ClipBatch, ClassPrompts) {
        var streams: [VisualStream: StreamInput] = [:]
        for s in VisualStream.allCases { streams[s] = .images(try reference.tensor("input.\(s.rawValue)")) }
        let batch = ClipBatch(clips: 2, frames: 4, streams: streams, descriptions: try ragged("description_ids"),
                              labels: try reference.integers("labels").map(Int.init))
        return (batch, ClassPrompts(positive: try ragged("positive_ids"), negative: try ragged("negative_ids")))
    }

    func tensor(_ rows: [[Float]]) -> Tensor { Tensor(shape: [rows.count, rows[0].count], values: rows.flatMap { $0 }) }

    @Test func forwardLossAndEveryGradientMatchTheTwin() throws {
        let model = try Self.model()
        let (batch, prompts) = try Self.batch()
        let r = Self.reference
        let tape = Tape()
        let pass = try model.forward(batch, prompts: prompts, tape: tape)
        let o = pass.output
        var worst: Float = 0
        func expectClose(_ a: Tensor, _ key: String, rtol: Float = 1e-4, atol: Float = 1e-5) throws {
            let report = a.compare(to: try r.tensor(key).reshaped(a.shape), rtol: rtol, atol: atol)
            worst = max(worst, report.maxRelativeError)
            #expect(report.withinTolerance, "\(key): \(report)")
        }
        try expectClose(tensor(o.logits), "logits", atol: 1e-3)
        try expectClose(tensor(o.positiveCosine), "positive_cosine")
        try expectClose(tensor(o.negativeCosine), "negative_cosine")
        try expectClose(Tensor(shape: [4], values: [Modality.video, .parsing, .landmarks, .description].map { o.fusionWeights[$0]! }), "fusion_weights")
        for m in Modality.allCases { try expectClose(tensor(o.modalityMargins[m]!), "margins.\(m.rawValue)") }
        try expectClose(Tensor(shape: [2, 4, 7], values: o.frameProbabilities.flatMap { $0.flatMap { $0 } }), "frame_probabilities", atol: 1e-4)
        try expectClose(Tensor(shape: [1], values: [o.loss!]), "loss")

        tape.backward(pass.loss!)
        let expected = Set(r.metadata["parameters"]!.split(separator: ",").map(String.init))
        #expect(Set(model.trainableParameters.map(\.name)) == expected)
        // Per tensor: max |Δ| relative to the tensor's largest reference value (elements near zero
        // carry only float32 summation-order noise), and numpy's allclose with rtol 1e-3.
        var worstGrad: Float = 0
        for p in model.trainableParameters {
            let g = try #require(p.grad, "\(p.name) has no gradient")
            let want = try r.tensor("grad.\(p.name)").reshaped(p.shape)
            let report = g.compare(to: want, rtol: 1e-3, atol: 1e-4)
            let scaleOfTensor = want.scalars.map(abs).max() ?? 0
            let relative = report.maxAbsoluteError / max(scaleOfTensor, 1e-6)
            worstGrad = max(worstGrad, relative)
            #expect(report.withinTolerance && relative < 1e-4, "grad \(p.name): \(report), \(relative) of its largest value")
        }
        // Frozen CLIP: no gradient buffers at all.
        #expect(model.clip.parameters.allSatisfy { $0.grad == nil })
        print("FineCLIPER parity: outputs max rel err \(worst), gradients max |Δ|/max|ref| \(worstGrad) over \(expected.count) tensors")
    }

    /// The losses of five optimizer steps on the same batch (llm.c's test style).
    /// Five steps of one pass over the batch, or of the trainer's passes per clip on `perClipThreads`.
    static func losses(of optimizer: SGD, model: FineCLIPERModel, batch: ClipBatch, prompts: ClassPrompts, perClipThreads: Int? = nil) throws -> [Float] {
        var losses: [Float] = []
        for step in 0..<5 {
            for p in model.trainableParameters { p.zeroGrad() }
            if let perClipThreads {
                let perClip = PerClipStep(model: model, prompts: prompts, threads: perClipThreads, recompute: .standard)
                losses.append(Float(try perClip.run(batch, seed: UInt64(step))))
            } else {
                let tape = Tape()
                let pass = try model.forward(batch, prompts: prompts, tape: tape)
                losses.append(pass.output.loss!)
                tape.backward(pass.loss!)
            }
            optimizer.step()
        }
        return losses
    }

    @Test func fiveSGDStepsFollowTheTwin() throws {
        let model = try Self.model()
        let (batch, prompts) = try Self.batch()
        let sgd = SGD([ParameterGroup(model.trainableParameters, learningRate: 0.01, weightDecay: 1e-4)], momentum: 0.9)
        let losses = try Self.losses(of: sgd, model: model, batch: batch, prompts: prompts)
        let report = Tensor(shape: [5], values: losses).compare(to: try Self.reference.tensor("sgd_losses"), rtol: 1e-4, atol: 1e-5)
        #expect(report.withinTolerance, "\(losses): \(report)")
        print("FineCLIPER 5 SGD steps: \(losses), \(report)")
    }

    /// The trainer's optimizer (`optimizerGroups` with TrainConfig's default rates, SGD with
    /// momentum 0.9 and weight decay 1e-4) against the twin's torch.optim.SGD with the same
    /// parameter groups: the losses of five steps.
    /// Also through the trainer's step (one pass per clip on two threads, blocks recomputed; the
    /// twin has no drop-path in this test, so the model is built without it).
    @Test(arguments: [nil, 2]) func theTrainersRecipeFollowsTheTwin(perClipThreads: Int?) throws {
        let model = try Self.model(dropPath: 0)
        let (batch, prompts) = try Self.batch()
        let sgd = SGD(model.optimizerGroups(adapterRate: 1e-3, temporalRate: 1e-2, fusionRate: 1e-2, weightDecay: 1e-4), momentum: 0.9)
        #expect(sgd.groups.map(\.name) == ["adapters", "temporal", "fusion"])
        #expect(sgd.groups.reduce(0) { $0 + $1.parameters.count } == model.trainableParameters.count)
        let losses = try Self.losses(of: sgd, model: model, batch: batch, prompts: prompts, perClipThreads: perClipThreads)
        let report = Tensor(shape: [5], values: losses).compare(to: try Self.reference.tensor("trainer_losses"), rtol: 1e-4, atol: 0)
        #expect(report.withinTolerance, "\(losses): \(report)")
        print("FineCLIPER trainer recipe, 5 steps\(perClipThreads.map { ", per clip on \($0) threads" } ?? ""): \(losses), \(report)")
    }
}
