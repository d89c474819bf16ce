import Foundation
import Media
import Testing
import TestSupport
@testable import CLIP

@Suite struct ClipEmbedCommandTests {
    @Test func embedsAnImageAndTextsWithTheTinyFolder() throws {
        let scratch = Scratch()
        let image = scratch.path("face.png")
        try MediaWriter.writePNG(RGBImage(width: 48, height: 40, fill: (200, 150, 120)), to: image)
        let folder = CLIPFixtures.directory.appendingPathComponent("clip-tiny-hf").path
        let r = try FinecliperBinary.run(["clip", "embed", "--model", folder, image, "a smiling face", "a sad face", "--json"])
        #expect(r.status == 0, "\(r.output)")
        let json = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as! [String: Any]
        let embeddings = json["embeddings"] as! [[Double]], cosine = json["cosine"] as! [[Double]]
        #expect(embeddings.count == 3 && embeddings.allSatisfy { $0.count == 24 })
        #expect(cosine.count == 3 && abs(cosine[0][0] - 1) < 1e-5 && abs(cosine[1][2] - cosine[2][1]) < 1e-6)
        // The command's text embedding equals the library's.
        let model = try CLIPModel.load(huggingFaceFolder: folder)
        let ids = CLIPFixtures.tokenizer.tokenize("a smiling face", contextLength: 16)
        let direct = model.encodeTexts([ids]).value.scalars
        #expect(zip(direct, embeddings[1]).allSatisfy { abs(Double($0) - $1) < 1e-5 })
        let table = try FinecliperBinary.run(["clip", "embed", "--model", folder, image, "a smiling face"])
        #expect(table.output.contains("cosine similarity") && table.output.contains("24-d embedding"))
        // The tiny model reads 16 tokens: a longer text is cut, and the command says so.
        let long = "the inner ends of the eyebrows rise while the lip corners pull down and the chin pushes up"
        let cut = try FinecliperBinary.run(["clip", "embed", "--model", folder, long, "--json"])
        #expect(cut.status == 0 && cut.output.contains("cut to the model's 16"))
        let bad = try FinecliperBinary.run(["clip", "embed", "--model", scratch.path("nothing"), "text"])
        #expect(bad.status != 0 && bad.output.contains("config.json"))
    }

    @Test func preprocessingCropsToTheModelSizeAndNormalises() {
        let t = CLIPPreprocess.image(RGBImage(width: 64, height: 40, fill: (255, 0, 0)), size: 32)
        #expect(t.shape == [1, 3, 32, 32])
        #expect(abs(t[0, 0, 5, 5] - (1 - 0.48145466) / 0.26862954) < 1e-5)
        #expect(abs(t[0, 1, 5, 5] - (-0.4578275 / 0.26130258)) < 1e-5)
    }
}
