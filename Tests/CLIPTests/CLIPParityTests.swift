import Foundation
import Testing
import TensorCore
import TestSupport
@testable import CLIP

/// The Swift CLIP against Hugging Face transformers (Tests/Reference/clip_reference.py), with the
/// same deterministic weights. Tiny model: every hidden state within |Δ| ≤ 1e-6 + 1e-5·|ref|;
/// full-size ViT-B/16 and text encoder: embeddings within 1e-4 relative to their largest element.
@Suite(.serialized) struct CLIPParityTests {
    static let reference = try! SafeTensorsFile(path: CLIPFixtures.directory.appendingPathComponent("clip_reference.safetensors").path)

    static func ids(_ prefix: String) throws -> [[Int]] {
        let flat = try reference.integers("\(prefix).ids").map { Int($0) }
        let lengths = try reference.integers("\(prefix).lengths").map { Int($0) }
        let width = flat.count / lengths.count
        return lengths.enumerated().map { i, n in Array(flat[(i * width)..<(i * width + n)]) }
    }

    static func texts(_ key: String) -> [String] {
        let json = try! JSONSerialization.jsonObject(with: Data(reference.metadata["texts"]!.utf8)) as! [String: [String]]
        return json[key]!
    }

    @Test func tinyModelMatchesLayerByLayer() throws {
        let model = CLIPModel(config: .tiny)
        model.fillDeterministic()
        let f = Self.reference
        var worst: Float = 0
        func compare(_ got: Tensor, _ key: String) throws {
            let r = got.compare(to: try f.tensor(key), rtol: 1e-5, atol: 1e-6)
            #expect(r.withinTolerance, "\(key): \(r)")
            worst = max(worst, r.maxAbsoluteError)
        }
        var visionHidden: [Tensor] = [], textHidden: [Tensor] = []
        let pooled = model.vision.forward(try f.tensor("tiny.images"), tape: Tape(recording: false)) { visionHidden.append($1) }
        for (i, h) in visionHidden.enumerated() { try compare(h, "tiny.vision_hidden.\(i)") }
        try compare(pooled.value, "tiny.vision_pooled")
        try compare(model.encodeImages(try f.tensor("tiny.images")).value, "tiny.image_embeds")

        let ids = try Self.ids("tiny")
        #expect(Self.texts("tiny").map { CLIPFixtures.tokenizer.tokenize($0, contextLength: 16) } == ids)
        let textPooled = model.text.forward(ids, tape: Tape(recording: false)) { textHidden.append($1) }
        for (i, h) in textHidden.enumerated() { try compare(h, "tiny.text_hidden.\(i)") }
        try compare(textPooled.value, "tiny.text_pooled")
        try compare(model.encodeTexts(ids).value, "tiny.text_embeds")
        print("tiny CLIP parity: max |Δ| \(worst) over \(visionHidden.count + textHidden.count) hidden states and embeddings")
    }

    @Test func huggingFaceFolderWithF16WeightsLoads() throws {
        let dir = CLIPFixtures.directory.appendingPathComponent("clip-tiny-hf").path
        let model = try CLIPModel.load(huggingFaceFolder: dir)
        #expect(model.config == .tiny)
        let f = Self.reference
        let images = model.encodeImages(try f.tensor("tiny.images")).value
        let texts = model.encodeTexts(try Self.ids("tiny")).value
        let ri = images.compare(to: try f.tensor("folder.image_embeds"), rtol: 1e-5, atol: 1e-6)
        let rt = texts.compare(to: try f.tensor("folder.text_embeds"), rtol: 1e-5, atol: 1e-6)
        #expect(ri.withinTolerance && rt.withinTolerance, "image \(ri), text \(rt)")
        let folderTokenizer = try BPETokenizer(vocabJSON: dir + "/vocab.json", mergesFile: dir + "/merges.txt")
        // Special-token spellings differ between the two files (<|endoftext|> vs <end_of_text>).
        for c in TokenizerTests.cases where !c.text.contains("_of_text>") && !c.text.contains("oftext|>") {
            #expect(folderTokenizer.tokenize(c.text) == c.ids, "\(c.text.debugDescription)")
        }
    }

    @Test func fullSizeViTB16AndTextEncoderMatch() throws {
        let model = CLIPModel(config: .vitB16)
        model.fillDeterministic()
        let f = Self.reference
        func relative(_ got: Tensor, _ key: String) throws -> Float {
            let want = try f.tensor(key)
            let scale = want.scalars.map { abs($0) }.max()!
            return got.compare(to: want, rtol: 0, atol: .infinity).maxAbsoluteError / scale
        }
        let image = try relative(model.encodeImages(try f.tensor("b16.image")).value, "b16.image_embeds")
        let ids = try Self.ids("b16")
        #expect(Self.texts("b16").map { CLIPFixtures.tokenizer.tokenize($0) } == ids)
        let text = try relative(model.encodeTexts(ids).value, "b16.text_embeds")
        print("ViT-B/16 parity: image embedding max rel err \(image), text embeddings max rel err \(text)")
        #expect(image < 1e-4 && text < 1e-4)
    }

    // MARK: Malformed checkpoints

    static func copyFolder(_ scratch: Scratch) throws -> String {
        let src = CLIPFixtures.directory.appendingPathComponent("clip-tiny-hf").path, dst = scratch.path("model")
        try FileManager.default.copyItem(atPath: src, toPath: dst)
        return dst
    }

    static func rewriteWeights(_ dir: String, _ edit: (inout [String: Tensor]) -> Void) throws {
        let file = try SafeTensorsFile(path: dir + "/model.safetensors")
        var tensors: [String: Tensor] = [:]
        for name in file.names { tensors[name] = try file.tensor(name) }
        edit(&tensors)
        var w = SafeTensorsWriter(metadata: file.metadata)
        for (k, v) in tensors { w.add(k, v) }
        try w.write(to: dir + "/model.safetensors")
    }

    @Test func missingMisshapedAndUnexpectedTensorsAreListed() throws {
        let scratch = Scratch()
        let dir = try Self.copyFolder(scratch)
        try Self.rewriteWeights(dir) { t in
            t["vision_model.encoder.layers.1.mlp.fc2.bias"] = nil
            t["text_projection.weight"] = Tensor(zeros: [24, 31])
            t["extra.weight"] = Tensor(zeros: [2])
        }
        do {
            _ = try CLIPModel.load(huggingFaceFolder: dir)
            Issue.record("a broken checkpoint loaded")
        } catch let e as CLIPError {
            guard case let .weights(_, missing, unexpected, misshaped) = e else { Issue.record("\(e)"); return }
            #expect(missing == ["vision_model.encoder.layers.1.mlp.fc2.bias"])
            #expect(unexpected == ["extra.weight"])
            #expect(misshaped == ["text_projection.weight is [24, 31], expected [24, 32]"])
            #expect(e.description.contains("missing 1") && e.description.contains("wrong shape 1"))
        }
    }

    @Test func unknownArchitectureAndMissingFiles() throws {
        let scratch = Scratch()
        let dir = try Self.copyFolder(scratch)
        try #"{"model_type": "bert", "architectures": ["BertModel"]}"#.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        #expect(throws: CLIPError.self) { try CLIPModel.load(huggingFaceFolder: dir) }
        try FileManager.default.removeItem(atPath: dir + "/config.json")
        #expect(throws: CLIPError.missingFile(path: dir + "/config.json", what: "config.json")) { try CLIPModel.load(huggingFaceFolder: dir) }
    }
}
